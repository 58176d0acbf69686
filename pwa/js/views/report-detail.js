/** One report: its steps as a timeline, photos and deadlines; the reporter's rating once it is resolved;
 * for staff, the moves the server says they may make now (allowed_actions). Refreshes while open. */
import { api } from "../api.js";
import { append, h, uid } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { OPEN_STATUSES, categoryIcon, categoryName, statusBadge, warningBadge } from "../reports.js";
import { flatten, regionTree } from "../regions.js";
import {
  actionErrorText, announce, button, errorState, field, formAlert, loading, setPage,
} from "../ui.js";

// Moves that must say why (app/reports/workflow.py NOTE_REQUIRED).
const NOTE_REQUIRED = new Set(["extend", "resolve", "reject", "reopen", "close"]);
// Moves made with one tap: nothing to add.
const ONE_TAP = new Set(["accept", "start"]);
const REFRESH_MS = 5000;

function photoStrip(photos) {
  if (!photos?.length) return null;
  return h("ul", { class: "thumbs" }, photos.map((p, i) => h("li", { class: "thumb" },
    h("a", { href: p.url, target: "_blank", rel: "noopener" },
      h("img", { src: p.thumb_url, alt: t("report.photo_n", { n: i + 1 }), loading: "lazy" })))));
}

function eventText(entry) {
  const data = entry.data || {};
  if (entry.action === "route") return data.grid?.name || data.community?.name || "";
  if (entry.action === "escalate") return data.to?.name || data.region?.name || "";
  if (entry.action === "transfer") return data.to?.department?.name || data.to?.region?.name || "";
  if (entry.action === "assign" || entry.action === "accept") return data.assignee?.name || "";
  if (entry.action === "warn") return data.level ? t(`report.warning_${data.level}`) : "";
  if (entry.action === "rate" && data.satisfaction) {
    return `${data.resolved ? t("report.rate_yes") : t("report.rate_no")} · ${"★".repeat(data.satisfaction)}`;
  }
  return "";
}

function timeline(entries) {
  return h("ol", { class: "timeline", "aria-label": t("report.timeline") }, entries.map((entry) => {
    const extra = eventText(entry);
    return h("li", { class: `step step-${entry.action}`, dataset: { action: entry.action } },
      h("p", { class: "step-head" },
        h("strong", { class: "step-action", text: t(`report.event_${entry.action}`) }),
        extra ? h("span", { class: "step-extra", text: ` ${extra}` }) : null),
      h("p", { class: "card-meta" },
        // The public face of a report names nobody (no actor key); null is the system itself.
        entry.actor !== undefined ? h("span", { text: entry.actor?.name || t("report.system") }) : null,
        entry.actor !== undefined ? h("span", { "aria-hidden": "true", text: " · " }) : null,
        h("time", { datetime: entry.at, text: formatDateTime(entry.at) })),
      entry.note ? h("p", { class: "step-note", text: entry.note }) : null,
      photoStrip(entry.photos));
  }));
}

function deadlines(report) {
  if (!report.deadlines) return null;
  const rows = ["dispatch", "contact", "resolve"].map((kind) => {
    const d = report.deadlines[kind];
    if (!d || d.state === "none") return null;
    return [h("dt", { text: t(`report.deadline_${kind}`) }),
      h("dd", { class: `deadline deadline-${d.state}` },
        h("time", { datetime: d.due, text: formatDateTime(d.due) }), " ",
        h("span", { class: "badge", text: t(`report.deadline_state_${d.state}`) }))];
  });
  return h("section", { class: "card", "aria-labelledby": "deadlines-title" },
    h("h2", { id: "deadlines-title", text: t("report.deadlines") }),
    h("dl", { class: "deadlines" }, rows),
    report.deadlines.extended ? h("p", { class: "hint", text: t("report.extended") }) : null);
}

// --- rating ------------------------------------------------------------------------------------------------

