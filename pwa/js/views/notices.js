/** 首页: the notice feed with search and endless scrolling, and one notice with its read receipt. */
import { api } from "../api.js";
import { append, h } from "../dom.js";
import { icon } from "../icons.js";
import { formatDate, formatDateTime, formatPercent, has, t } from "../i18n.js";
import { pagedList } from "../paged.js";
import {
  canPostNotices, hasActiveMembership, isStaff, loadMe, residentMemberships, session,
} from "../session.js";
import { actionErrorText, announce, badge, button, errorState, linkButton, loading, setPage } from "../ui.js";

const ALERT_CATEGORIES = new Set(["urgent", "safety"]);

export function categoryLabel(category) {
  return has(`category.${category}`) ? t(`category.${category}`) : category;
}

// Landlines such as 0755-27771234 and mobile numbers: one tap calls the duty phone.
const PHONE = /(0\d{2,3}-?\d{7,8}|1[3-9]\d{9})/;

/** The body as text nodes, with phone numbers as tel: links; the text is never parsed as HTML. */
function withPhoneLinks(text) {
  return (text || "").split(PHONE).map((part, i) => (i % 2
    ? h("a", { href: `tel:${part.replace(/-/g, "")}`, class: "tel", text: part })
    : part));
}

function excerpt(text, length = 60) {
  const flat = (text || "").replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}

export function noticeBadges(notice, { showStatus = false } = {}) {
  return h("div", { class: "badges" },
    notice.pinned ? badge(t("notice.pinned"), "pinned") : null,
    // A category this version has no words for gets no badge rather than a raw code.
    has(`category.${notice.category}`)
      ? badge(categoryLabel(notice.category), ALERT_CATEGORIES.has(notice.category) ? "alert" : "category") : null,
    showStatus && notice.status && notice.status !== "published"
      ? badge(t(`notice.status_${notice.status}`), "status") : null,
    notice.read === false ? badge(t("notice.unread"), "unread") : null);
}

export function noticeCard(notice, options = {}) {
  return h("li", {},
    h("a", { class: `card notice-card${notice.read === false ? " is-unread" : ""}`, href: `/notices/${notice.id}` },
      noticeBadges(notice, options),
      h("h2", { class: "card-title", text: notice.title }),
      h("p", { class: "card-excerpt", text: excerpt(notice.body) }),
      h("p", { class: "card-meta" },
        h("span", { text: notice.region?.name || "" }),
        h("span", { "aria-hidden": "true", text: " · " }),
        h("time", { datetime: notice.publish_at, text: formatDate(notice.publish_at) }))));
}

/** Tells a resident where their application stands, or invites them to join a community. */
function membershipPrompt(me, rerender) {
  if (hasActiveMembership(me)) return null;
  const pending = residentMemberships(me).filter((m) => m.status === "pending");
  if (pending.length) {
    const m = pending[0];
    return h("section", { class: "card callout callout-pending", "aria-labelledby": "pending-title" },
      icon("clock", "icon callout-icon"),
      h("h2", { id: "pending-title", text: t("join.pending_title") }),
      h("p", { text: t("join.pending_text", { community: m.region.name, unit: m.unit?.label || t("join.no_unit") }) }),
      button(t("join.check_status"), {
        variant: "secondary",
        onclick: async () => {
          await loadMe().catch(() => {});
          rerender();
        },
      }));
  }
  return h("section", { class: "card callout", "aria-labelledby": "join-title" },
    h("h2", { id: "join-title", text: t("join.invite_title") }),
    h("p", { text: t("join.invite_text") }),
    linkButton(t("join.start"), "/join", { iconName: "location" }));
}

export async function feedView({ root, signal, rerender }) {
  setPage({ title: t("feed.title") });
  // Someone waiting for approval gets the latest word each time they come back here.
  if (residentMemberships(session.me).some((m) => m.status === "pending")) await loadMe().catch(() => {});
  const me = session.me;
  let q = "";
  const feed = pagedList({
    label: t("feed.list_label"),
    emptyText: t("feed.empty"),
    signal,
    fetchPage: (cursor) => api("/notices", { query: { q, cursor, limit: 20 } }),
    renderItem: (notice) => noticeCard(notice),
  });

  const input = h("input", {
    type: "search", name: "q", id: "feed-search", enterkeyhint: "search", autocomplete: "off",
    placeholder: t("feed.search_placeholder"),
  });
  const search = h("form", { class: "search", role: "search" },
    h("label", { for: "feed-search", class: "visually-hidden", text: t("feed.search_label") }),
    input,
    button(t("feed.search"), { type: "submit", iconName: "search", class: "btn btn-primary btn-search" }));
  let timer = null;
  const run = () => {
    if (input.value.trim() === q) return;
    q = input.value.trim();
    feed.reload();
  };
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 400);
  });
  signal.addEventListener("abort", () => clearTimeout(timer));

  const staffBar = canPostNotices(me)
    ? h("div", { class: "actions-row" },
      linkButton(t("staff.compose"), "/staff/notices/new", { iconName: "plus" }),
      linkButton(t("staff.manage_notices"), "/staff/notices", { variant: "secondary" }))
    : null;

  const prompt = membershipPrompt(me, rerender);
  if (prompt) {
    // Nothing to read before joining: the invitation or the application's state is the whole screen.
    append(root, prompt);
    return;
  }
  append(root, staffBar, search, feed.element);
  feed.reload();
}

