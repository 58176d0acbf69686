/** The staff side: review residents' applications, and write, schedule, edit and manage notices. */
import { api } from "../api.js";
import { append, h } from "../dom.js";
import {
  formatDate, formatDateTime, isoToLocalInput, localInputToIso, t,
} from "../i18n.js";
import { pagedList } from "../paged.js";
import { regionTree, servedCommunities, servedRegions } from "../regions.js";
import { navigate } from "../router.js";
import { MEMBERSHIP_ROLES, NOTICE_ROLES, session } from "../session.js";
import {
  actionErrorText, announce, busy, button, checkbox, clearErrors, emptyState, errorState, field, formAlert,
  linkButton, loading, setPage, showFieldErrors, showFormError,
} from "../ui.js";
import { categoryLabel, noticeCard } from "./notices.js";

// As app/notices/schemas.py CATEGORIES.
export const CATEGORIES = ["general", "urgent", "event", "safety", "service", "policy"];
const STATUS_FILTERS = ["", "scheduled", "expired", "withdrawn", "all"];

function applicationItem(application, onDone) {
  const message = h("p", { class: "form-alert", role: "alert", hidden: true });
  const reason = field({ name: "reason", label: t("staff.reject_reason"), multiline: true, maxlength: 200, rows: 2 });
  const rejectForm = h("form", { class: "reject-form", hidden: true, novalidate: true }, reason,
    h("div", { class: "actions-row" },
      button(t("staff.reject_confirm"), { type: "submit", variant: "danger" }),
      button(t("common.cancel"), { variant: "secondary", onclick: () => toggleReject(false) })));
  const approve = button(t("staff.approve"), { iconName: "check" });
  const reject = button(t("staff.reject"), { variant: "secondary", onclick: () => toggleReject(true) });
  const who = application.user;
  const item = h("li", { class: "card application" },
    h("h2", { class: "card-title", text: who.name }),
    h("dl", { class: "notice-meta" },
      h("dt", { text: t("staff.phone") }), h("dd", { text: who.phone }),
      h("dt", { text: t("staff.unit") }), h("dd", { text: application.unit?.label || t("join.no_unit") }),
      h("dt", { text: t("staff.applied_at") }),
      h("dd", {}, h("time", { datetime: application.created_at, text: formatDateTime(application.created_at) }))),
    message,
    h("div", { class: "actions-row decision" }, approve, reject),
    rejectForm);

  function toggleReject(open) {
    rejectForm.hidden = !open;
    item.querySelector(".decision").hidden = open;
    if (open) rejectForm.querySelector("textarea").focus();
  }

  async function decide(action, body, doneText) {
    busy(item, true);
    message.hidden = true;
    try {
      await api(`/memberships/${application.id}/${action}`, { method: "POST", body });
      announce(doneText);
      onDone(item);
    } catch (err) {
      busy(item, false);
      message.textContent = actionErrorText(err);
      message.hidden = false;
    }
  }

  approve.addEventListener("click", () => decide("approve", {}, t("staff.approved", { name: who.name })));
  rejectForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = rejectForm.querySelector("textarea").value.trim();
    decide("reject", text ? { reason: text } : {}, t("staff.rejected", { name: who.name }));
  });
  return item;
}

export async function applicationsView({ root, signal, query, rerender }) {
  setPage({ title: t("staff.applications"), back: "/me" });
  append(root, loading());
  let communities;
  try {
    communities = servedCommunities(await regionTree(), session.me, MEMBERSHIP_ROLES).map((row) => row.node);
  } catch (err) {
    root.replaceChildren(errorState(err, rerender));
    return;
  }
  if (!communities.length) {
    root.replaceChildren(emptyState(t("staff.no_communities")));
    return;
  }
  const chosen = communities.find((c) => String(c.id) === query.get("community")) || communities[0];
  const list = pagedList({
    label: t("staff.applications_label", { community: chosen.name }),
    emptyText: t("staff.no_applications"),
    signal,
    fetchPage: (cursor) => api(`/communities/${chosen.id}/memberships`, { query: { status: "pending", cursor } }),
    renderItem: (application) => applicationItem(application, (item) => list.remove(item)),
  });
  const picker = communities.length > 1
    ? h("div", { class: "card" }, field({
      name: "community", label: t("staff.community"),
      options: communities.map((c) => ({ value: c.id, label: c.name, selected: c.id === chosen.id })),
    }))
    : h("p", { class: "lead" }, h("strong", { text: chosen.name }));
  picker.querySelector("select")?.addEventListener("change", (event) => {
    navigate(`/staff/applications?community=${event.target.value}`, { replace: true });
  });
  root.replaceChildren(picker, list.element);
  list.reload();
}