function ratingForm(report, done) {
  const alert = formAlert();
  const yes = uid("resolved");
  const no = uid("resolved");
  const stars = [1, 2, 3, 4, 5].map((n) => {
    const id = uid("sat");
    return h("span", { class: "star" },
      h("input", { type: "radio", name: "satisfaction", id, value: String(n), required: true }),
      h("label", { for: id, "aria-label": t("report.stars", { n }) }, h("span", { "aria-hidden": "true", text: "★" }), h("span", { text: String(n) })));
  });
  const form = h("form", { class: "card rating-form", "aria-labelledby": "rating-title", novalidate: true },
    h("h2", { id: "rating-title", text: t("report.rate_title") }),
    h("fieldset", { class: "choice-row" }, h("legend", { text: t("report.rate_resolved") }),
      h("span", { class: "choice" }, h("input", { type: "radio", name: "resolved", id: yes, value: "yes" }), h("label", { for: yes, text: t("report.rate_yes") })),
      h("span", { class: "choice" }, h("input", { type: "radio", name: "resolved", id: no, value: "no" }), h("label", { for: no, text: t("report.rate_no") }))),
    h("fieldset", { class: "stars" }, h("legend", { text: t("report.rate_satisfaction") }), stars),
    field({ name: "comment", label: t("report.rate_comment"), multiline: true, rows: 2, maxlength: 500 }),
    h("p", { class: "hint", text: t("report.rate_hint") }),
    alert,
    button(t("report.rate_submit"), { type: "submit" }));
  form.addEventListener("input", () => { form.dataset.dirty = "1"; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const resolved = form.elements.resolved.value;
    const satisfaction = Number(form.elements.satisfaction.value);
    if (!resolved || !satisfaction) {
      alert.textContent = t("report.rate_incomplete");
      alert.hidden = false;
      return;
    }
    form.querySelector("button[type=submit]").disabled = true;
    try {
      await api(`/reports/${report.id}/rating`, { method: "POST", body: {
        resolved: resolved === "yes", satisfaction, comment: form.elements.comment.value.trim() || null,
      } });
      announce(t("report.rated"));
      done();
    } catch (err) {
      form.querySelector("button[type=submit]").disabled = false;
      alert.textContent = actionErrorText(err);
      alert.hidden = false;
    }
  });
  return form;
}

function ratingsList(report) {
  if (!report.ratings?.length) return null;
  return h("section", { class: "card", "aria-labelledby": "ratings-title" },
    h("h2", { id: "ratings-title", text: t("report.ratings") }),
    h("ul", { class: "list" }, report.ratings.map((r) => h("li", { class: "rating" },
      h("p", { text: `${r.resolved ? t("report.rate_yes") : t("report.rate_no")} · ${"★".repeat(r.satisfaction)}${"☆".repeat(5 - r.satisfaction)}` }),
      r.comment ? h("p", { class: "step-note", text: r.comment }) : null))));
}

// --- staff actions -----------------------------------------------------------------------------------------

async function uploadPhotos(files) {
  const ids = [];
  for (const file of files) {
    const form = new FormData();
    form.append("file", file, file.name || "photo.jpg");
    ids.push((await api("/uploads", { method: "POST", body: form })).id);
  }
  return ids;
}

async function assigneeOptions(report) {
  const people = await api(`/reports/${report.id}/assignees`);
  return people.map((p) => ({ value: String(p.id), label: `${p.name} · ${t(`role.${p.role}`)} · ${p.region.name}` }));
}

async function transferOptions() {
  const [tree, departments] = await Promise.all([regionTree(), api("/departments").catch(() => [])]);
  const regions = flatten(tree).filter((row) => ["grid", "community", "street"].includes(row.node.level))
    .map((row) => ({ value: `r:${row.node.id}`, label: `${"· ".repeat(row.depth)}${row.node.name}` }));
  return [...departments.map((d) => ({ value: `d:${d.id}`, label: `${t("report.department")}: ${d.name}` })), ...regions];
}