function statsBlock(stats) {
  const percent = Math.round((stats.read_rate || 0) * 100);
  const bar = h("div", { class: "rate-bar", "aria-hidden": "true" }, h("span", { class: "rate-fill" }));
  bar.firstChild.style.width = `${percent}%`;
  return h("section", { class: "card stats", "aria-labelledby": "stats-title" },
    h("h2", { id: "stats-title", text: t("stats.title") }),
    h("p", { class: "stats-rate", text: formatPercent(stats.read_rate) }),
    bar,
    h("p", { text: t("stats.counts", { read: stats.read_count, audience: stats.audience_count }) }));
}

function manageActions(notice, rerender) {
  const message = h("p", { class: "form-alert", role: "alert", hidden: true });
  const actions = h("div", { class: "actions-row" },
    linkButton(t("staff.edit"), `/staff/notices/${notice.id}/edit`, { variant: "secondary" }));
  if (notice.status !== "withdrawn") {
    const withdraw = button(t("staff.withdraw"), { variant: "danger" });
    let armed = false;
    withdraw.addEventListener("click", async () => {
      // Two taps instead of a pop-up dialog: clearer on a phone and for older users.
      if (!armed) {
        armed = true;
        withdraw.querySelector("span").textContent = t("staff.withdraw_confirm");
        announce(t("staff.withdraw_confirm"));
        return;
      }
      withdraw.disabled = true;
      try {
        await api(`/notices/${notice.id}`, { method: "DELETE" });
        announce(t("staff.withdrawn"));
        rerender();
      } catch (err) {
        withdraw.disabled = false;
        message.textContent = actionErrorText(err);
        message.hidden = false;
      }
    });
    actions.append(withdraw);
  }
  return h("div", { class: "manage" }, message, actions);
}

export async function noticeView({ root, params, rerender }) {
  setPage({ title: t("notice.title"), back: "/" });
  append(root, loading());
  let notice;
  try {
    notice = await api(`/notices/${encodeURIComponent(params.id)}`);
  } catch (err) {
    root.replaceChildren(errorState(err, rerender));
    return;
  }
  const meta = h("dl", { class: "notice-meta" },
    h("dt", { text: t("notice.region") }), h("dd", { text: notice.region?.name || "" }),
    h("dt", { text: t("notice.author") }), h("dd", { text: notice.author?.name || "" }),
    h("dt", { text: t("notice.published") }),
    h("dd", {}, h("time", { datetime: notice.publish_at, text: formatDateTime(notice.publish_at) })),
    notice.expires_at ? h("dt", { text: t("notice.expires") }) : null,
    notice.expires_at
      ? h("dd", {}, h("time", { datetime: notice.expires_at, text: formatDateTime(notice.expires_at) })) : null);
  const article = h("article", { class: "card notice-detail", "aria-labelledby": "notice-heading" },
    noticeBadges({ ...notice, read: true }, { showStatus: true }),
    h("h2", { id: "notice-heading", class: "notice-heading", text: notice.title }),
    meta,
    h("div", { class: "notice-body" }, withPhoneLinks(notice.body)));
  root.replaceChildren(article);
  setPage({ title: t("notice.title"), back: "/", documentTitle: notice.title });
  if (!notice.read) api(`/notices/${notice.id}/read`, { method: "POST" }).catch(() => {});

  if (isStaff(session.me)) {
    try {
      append(root, statsBlock(await api(`/notices/${notice.id}/stats`)));
    } catch {
      // Not a region they serve (or offline): the notice alone is enough.
    }
  }
  if (notice.can_edit) append(root, manageActions(notice, rerender));
  append(root, h("p", { class: "back-row" }, linkButton(t("common.back_home"), "/", { variant: "secondary" })));
}
