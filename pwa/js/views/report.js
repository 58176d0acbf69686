/** 随手拍: the report form (photos, location, category, description, "me too" offers), the outbox of
 * reports waiting for a network, and the list of my reports. */
import { api } from "../api.js";
import { append, h, uid } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { pagedList } from "../paged.js";
import {
  MAX_PHOTOS, OPEN_STATUSES, categoryIcon, categoryName, discard, drain, enqueue, loadCategories, queuedReports,
  statusBadge, warningBadge, watchQueue,
} from "../reports.js";
import { flatten, regionTree } from "../regions.js";
import { isStaff, session } from "../session.js";
import {
  actionErrorText, announce, button, checkbox, clearErrors, errorState, field, formAlert, linkButton, loading,
  setPage, showFieldErrors, showFormError,
} from "../ui.js";
import { navigate } from "../router.js";

function excerpt(text, length = 40) {
  const flat = (text || "").replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}

/** A card for one report in a list (mine, a worker's queue). */
export function reportCard(report) {
  return h("li", {},
    h("a", { class: `card report-card warn-${report.warning || "none"}`, href: `/reports/${report.id}` },
      h("div", { class: "badges" }, statusBadge(report.status), warningBadge(report.warning),
        report.supervised ? h("span", { class: "badge badge-alert", text: t("report.supervised") }) : null),
      h("h2", { class: "card-title" }, categoryIcon(report.category), " ", categoryName(report.category)),
      h("p", { class: "card-excerpt", text: excerpt(report.description, 60) }),
      h("p", { class: "card-meta" },
        h("span", { text: report.grid?.name || report.community?.name || "" }),
        h("span", { "aria-hidden": "true", text: " · " }),
        report.due_at && OPEN_STATUSES.has(report.status)
          ? h("span", { class: "due", text: t("report.due_at", { time: formatDateTime(report.due_at) }) })
          : h("time", { datetime: report.created_at, text: formatDateTime(report.created_at) }))));
}

// --- the outbox --------------------------------------------------------------------------------------------

function queueSection() {
  const list = h("ul", { class: "list queue-list", "aria-label": t("report.queue_title") });
  const section = h("section", { class: "card report-queue", "aria-labelledby": "queue-title", hidden: true },
    h("h2", { id: "queue-title", text: t("report.queue_title") }),
    h("p", { class: "hint", text: t("report.queue_hint") }),
    list);
  async function refresh() {
    const items = await queuedReports().catch(() => []);
    section.hidden = items.length === 0;
    list.replaceChildren(...items.map((item) => h("li", { class: `queue-item state-${item.state}`, dataset: { key: item.key } },
      h("p", { class: "queue-text", text: excerpt(item.body.description) }),
      h("p", { class: "card-meta" },
        h("span", { class: "queue-state", text: t(`report.queue_${item.state}`) }),
        h("span", { text: ` · ${t("report.photo_count", { n: item.photos.length })} · ${formatDateTime(item.createdAt)}` })),
      item.state === "failed"
        ? h("p", { class: "field-error", text: item.error?.message || t("error.generic") }) : null,
      item.state === "failed"
        ? button(t("report.queue_discard"), { variant: "secondary", onclick: () => discard(item.key) }) : null)));
  }
  window.addEventListener("linli:report-queue", refresh);
  return { element: section, refresh, stop: () => window.removeEventListener("linli:report-queue", refresh) };
}

// --- location ----------------------------------------------------------------------------------------------

function centroid(boundary) {
  const ring = boundary?.coordinates?.[0] || [];
  if (!ring.length) return null;
  const points = ring.length > 1 ? ring.slice(0, -1) : ring;
  const sum = points.reduce((acc, [lng, lat]) => [acc[0] + lng, acc[1] + lat], [0, 0]);
  return { lng: sum[0] / points.length, lat: sum[1] / points.length };
}

/** Where the resident lives, when the phone cannot say where it is: the middle of their community's first grid. */
async function homePoint() {
  const posts = new Set((session.me?.memberships || []).filter((m) => m.status === "active").map((m) => m.region.id));
  if (!posts.size) return null;
  // A community or a grid someone lives or works in; a street or district post names no one community.
  const home = flatten(await regionTree())
    .find((row) => posts.has(row.node.id) && (row.node.level === "community" || row.node.level === "grid"));
  if (!home) return null;
  const community = home.node.level === "grid" ? home.ancestors.at(-1) : home.node;
  const grid = home.node.level === "grid" ? home.node : (community.children || []).find((g) => g.boundary);
  const point = grid ? centroid(grid.boundary) : null;
  return { lat: null, lng: null, ...point, communityId: community.id };
}