function actionPanel(report, action, done) {
  const alert = formAlert();
  const extras = [];
  let photoInput = null;
  if (action === "resolve") {
    photoInput = h("input", { type: "file", accept: "image/*", capture: "environment", multiple: true, name: "proof", id: uid("proof") });
    extras.push(h("div", { class: "field", dataset: { field: "photo_ids" } },
      h("label", { for: photoInput.id, text: t("report.proof_photo") }), photoInput, h("p", { class: "field-error", hidden: true })));
  }
  const select = (name, label) => {
    const wrap = field({ name, label, options: [{ value: "", label: t("common.loading") }] });
    extras.push(wrap);
    return wrap.querySelector("select");
  };
  if (action === "assign") {
    const el = select("assignee_id", t("report.assignee"));
    assigneeOptions(report).then((opts) => el.replaceChildren(...opts.map((o) => h("option", { value: o.value, text: o.label }))))
      .catch(() => el.replaceChildren(h("option", { value: "", text: t("error.offline_load") })));
  }
  if (action === "transfer") {
    const el = select("target", t("report.transfer_to"));
    transferOptions().then((opts) => el.replaceChildren(...opts.map((o) => h("option", { value: o.value, text: o.label }))))
      .catch(() => el.replaceChildren(h("option", { value: "", text: t("error.offline_load") })));
  }
  if (action === "extend") {
    extras.push(field({ name: "extend_minutes", label: t("report.extend_by"), options: [
      { value: "", label: t("report.extend_default") }, { value: "1440", label: t("report.days", { n: 1 }) },
      { value: "4320", label: t("report.days", { n: 3 }) }, { value: "10080", label: t("report.days", { n: 7 }) }] }));
  }
  const form = h("form", { class: "action-panel", dataset: { action }, novalidate: true },
    field({ name: "note", label: NOTE_REQUIRED.has(action) ? t(`report.note_${action}`) : t("report.note_optional"),
      multiline: true, rows: 3, maxlength: 2000 }),
    extras, alert,
    h("div", { class: "actions-row" },
      button(t(`report.action_${action}`), { type: "submit", variant: action === "reject" ? "danger" : "primary" }),
      button(t("common.cancel"), { variant: "secondary", onclick: () => { form.remove(); } })));
  form.addEventListener("input", () => { form.dataset.dirty = "1"; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const note = form.elements.note.value.trim();
    alert.hidden = true;
    if (NOTE_REQUIRED.has(action) && !note) {
      alert.textContent = t("report.need_note");
      alert.hidden = false;
      form.elements.note.focus();
      return;
    }
    const body = { action, note: note || null };
    if (action === "assign") body.assignee_id = Number(form.elements.assignee_id.value) || null;
    if (action === "transfer") {
      const [kind, id] = (form.elements.target.value || ":").split(":");
      if (kind === "d") body.department_id = Number(id);
      else body.region_id = Number(id) || null;
    }
    if (action === "extend" && form.elements.extend_minutes.value) body.extend_minutes = Number(form.elements.extend_minutes.value);
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      if (photoInput?.files?.length) body.photo_ids = await uploadPhotos(Array.from(photoInput.files));
      await api(`/reports/${report.id}/transitions`, { method: "POST", body });
      announce(t(`report.done_${action}`));
      done();
    } catch (err) {
      submit.disabled = false;
      const fields = err.fields ? Object.values(err.fields).flat().join(" ") : "";
      alert.textContent = err.code === "validation_error" && fields ? `${actionErrorText(err)} ${fields}` : actionErrorText(err);
      alert.hidden = false;
    }
  });
  return form;
}

function staffActions(report, done) {
  const actions = report.allowed_actions || [];
  if (!actions.length) return null;
  const panelSlot = h("div", { class: "panel-slot" });
  const alert = formAlert();
  const buttons = actions.map((action) => button(t(`report.action_${action}`), {
    variant: action === "reject" ? "danger" : ONE_TAP.has(action) || action === "resolve" ? "primary" : "secondary",
    dataset: { action },
    onclick: async (event) => {
      if (!ONE_TAP.has(action)) {
        panelSlot.replaceChildren(actionPanel(report, action, done));
        panelSlot.querySelector("textarea")?.focus();
        return;
      }
      event.currentTarget.disabled = true;
      try {
        await api(`/reports/${report.id}/transitions`, { method: "POST", body: { action } });
        announce(t(`report.done_${action}`));
        done();
      } catch (err) {
        event.target.closest("button").disabled = false;
        alert.textContent = actionErrorText(err);
        alert.hidden = false;
      }
    },
  }));
  return h("section", { class: "card staff-actions", "aria-labelledby": "actions-title" },
    h("h2", { id: "actions-title", text: t("report.actions") }),
    h("div", { class: "actions-row" }, buttons), alert, panelSlot);
}

