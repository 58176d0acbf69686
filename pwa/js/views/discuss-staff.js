/** 议事 for the committee and workers: post and edit a consultation (with photos), open or close it, hide a
 * comment with a reason, publish the outcome and add follow-through. Mirrors app/consultations/access.py. */
import { api, tokens } from "../api.js";
import { append, h } from "../dom.js";
import { isoToLocalInput, localInputToIso, t } from "../i18n.js";
import { regionTree, servedRegions } from "../regions.js";
import { navigate } from "../router.js";
import { session, staffMemberships } from "../session.js";
import {
  actionErrorText, announce, busy, button, checkbox, clearErrors, emptyState, errorState, field, formAlert,
  loading, setPage, showFieldErrors, showFormError,
} from "../ui.js";

export const CONSULT_ROLES = new Set(["committee", "community_worker", "street_staff", "admin"]);
const DAY = 24 * 3600 * 1000;

export function canConsult(me) {
  return staffMemberships(me, CONSULT_ROLES).length > 0;
}

function smallForm(className, ...children) {
  return h("form", { class: `staff-form ${className}`, novalidate: true }, ...children);
}

async function submitting(form, work) {
  const alert = form.querySelector(".form-alert");
  alert.hidden = true;
  busy(form, true);
  try {
    await work();
  } catch (err) {
    busy(form, false);
    alert.textContent = actionErrorText(err);
    alert.hidden = false;
  }
}

export function hideForm(c, comment, onDone) {
  const reason = h("input", { type: "text", name: "reason", maxlength: 300, required: true,
    "aria-label": t("discuss.hide_reason"), placeholder: t("discuss.hide_reason") });
  const form = smallForm("hide-form", reason, formAlert(), button(t("discuss.hide_confirm"), { type: "submit", variant: "danger" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!reason.value.trim()) {
      reason.focus();
      return;
    }
    submitting(form, async () => {
      await api(`/consultations/${c.id}/comments/${comment.id}/hide`, { method: "POST", body: { reason: reason.value.trim() } });
      announce(t("discuss.hidden_done"));
      onDone();
    });
  });
  setTimeout(() => reason.focus(), 0);
  return form;
}