function locationPicker(onChange) {
  const state = { lat: null, lng: null, source: null, communityId: null };
  const status = h("p", { class: "location-status", role: "status", text: t("report.locating") });
  const place = h("p", { class: "location-place" });
  const mapBox = h("div", { class: "pin-map", hidden: true });
  const adjust = button(t("report.adjust_pin"), { variant: "secondary", iconName: "location" });
  let map = null;

  async function describe() {
    place.textContent = "";
    if (state.lat == null) return;
    try {
      const where = await api("/regions/locate", { query: { lat: state.lat, lng: state.lng }, auth: false });
      place.textContent = t("report.located_in", { grid: where.grid?.name || "", community: where.community?.name || "" });
    } catch (err) {
      place.textContent = err.offline ? t("report.locate_offline") : t("report.outside_grids");
    }
  }

  function set(lat, lng, source) {
    Object.assign(state, { lat, lng, source });
    status.textContent = t(`report.location_${source}`, { lat: lat.toFixed(5), lng: lng.toFixed(5) });
    describe();
    map?.setPin(lat, lng);
    onChange(state);
  }

  async function fallback() {
    const home = await homePoint().catch(() => null);
    if (home?.lat == null) {
      status.textContent = t("report.location_none");
      return;
    }
    state.communityId = home.communityId;
    set(home.lat, home.lng, "community");
  }

  function locate() {
    status.textContent = t("report.locating");
    if (!navigator.geolocation) return fallback();
    navigator.geolocation.getCurrentPosition(
      (pos) => set(pos.coords.latitude, pos.coords.longitude, "gps"),
      () => fallback(),
      { enableHighAccuracy: true, timeout: 10_000, maximumAge: 60_000 },
    );
    return undefined;
  }

  adjust.addEventListener("click", async () => {
    mapBox.hidden = false;
    adjust.hidden = true;
    try {
      const { pinMap } = await import("../reports-map.js");
      map = await pinMap(mapBox, state, (lat, lng) => set(lat, lng, "pin"));
    } catch {
      mapBox.replaceChildren(h("p", { class: "hint", text: t("report.map_unavailable") }));
    }
  });

  const element = h("fieldset", { class: "report-location" },
    h("legend", { text: t("report.location") }), status, place,
    h("div", { class: "actions-row" }, adjust, button(t("report.relocate"), { variant: "secondary", onclick: locate })),
    mapBox);
  return { element, state, locate, stop: () => map?.remove() };
}

// --- categories --------------------------------------------------------------------------------------------

function matches(leaf, subject, q) {
  if (!q) return true;
  const hay = [leaf.name, leaf.name_en, leaf.keywords, subject.name, subject.name_en].join(" ").toLowerCase();
  return hay.includes(q.toLowerCase());
}

function categoryPicker(tree, onChange) {
  const search = h("input", {
    type: "search", id: uid("cat-search"), class: "cat-search", autocomplete: "off", placeholder: t("report.category_search"),
  });
  const groups = h("div", { class: "cat-groups" });
  const chosen = h("div", { class: "cat-chosen", hidden: true });
  const browse = h("div", { class: "cat-browse" },
    h("label", { for: search.id, class: "visually-hidden", text: t("report.category_search") }), search, groups);
  let selected = null;
  // Once chosen, the long list folds away to one line, so what follows (the "me too" offers) is in view.
  function fold(leaf, subject) {
    browse.hidden = true;
    chosen.hidden = false;
    chosen.replaceChildren(
      h("p", { class: "cat-chosen-name" }, categoryIcon(subject), h("strong", { text: categoryName(leaf) }),
        h("span", { class: "hint", text: ` · ${categoryName(subject)}` })),
      button(t("report.category_change"), { variant: "secondary", onclick: () => {
        chosen.hidden = true;
        browse.hidden = false;
        search.focus();
      } }));
  }
  function render() {
    const q = search.value.trim();
    groups.replaceChildren(...tree.map((subject) => {
      const leaves = (subject.children || []).filter((leaf) => matches(leaf, subject, q));
      if (!leaves.length) return null;
      return h("div", { class: "cat-group", role: "group", "aria-label": categoryName(subject) },
        h("p", { class: "cat-subject" }, categoryIcon(subject), " ", categoryName(subject)),
        h("div", { class: "cat-leaves" }, leaves.map((leaf) => {
          const id = uid("cat");
          return h("span", { class: "cat-choice" },
            h("input", { type: "radio", name: "category", id, value: leaf.code, checked: leaf.code === selected,
              onchange: () => { selected = leaf.code; fold(leaf, subject); onChange(leaf); } }),
            h("label", { for: id }, categoryIcon(subject), h("span", { text: categoryName(leaf) })));
        })));
    }).filter(Boolean));
    if (!groups.children.length) groups.append(h("p", { class: "hint", text: t("report.category_none") }));
  }
  search.addEventListener("input", render);
  render();
  return h("fieldset", { class: "report-category", dataset: { field: "category" } },
    h("legend", { text: t("report.category") }), chosen, browse, h("p", { class: "field-error", hidden: true }));
}