function contactBlock(report) {
  const who = report.reporter;
  const partner = report.contact;
  if (report.view === "staff" && !who && partner) {
    // Filed by a partner system over Open311: whoever it names is the person to call back.
    const name = [partner.last_name, partner.first_name].filter(Boolean).join("") || partner.email || "";
    return h("p", { class: "reporter" }, h("span", { text: `${t("report.reporter")}: ${name} (${partner.partner || "Open311"}) ` }),
      partner.phone ? h("a", { href: `tel:${partner.phone}`, class: "tel", text: partner.phone }) : null);
  }
  if (report.view !== "staff" || !who) return null;
  return h("p", { class: "reporter" }, h("span", { text: `${t("report.reporter")}: ${who.name} ` }),
    who.phone ? h("a", { href: `tel:${who.phone}`, class: "tel", text: who.phone }) : null,
    report.anonymous ? h("span", { class: "hint", text: ` (${t("report.anonymous")})` }) : null);
}

// --- the screen --------------------------------------------------------------------------------------------

function render(report, refresh) {
  const place = [report.grid?.name, report.community?.name].filter(Boolean).join(" · ");
  const meToo = report.view === "public" && !report.me_too && OPEN_STATUSES.has(report.status)
    ? button(t("report.me_too"), { onclick: async (event) => {
      event.currentTarget.disabled = true;
      await api(`/reports/${report.id}/me-too`, { method: "POST" }).catch(() => {});
      refresh();
    } }) : null;
  return [
    h("article", { class: "card report-detail", "aria-labelledby": "report-heading" },
      h("div", { class: "badges" }, statusBadge(report.status), warningBadge(report.warning),
        report.supervised ? h("span", { class: "badge badge-alert", text: t("report.supervised") }) : null,
        report.redo_count ? h("span", { class: "badge", text: t("report.redo_count", { n: report.redo_count }) }) : null),
      h("h2", { id: "report-heading", class: "report-heading" }, categoryIcon(report.category), " ", categoryName(report.category)),
      h("p", { class: "report-description", text: report.description }),
      photoStrip(report.photos),
      h("p", { class: "card-meta", text: [place, report.address].filter(Boolean).join(" · ") }),
      report.department ? h("p", { class: "card-meta", text: `${t("report.department")}: ${report.department.name}` }) : null,
      report.assignee ? h("p", { class: "card-meta", text: `${t("report.assignee")}: ${report.assignee.name}` }) : null,
      contactBlock(report),
      report.me_too_count ? h("p", { class: "card-meta", text: t("report.me_too_count", { n: report.me_too_count }) }) : null,
      meToo,
      report.resolution_note ? h("p", { class: "resolution" }, h("strong", { text: `${t("report.resolution")}: ` }), report.resolution_note) : null),
    report.can_rate ? ratingForm(report, refresh) : null,
    staffActions(report, refresh),
    deadlines(report),
    h("section", { class: "card", "aria-labelledby": "timeline-title" },
      h("h2", { id: "timeline-title", text: t("report.timeline") }), timeline(report.timeline || [])),
    ratingsList(report),
  ];
}

function fingerprint(report) {
  return `${report.updated_at}|${report.timeline?.length}|${report.status}|${report.warning}|${report.me_too_count}`;
}

export async function reportDetailView({ root, params, signal, rerender }) {
  const back = "/report/mine";
  setPage({ title: t("report.detail_title"), back });
  append(root, loading());
  let report;
  const load = () => api(`/reports/${encodeURIComponent(params.id)}`);
  try {
    report = await load();
  } catch (err) {
    root.replaceChildren(errorState(err, rerender));
    return;
  }
  if (signal.aborted) return;
  const body = h("div", { class: "report-page" });
  let shown = "";
  const show = (fresh) => {
    report = fresh;
    shown = fingerprint(fresh);
    body.replaceChildren(...render(fresh, refresh).filter(Boolean));
    setPage({ title: t("report.detail_title"), back: fresh.view === "staff" ? "/report/work" : back,
      documentTitle: `${categoryName(fresh.category)} #${fresh.id}` });
  };
  async function refresh() {
    try {
      show(await load());
    } catch {
      // Offline or gone: keep what is on screen.
    }
  }
  show(report);
  root.replaceChildren(body);

  // No socket here: a light poll while the page is open and visible keeps the timeline current.
  const timer = setInterval(async () => {
    if (document.visibilityState !== "visible" || body.querySelector("form[data-dirty], .action-panel")) return;
    try {
      const fresh = await load();
      if (!signal.aborted && fingerprint(fresh) !== shown) show(fresh);
    } catch {
      // Try again next tick.
    }
  }, REFRESH_MS);
  signal.addEventListener("abort", () => clearInterval(timer));
}
