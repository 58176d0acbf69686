/** 发起投票: a four-step wizard for the committee and workers; each counting rule explained in one sentence. */
import { api } from "../api.js";
import { h } from "../dom.js";
import { localInputToIso, t } from "../i18n.js";
import { regionTree, servedRegions } from "../regions.js";
import { navigate } from "../router.js";
import { session } from "../session.js";
import {
  busy, button, emptyState, errorState, field, formAlert, loading, setPage, showFormError,
} from "../ui.js";

const POLL_ROLES = new Set(["committee", "community_worker", "street_staff", "admin"]);
const STEPS = ["what", "options", "counting", "when"];

function radios(name, values, checked, explain) {
  return h("fieldset", { class: "poll-radio-group", dataset: { field: name } },
    h("legend", { text: t(`polls.wizard_${name}`) }),
    values.map((value) => h("label", { class: "poll-choice poll-rule-choice" },
      h("input", { type: "radio", name, value, checked: value === checked }),
      h("span", {},
        h("strong", { text: t(`polls.${name}_${value}`) }),
        h("span", { class: "hint", text: explain(value) })))),
    h("p", { class: "field-error", hidden: true }));
}

export async function pollWizardView({ root, rerender }) {
  setPage({ title: t("polls.create"), back: "/polls" });
  root.append(loading());
  let regions;
  try {
    regions = servedRegions(await regionTree(), session.me, POLL_ROLES).filter((r) => r.node.level !== "district");
  } catch (err) {
    root.replaceChildren(errorState(err, rerender));
    return;
  }
  if (!regions.length) {
    root.replaceChildren(emptyState(t("polls.no_regions")));
    return;
  }
  const inThreeDays = new Date(Date.now() + 3 * 86400e3 + 8 * 3600e3).toISOString().slice(0, 16);
  const sections = {
    what: [
      field({ name: "region_id", label: t("polls.wizard_region"), options: regions.map(({ node, depth }) => ({
        value: String(node.id), label: `${"　".repeat(Math.max(0, depth - 1))}${node.name}` })) }),
      field({ name: "title", label: t("polls.wizard_title"), maxlength: 120, required: true }),
      field({ name: "body", label: t("polls.wizard_body"), multiline: true, rows: 4, maxlength: 10000 }),
    ],
    options: [
      field({ name: "options", label: t("polls.wizard_options"), hint: t("polls.wizard_options_hint"),
        multiline: true, rows: 4, value: "" }),
      radios("kind", ["single", "multiple"], "single", (v) => t(`polls.kind_${v}_explain`)),
      field({ name: "max_choices", label: t("polls.wizard_max_choices"), type: "number", min: 1, max: 20, value: "2" }),
    ],
    counting: [
      radios("counting", ["person", "household", "owners"], "person", (v) => t(`polls.explain_${v}`)),
      radios("threshold", ["ordinary", "special"], "ordinary", (v) => t(`polls.explain_${v}`)),
    ],
    when: [
      radios("secrecy", ["secret", "named"], "secret", (v) => t(`polls.explain_${v}`)),
      radios("results", ["after_close", "live"], "after_close", (v) => t(`polls.explain_results_${v}`)),
      field({ name: "opens_at", label: t("polls.wizard_opens_at"), type: "datetime-local", hint: t("polls.wizard_opens_hint") }),
      field({ name: "closes_at", label: t("polls.wizard_closes_at"), type: "datetime-local", value: inThreeDays, required: true }),
    ],
  };
  const options = sections.options[0].querySelector("textarea");
  options.value = t("polls.wizard_default_options");
  const pages = STEPS.map((step, i) => h("section", { class: "poll-step", dataset: { step }, hidden: i > 0 },
    h("h2", { text: t("polls.wizard_step", { n: i + 1, total: STEPS.length, name: t(`polls.step_${step}`) }) }),
    ...sections[step]));
  const alert = formAlert();
  const back = button(t("common.back"), { variant: "secondary" });
  const next = button(t("polls.next"), { type: "submit" });
  const form = h("form", { class: "card poll-wizard", novalidate: true }, ...pages, alert,
    h("div", { class: "actions-row" }, back, next));
  let at = 0;

  const value = (name) => form.elements[name]?.value;
  const syncOwners = () => {
    const owners = form.querySelector("input[name=counting]:checked")?.value === "owners";
    form.querySelector('[data-field="threshold"]').hidden = !owners;
    const multiple = form.querySelector("input[name=kind]:checked")?.value === "multiple";
    form.querySelector('[data-field="max_choices"]').hidden = !multiple;
  };
  form.addEventListener("change", syncOwners);
  syncOwners();

  const show = (i) => {
    at = i;
    pages.forEach((page, n) => {
      page.hidden = n !== i;
    });
    back.hidden = i === 0;
    next.querySelector("span").textContent = i === STEPS.length - 1 ? t("polls.create_submit") : t("polls.next");
    pages[i].querySelector("h2").setAttribute("tabindex", "-1");
    pages[i].querySelector("h2").focus();
  };
  back.addEventListener("click", () => show(Math.max(0, at - 1)));
  show(0);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    if (at === 0 && !value("title").trim()) {
      alert.textContent = t("polls.title_required");
      alert.hidden = false;
      return;
    }
    if (at < STEPS.length - 1) {
      show(at + 1);
      return;
    }
    const kind = form.querySelector("input[name=kind]:checked").value;
    const counting = form.querySelector("input[name=counting]:checked").value;
    const labels = value("options").split("\n").map((s) => s.trim()).filter(Boolean);
    const body = {
      region_id: Number(value("region_id")),
      title: value("title").trim(),
      body: value("body"),
      options: labels.map((label, i) => ({ label, approves: counting === "owners" && i === 0 })),
      kind,
      max_choices: kind === "multiple" ? Number(value("max_choices")) : 1,
      counting,
      threshold: form.querySelector("input[name=threshold]:checked").value,
      secrecy: form.querySelector("input[name=secrecy]:checked").value,
      results: form.querySelector("input[name=results]:checked").value,
      closes_at: localInputToIso(value("closes_at")),
    };
    if (value("opens_at")) body.opens_at = localInputToIso(value("opens_at"));
    busy(form, true);
    try {
      const poll = await api("/polls", { method: "POST", body });
      navigate(`/polls/${poll.id}`);
    } catch (err) {
      busy(form, false);
      showFormError(form, err);
      const bad = Object.keys(err.fields || {})[0];
      const page = pages.findIndex((p) => p.querySelector(`[data-field="${bad}"]`));
      if (page >= 0 && page !== at) show(page);
    }
  });
  root.replaceChildren(form);
}
