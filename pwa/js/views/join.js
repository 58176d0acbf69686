/** Joining a community: find it (tree or location), pick the home unit, apply, then wait for approval. */
import { api } from "../api.js";
import { append, h } from "../dom.js";
import { icon } from "../icons.js";
import { t } from "../i18n.js";
import { pagedList } from "../paged.js";
import { findRegion, regionTree } from "../regions.js";
import { navigate } from "../router.js";
import { loadMe } from "../session.js";
import {
  actionErrorText, busy, button, errorState, formAlert, linkButton, loading, setPage,
} from "../ui.js";

const LOCATE_TIMEOUT_MS = 15000;

function position() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error("unsupported"));
      return;
    }
    navigator.geolocation.getCurrentPosition(resolve, reject, {
      enableHighAccuracy: true, timeout: LOCATE_TIMEOUT_MS, maximumAge: 60000,
    });
  });
}

function locateBlock() {
  const result = h("div", { class: "locate-result", role: "status" });
  const go = button(t("join.use_location"), { iconName: "location", class: "btn btn-primary btn-block" });
  go.addEventListener("click", async () => {
    go.disabled = true;
    result.replaceChildren(h("p", { text: t("join.locating") }));
    try {
      const { coords } = await position();
      const found = await api("/regions/locate", { query: { lat: coords.latitude, lng: coords.longitude } });
      result.replaceChildren(
        h("p", { text: t("join.located", { community: found.community.name, grid: found.grid?.name || "" }) }),
        linkButton(t("join.choose_this", { community: found.community.name }), `/join/${found.community.id}`,
          { class: "btn btn-primary btn-block" }));
    } catch (err) {
      let text;
      if (err.status === 404) text = t("join.locate_none");
      else if (err.offline) text = t("error.offline_action");
      else if (err.code === 1) text = t("join.locate_denied");
      else text = t("join.locate_failed");
      result.replaceChildren(h("p", { class: "error-text", text }));
    } finally {
      go.disabled = false;
    }
  });
  return h("section", { class: "card", "aria-labelledby": "locate-title" },
    h("h2", { id: "locate-title", text: t("join.by_location") }),
    h("p", { class: "hint", text: t("join.by_location_hint") }),
    go, result);
}

function treeBlock(tree) {
  const sections = [];
  const streets = [];
  const walk = (nodes) => {
    for (const node of nodes || []) {
      if (node.level === "street") streets.push(node);
      else walk(node.children);
    }
  };
  walk(tree);
  for (const street of streets) {
    const communities = (street.children || []).filter((c) => c.level === "community");
    if (!communities.length) continue;
    sections.push(h("li", { class: "street" },
      h("h3", { class: "street-name", text: street.name }),
      h("ul", { class: "choice-list" }, communities.map((c) => h("li", {},
        h("a", { class: "choice", href: `/join/${c.id}` }, h("span", { text: c.name }), icon("chevron")))))));
  }
  return h("section", { class: "card", "aria-labelledby": "tree-title" },
    h("h2", { id: "tree-title", text: t("join.by_list") }),
    sections.length ? h("ul", { class: "street-list" }, sections) : h("p", { text: t("join.no_communities") }));
}

export async function joinView({ root, rerender }) {
  setPage({ title: t("join.title"), back: "/me" });
  append(root, h("p", { class: "lead", text: t("join.lead") }), locateBlock(), loading());
  try {
    const tree = await regionTree();
    root.lastChild.replaceWith(treeBlock(tree));
  } catch (err) {
    root.lastChild.replaceWith(errorState(err, rerender));
  }
}

function unitOption(unit, chosen) {
  const id = `unit-${unit.id}`;
  return h("li", { class: "radio-row" },
    h("input", { type: "radio", name: "unit", id, value: unit.id, checked: String(unit.id) === chosen }),
    h("label", { for: id, text: unit.label }));
}

export async function unitView({ root, params, signal }) {
  setPage({ title: t("join.unit_title"), back: "/join" });
  const communityId = Number(params.communityId);
  const tree = await regionTree().catch(() => null);
  const community = tree && findRegion(tree, communityId);
  let q = "";
  let chosen = null;
  const units = pagedList({
    label: t("join.units_label"),
    emptyText: t("join.units_empty"),
    signal,
    fetchPage: (cursor) => api(`/communities/${communityId}/units`, { query: { q, cursor, limit: 30 } }),
    // A new search keeps the home already picked, should it be among the results again.
    renderItem: (unit) => unitOption(unit, chosen),
  });
  const search = h("input", {
    type: "search", id: "unit-search", autocomplete: "off", enterkeyhint: "search",
    placeholder: t("join.unit_search_placeholder"),
  });
  let timer = null;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      q = search.value.trim();
      units.reload();
    }, 350);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
  signal.addEventListener("abort", () => clearTimeout(timer));

  const noneId = "unit-none";
  const alert = formAlert();
  const form = h("form", { class: "card form", novalidate: true },
    h("fieldset", {},
      h("legend", { text: t("join.unit_legend") }),
      h("label", { for: "unit-search", text: t("join.unit_search") }),
      search,
      units.element,
      h("div", { class: "radio-row radio-none" },
        h("input", { type: "radio", name: "unit", id: noneId, value: "" }),
        h("label", { for: noneId, text: t("join.unit_unknown") }))),
    alert,
    button(t("join.submit"), { type: "submit", class: "btn btn-primary btn-block" }));
  form.addEventListener("change", (event) => {
    if (event.target.name === "unit") chosen = event.target.value;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    const choice = form.querySelector("input[name=unit]:checked");
    if (!choice) {
      alert.textContent = t("join.unit_required");
      alert.hidden = false;
      return;
    }
    const body = choice.value ? { unit_id: Number(choice.value) } : {};
    busy(form, true);
    try {
      await api(`/communities/${communityId}/memberships`, { method: "POST", body });
      await loadMe().catch(() => {});
      navigate("/", { replace: true });
    } catch (err) {
      busy(form, false);
      alert.textContent = err.status === 409 ? t("join.already_applied") : actionErrorText(err);
      alert.hidden = false;
    }
  });
  append(root, 
    h("p", { class: "lead" }, community
      ? h("strong", { text: community.node.name }) : null, community ? " " : null,
    h("span", { text: t("join.unit_lead") })),
    form);
  units.reload();
}