export async function manageNoticesView({ root, signal, query }) {
  setPage({ title: t("staff.manage_notices"), back: "/me" });
  const status = STATUS_FILTERS.includes(query.get("status")) ? query.get("status") : "";
  const filters = h("nav", { class: "filters", "aria-label": t("staff.filter_label") },
    STATUS_FILTERS.map((value) => h("a", {
      class: "chip",
      href: value ? `/staff/notices?status=${value}` : "/staff/notices",
      "aria-current": value === status ? "page" : null,
      text: t(`staff.filter_${value || "published"}`),
    })));
  const list = pagedList({
    label: t("staff.manage_notices"),
    emptyText: t("staff.no_notices"),
    signal,
    fetchPage: (cursor) => api("/notices", { query: { status, cursor, limit: 20 } }),
    renderItem: (notice) => noticeCard(notice, { showStatus: true }),
  });
  append(root, 
    h("div", { class: "actions-row" }, linkButton(t("staff.compose"), "/staff/notices/new", { iconName: "plus" })),
    filters, list.element);
  list.reload();
}

function regionOptions(rows, selectedId) {
  return rows.map(({ node, depth }) => ({
    value: node.id,
    label: `${"\u3000".repeat(depth)}${node.name}（${t(`level.${node.level}`)}）`,
    selected: node.id === selectedId,
  }));
}

export async function composeView({ root, params, rerender }) {
  const editing = params.id !== undefined;
  setPage({ title: editing ? t("staff.edit_title") : t("staff.compose"), back: editing ? `/notices/${params.id}` : "/" });
  append(root, loading());
  let rows;
  let notice = null;
  try {
    rows = servedRegions(await regionTree(), session.me, NOTICE_ROLES);
    if (editing) notice = await api(`/notices/${encodeURIComponent(params.id)}`);
  } catch (err) {
    root.replaceChildren(errorState(err, rerender));
    return;
  }
  if (!rows.length) {
    root.replaceChildren(emptyState(t("staff.no_regions")));
    return;
  }
  const categories = CATEGORIES.includes(notice?.category) || !notice ? CATEGORIES : [...CATEGORIES, notice.category];
  const alert = formAlert();
  const form = h("form", { class: "card form", novalidate: true },
    alert,
    field({ name: "title", label: t("compose.title"), maxlength: 120, required: true, value: notice?.title || "" }),
    field({ name: "body", label: t("compose.body"), multiline: true, rows: 8, required: true, value: notice?.body || "" }),
    field({ name: "region_id", label: t("compose.region"), hint: t("compose.region_hint"),
      options: regionOptions(rows, notice?.region?.id ?? rows[0].node.id), disabled: editing || null }),
    field({ name: "category", label: t("compose.category"),
      options: categories.map((c) => ({ value: c, label: categoryLabel(c), selected: c === (notice?.category || "general") })) }),
    checkbox({ name: "pinned", label: t("compose.pinned"), checked: Boolean(notice?.pinned) }),
    field({ name: "publish_at", label: t("compose.publish_at"), type: "datetime-local", hint: t("compose.publish_at_hint"),
      value: editing ? isoToLocalInput(notice.publish_at) : "" }),
    field({ name: "expires_at", label: t("compose.expires_at"), type: "datetime-local", hint: t("compose.expires_at_hint"),
      value: isoToLocalInput(notice?.expires_at) }),
    button(editing ? t("compose.save") : t("compose.publish"), { type: "submit", class: "btn btn-primary btn-block" }));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const data = new FormData(form);
    const body = {
      title: data.get("title").trim(),
      body: data.get("body").trim(),
      category: data.get("category"),
      pinned: data.get("pinned") === "on",
      expires_at: localInputToIso(data.get("expires_at")),
    };
    if (data.get("publish_at")) body.publish_at = localInputToIso(data.get("publish_at"));
    if (!editing) body.region_id = Number(data.get("region_id"));
    const errors = {};
    if (!body.title) errors.title = t("compose.title_required");
    if (!body.body) errors.body = t("compose.body_required");
    if (body.expires_at && new Date(body.expires_at) <= new Date(body.publish_at || Date.now())) {
      errors.expires_at = t("compose.expires_before_publish");
    }
    if (showFieldErrors(form, errors)) return;
    if (!editing && body.expires_at === null) delete body.expires_at;
    busy(form, true);
    try {
      const saved = await api(editing ? `/notices/${notice.id}` : "/notices", {
        method: editing ? "PATCH" : "POST", body,
      });
      announce(editing ? t("compose.saved") : t("compose.published"));
      navigate(`/notices/${saved.id}`, { replace: true });
    } catch (err) {
      busy(form, false);
      showFormError(form, err);
    }
  });
  root.replaceChildren(form);
  if (editing) {
    append(root, h("p", { class: "hint", text: t("compose.status_line", {
      status: t(`notice.status_${notice.status}`), date: formatDate(notice.publish_at) }) }));
  }
}