// --- photos ------------------------------------------------------------------------------------------------

function photoPicker() {
  const files = [];
  const input = h("input", {
    type: "file", accept: "image/*", capture: "environment", multiple: true, id: uid("photos"), class: "visually-hidden",
  });
  const thumbs = h("ul", { class: "thumbs", "aria-label": t("report.photos") });
  const count = h("p", { class: "hint", role: "status" });
  const label = h("label", { for: input.id, class: "btn btn-secondary photo-add" }, h("span", { text: t("report.add_photos") }));
  function render() {
    for (const img of thumbs.querySelectorAll("img")) URL.revokeObjectURL(img.src);
    thumbs.replaceChildren(...files.map((file, i) => h("li", { class: "thumb" },
      h("img", { src: URL.createObjectURL(file), alt: t("report.photo_n", { n: i + 1 }) }),
      button("×", { variant: "ghost", class: "btn thumb-remove", "aria-label": t("report.remove_photo", { n: i + 1 }),
        onclick: () => { files.splice(i, 1); render(); } }))));
    count.textContent = t("report.photo_limit", { n: files.length, max: MAX_PHOTOS });
    label.hidden = files.length >= MAX_PHOTOS;
  }
  input.addEventListener("change", () => {
    const picked = Array.from(input.files || []).filter((f) => f.type.startsWith("image/"));
    if (files.length + picked.length > MAX_PHOTOS) announce(t("report.photo_too_many", { max: MAX_PHOTOS }));
    files.push(...picked.slice(0, MAX_PHOTOS - files.length));
    input.value = "";
    render();
  });
  render();
  return {
    files,
    element: h("fieldset", { class: "report-photos", dataset: { field: "photo_ids" } },
      h("legend", { text: t("report.photos") }), input, label, thumbs, count, h("p", { class: "field-error", hidden: true })),
  };
}

// --- "me too" ----------------------------------------------------------------------------------------------

function nearbyOffers() {
  const section = h("section", { class: "card nearby", "aria-labelledby": "nearby-title", hidden: true });
  let asked = "";
  async function check(location, category) {
    if (location.lat == null || !category || !navigator.onLine) return;
    const key = `${location.lat},${location.lng},${category.code}`;
    if (key === asked) return;
    asked = key;
    let found;
    try {
      found = await api("/reports/nearby", { query: { lat: location.lat, lng: location.lng, category: category.code } });
    } catch {
      return;
    }
    if (asked !== key) return;
    section.hidden = found.data.length === 0;
    if (!section.hidden) announce(t("report.nearby_title"));
    section.replaceChildren(
      h("h2", { id: "nearby-title", text: t("report.nearby_title") }),
      h("p", { class: "hint", text: t("report.nearby_hint") }),
      h("ul", { class: "list" }, found.data.map((r) => {
        const alert = h("p", { class: "form-alert", role: "alert", hidden: true });
        const meToo = r.mine ? null : button(t("report.me_too"), {
          variant: "primary",
          onclick: async (event) => {
            event.currentTarget.disabled = true;
            try {
              await api(`/reports/${r.id}/me-too`, { method: "POST" });
              announce(t("report.me_too_done"));
              navigate(`/reports/${r.id}`);
            } catch (err) {
              event.target.closest("button").disabled = false;
              alert.textContent = actionErrorText(err);
              alert.hidden = false;
            }
          },
        });
        return h("li", { class: "nearby-item" },
          h("p", {}, statusBadge(r.status), " ", h("span", { text: excerpt(r.description) })),
          h("p", { class: "card-meta", text: t("report.nearby_meta", { m: r.distance_m, n: r.me_too_count }) }),
          h("div", { class: "actions-row" }, meToo, linkButton(t("report.view"), `/reports/${r.id}`, { variant: "secondary" })),
          alert);
      })));
  }
  return { element: section, check };
}

// --- the screen --------------------------------------------------------------------------------------------