function moveButton(c, action, refresh) {
  const form = smallForm("move-form", formAlert(),
    button(t(`discuss.action_${action}`), { type: "submit", variant: action === "open" ? "primary" : "secondary" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(form, async () => {
      await api(`/consultations/${c.id}/transitions`, { method: "POST", body: { action } });
      announce(t(`discuss.moved_${action}`));
      refresh();
    });
  });
  return form;
}

function outcomeForm(c, refresh) {
  const form = smallForm("card outcome-form",
    h("h2", { text: t("discuss.publish_outcome") }),
    h("p", { class: "hint", text: t("discuss.outcome_hint") }),
    field({ name: "outcome", label: t("discuss.outcome_text"), multiline: true, rows: 5, maxlength: 5000 }),
    formAlert(),
    button(t("discuss.publish"), { type: "submit" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = form.querySelector("textarea").value.trim();
    if (!body) {
      showFieldErrors(form, { outcome: t("discuss.need_text") });
      return;
    }
    submitting(form, async () => {
      await api(`/consultations/${c.id}/outcome`, { method: "POST", body: { body } });
      announce(t("discuss.outcome_published"));
      refresh();
    });
  });
  return form;
}

function followupForm(c, refresh) {
  const items = [{ value: "", label: t("discuss.followup_new_item") },
    ...c.followups.map((i) => ({ value: i.id, label: t("discuss.followup_update_of", { item: i.body }) }))];
  const form = smallForm("card followup-form",
    h("h2", { text: t("discuss.add_followup") }),
    field({ name: "item_id", label: t("discuss.followup_item"), options: items }),
    field({ name: "body", label: t("discuss.followup_text"), multiline: true, rows: 2, maxlength: 2000 }),
    field({ name: "progress", label: t("discuss.followup_progress"), type: "number", min: 0, max: 100, step: 1,
      inputmode: "numeric", value: "0" }),
    formAlert(),
    button(t("discuss.followup_save"), { type: "submit" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const data = new FormData(form);
    const body = String(data.get("body")).trim();
    const progress = Number(data.get("progress"));
    const errors = {};
    if (!body) errors.body = t("discuss.need_text");
    if (!Number.isInteger(progress) || progress < 0 || progress > 100) errors.progress = t("discuss.progress_range");
    if (showFieldErrors(form, errors)) return;
    const payload = { body, progress };
    if (data.get("item_id")) payload.item_id = Number(data.get("item_id"));
    submitting(form, async () => {
      await api(`/consultations/${c.id}/followups`, { method: "POST", body: payload });
      announce(t("discuss.followup_saved"));
      refresh();
    });
  });
  return form;
}

/** What the consultation's own staff may do next, by its status. */
export function staffPanel(c, refresh) {
  const row = h("div", { class: "actions-row" });
  if (c.status === "draft" || c.status === "open") {
    row.append(h("a", { class: "btn btn-secondary", href: `/discuss/${c.id}/edit` }, h("span", { text: t("discuss.edit") })));
  }
  if (c.status === "draft") row.append(moveButton(c, "open", refresh));
  if (c.status === "open") row.append(moveButton(c, "close", refresh));
  return h("section", { class: "manage discuss-staff", "aria-label": t("discuss.staff_tools") },
    row,
    c.status === "open" || c.status === "closed" ? outcomeForm(c, refresh) : null,
    c.status === "outcome_published" ? followupForm(c, refresh) : null);
}

// --- posting and editing -----------------------------------------------------------------------------------

/** POST /uploads takes multipart form data, which api() does not send; the access token goes along. */
async function uploadPhoto(file) {
  const data = new FormData();
  data.append("file", file);
  const response = await fetch("/api/v1/uploads", {
    method: "POST", body: data, headers: { Authorization: `Bearer ${tokens.get()?.access}` },
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw Object.assign(new Error("upload"), { status: response.status, code: body?.error?.code });
  return body.id;
}

function regionOptions(rows, selectedId) {
  return rows.map(({ node, depth }) => ({
    value: node.id,
    label: `${"\u3000".repeat(depth)}${node.name}（${t(`level.${node.level}`)}）`,
    selected: node.id === selectedId,
  }));
}

export async function consultationFormView({ root, params, rerender }) {
  const editing = params.id !== undefined;
  const back = editing ? `/discuss/${params.id}` : "/discuss";
  setPage({ title: editing ? t("discuss.edit") : t("discuss.new"), back });
  append(root, loading());
  let rows;
  let c = null;
  try {
    rows = servedRegions(await regionTree(), session.me, CONSULT_ROLES);
    if (editing) c = await api(`/consultations/${encodeURIComponent(params.id)}`);
  } catch (err) {
    root.replaceChildren(errorState(err, rerender));
    return;
  }
  if (!rows.length) {
    root.replaceChildren(emptyState(t("discuss.no_regions")));
    return;
  }
  const now = Date.now();
  const closes = c?.closes_at || new Date(now + 7 * DAY).toISOString();
  const due = c?.outcome_due_at || new Date(now + 14 * DAY).toISOString();
  const files = h("input", { type: "file", name: "photos", accept: "image/*", multiple: true, id: "discuss-photos" });
  const form = h("form", { class: "card form", novalidate: true },
    formAlert(),
    field({ name: "title", label: t("discuss.form_title"), maxlength: 120, required: true, value: c?.title || "" }),
    field({ name: "body", label: t("discuss.form_body"), hint: t("discuss.form_body_hint"), multiline: true, rows: 8,
      required: true, value: c?.body || "" }),
    field({ name: "region_id", label: t("discuss.form_region"), hint: t("discuss.form_region_hint"),
      options: regionOptions(rows, c?.region.id ?? rows[0].node.id), disabled: editing || null }),
    field({ name: "closes_at", label: t("discuss.form_closes_at"), type: "datetime-local", required: true,
      hint: t("discuss.form_closes_hint"), value: isoToLocalInput(closes) }),
    field({ name: "outcome_due_at", label: t("discuss.form_due"), type: "datetime-local", required: true,
      hint: t("discuss.form_due_hint"), value: isoToLocalInput(due) }),
    h("div", { class: "field", dataset: { field: "photo_ids" } },
      h("label", { for: "discuss-photos", text: editing ? t("discuss.form_more_photos") : t("discuss.form_photos") }),
      files,
      h("p", { class: "field-error", hidden: true })),
    editing ? null : checkbox({ name: "open", label: t("discuss.form_open_now"), checked: true }),
    button(editing ? t("discuss.form_save") : t("discuss.form_create"), { type: "submit", class: "btn btn-primary btn-block" }));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const data = new FormData(form);
    const body = {
      title: String(data.get("title")).trim(),
      body: String(data.get("body")).trim(),
      closes_at: localInputToIso(data.get("closes_at")),
      outcome_due_at: localInputToIso(data.get("outcome_due_at")),
    };
    const errors = {};
    if (body.title.length < 2) errors.title = t("discuss.need_title");
    if (!body.body) errors.body = t("discuss.need_text");
    if (!body.closes_at) errors.closes_at = t("discuss.need_date");
    if (!body.outcome_due_at) errors.outcome_due_at = t("discuss.need_date");
    else if (body.closes_at && new Date(body.outcome_due_at) < new Date(body.closes_at)) errors.outcome_due_at = t("discuss.due_before_close");
    if (showFieldErrors(form, errors)) return;
    busy(form, true);
    try {
      const photoIds = [];
      for (const file of files.files) photoIds.push(await uploadPhoto(file));
      if (photoIds.length) body.photo_ids = editing ? [...c.photos.map((p) => p.id), ...photoIds] : photoIds;
      if (!editing) {
        body.region_id = Number(data.get("region_id"));
        body.open = data.get("open") === "on";
      }
      const saved = await api(editing ? `/consultations/${c.id}` : "/consultations", {
        method: editing ? "PATCH" : "POST", body,
      });
      announce(t("discuss.saved"));
      navigate(`/discuss/${saved.id}`, { replace: true });
    } catch (err) {
      busy(form, false);
      showFormError(form, err);
    }
  });
  root.replaceChildren(form);
}