export async function reportView({ root, signal }) {
  setPage({ title: t("report.title") });
  watchQueue();
  const queue = queueSection();
  signal.addEventListener("abort", queue.stop);
  const links = h("div", { class: "actions-row report-links" },
    linkButton(t("report.mine"), "/report/mine", { variant: "secondary" }),
    linkButton(t("report.map"), "/report/map", { variant: "secondary", iconName: "location" }),
    isStaff(session.me) ? linkButton(t("report.work"), "/report/work", { variant: "secondary" }) : null);
  append(root, queue.element, links, loading());
  queue.refresh();

  let tree;
  try {
    tree = await loadCategories();
  } catch (err) {
    root.querySelector(".loading")?.replaceWith(errorState(err, () => navigate("/report", { replace: true })));
    return;
  }
  if (signal.aborted) return;

  let category = null;
  const offers = nearbyOffers();
  const location = locationPicker((state) => offers.check(state, category));
  signal.addEventListener("abort", location.stop);
  const photos = photoPicker();
  const picker = categoryPicker(tree, (leaf) => {
    category = leaf;
    offers.check(location.state, category);
  });
  const showName = checkbox({ name: "show_name", label: t("report.show_name") });
  const onSpotNote = field({ name: "on_spot_note", label: t("report.on_spot_note"), multiline: true, rows: 2, maxlength: 2000 });
  onSpotNote.hidden = true;
  const onSpot = isStaff(session.me) ? checkbox({ name: "on_spot", label: t("report.on_spot") }) : null;
  onSpot?.querySelector("input").addEventListener("change", (e) => { onSpotNote.hidden = !e.target.checked; });

  const form = h("form", { class: "report-form", novalidate: true },
    photos.element,
    location.element,
    field({ name: "address", label: t("report.address"), hint: t("report.address_hint"), maxlength: 200, autocomplete: "street-address" }),
    picker,
    offers.element,
    field({ name: "description", label: t("report.description"), multiline: true, rows: 4, maxlength: 2000,
      placeholder: t("report.description_placeholder") }),
    showName,
    h("p", { class: "hint", text: t("report.privacy_hint") }),
    onSpot, onSpotNote,
    formAlert(),
    button(t("report.submit"), { type: "submit", iconName: "camera", class: "btn btn-primary btn-block" }));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const description = form.elements.description.value.trim();
    const address = form.elements.address.value.trim();
    const errors = {};
    if (!category) errors.category = t("report.need_category");
    if (!description) errors.description = t("report.need_description");
    if (location.state.lat == null) errors.address = t("report.need_location");
    else if (location.state.source === "community" && !address) errors.address = t("report.need_address");
    if (Object.keys(errors).length) {
      showFieldErrors(form, errors);
      const catError = picker.querySelector(".field-error");
      if (errors.category) { catError.textContent = errors.category; catError.hidden = false; }
      return;
    }
    const body = {
      category: category.code, description, lat: location.state.lat, lng: location.state.lng,
      address: address || null, anonymous: !form.elements.show_name.checked,
    };
    // The server uses it only for a point outside every grid: then the resident's own community handles it.
    const home = await homePoint().catch(() => null);
    if (home?.communityId) body.community_id = home.communityId;
    if (form.elements.on_spot?.checked) {
      body.resolved_on_spot = { note: form.elements.on_spot_note.value.trim() || t("report.on_spot_default") };
    }
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const item = await enqueue(body, [...photos.files]);
      // A send already under way may have started before this report was queued: then ask once more.
      let sent = (await drain()).find((s) => s.key === item.key);
      if (!sent && navigator.onLine) sent = (await drain()).find((s) => s.key === item.key);
      if (sent) {
        announce(t("report.sent"));
        navigate(`/reports/${sent.report.id}`);
        return;
      }
      const left = (await queuedReports()).find((q) => q.key === item.key);
      if (left?.state === "failed") {
        // The server refused it (e.g. outside every grid): fix the form; the queued copy goes.
        await discard(item.key);
        showFormError(form, { code: left.error.code, fields: left.error.fields, status: left.error.status });
        submit.disabled = false;
        return;
      }
      announce(t("report.queued"));
      root.replaceChildren(queue.element,
        h("section", { class: "card callout", role: "status" },
          h("h2", { text: t("report.queued_title") }), h("p", { text: t("report.queued") }),
          linkButton(t("report.another"), "/report", { variant: "secondary" })));
      queue.refresh();
    } catch (err) {
      submit.disabled = false;
      showFormError(form, err);
    }
  });

  root.querySelector(".loading")?.remove();
  append(root, form);
  location.locate();
  // Read now, while online, so the service worker keeps it: it names the resident's community offline too.
  regionTree().catch(() => {});
}

export async function myReportsView({ root, signal }) {
  setPage({ title: t("report.mine"), back: "/report" });
  watchQueue();
  const queue = queueSection();
  signal.addEventListener("abort", queue.stop);
  const list = pagedList({
    label: t("report.mine"),
    emptyText: t("report.mine_empty"),
    signal,
    fetchPage: (cursor) => api("/reports", { query: { scope: "mine", cursor, limit: 20 } }),
    renderItem: reportCard,
  });
  append(root, queue.element, h("div", { class: "actions-row" }, linkButton(t("report.new"), "/report", { iconName: "camera" })),
    list.element);
  queue.refresh();
  window.addEventListener("linli:report-sent", () => list.reload(), { signal });
  list.reload();
}
