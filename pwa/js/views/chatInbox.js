/** A worker's chat inbox: mine / unassigned / all, each conversation with unread count, last message and wait. */
import { api } from "../api.js";
import * as chat from "../chat.js";
import { clear, h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { badge, emptyState, errorState, loading, setPage } from "../ui.js";

const CHAT_ROLES = new Set(["grid_worker", "community_worker"]);
const SCOPES = ["mine", "unassigned", "all"];
let lastScope = "unassigned";

export function isChatStaff(me) {
  return (me?.memberships || []).some((m) => m.status === "active" && CHAT_ROLES.has(m.role));
}

function waited(iso) {
  const minutes = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60000));
  return minutes < 60 ? t("chat.wait_minutes", { n: minutes }) : t("chat.wait_hours", { n: Math.floor(minutes / 60) });
}

function row(c) {
  return h("li", { class: "inbox-item" },
    h("a", { class: "card inbox-link", href: `/messages/${c.id}`, dataset: { conversation: c.id } },
      h("div", { class: "inbox-top" },
        h("span", { class: "inbox-name", text: c.resident?.name || "" }),
        c.unread ? h("span", { class: "inbox-unread", "aria-label": t("chat.unread", { n: c.unread }), text: String(c.unread) }) : null),
      h("p", { class: "inbox-preview", text: c.last_message?.preview || c.subject || "" }),
      h("div", { class: "inbox-meta" },
        c.status === "resolved" ? badge(t("chat.status.resolved"), "ok")
          : c.waiting_since ? badge(waited(c.waiting_since), "pending") : badge(t("chat.status.open"), "neutral"),
        c.assignee ? h("span", { text: t("chat.assignee", { name: c.assignee.name }) }) : h("span", { text: t("chat.unassigned") }),
        c.grid_name ? h("span", { text: c.grid_name }) : null,
        c.last_message ? h("span", { text: formatDateTime(c.last_message.at) }) : null)));
}

export async function chatInboxView({ root, signal, rerender }) {
  setPage({ title: t("chat.inbox") });
  const tabs = h("div", { class: "inbox-tabs", role: "tablist", "aria-label": t("chat.inbox") });
  const list = h("ul", { class: "inbox-list", role: "tabpanel" });
  clear(root).append(h("section", { class: "inbox" }, tabs, list));
  const lists = {};

  function renderTabs() {
    tabs.replaceChildren(...SCOPES.map((scope) => {
      const unread = (lists[scope] || []).filter((c) => c.unread > 0).length;
      return h("button", { type: "button", role: "tab", class: "inbox-tab", "aria-selected": String(scope === lastScope),
        dataset: { scope }, onclick: () => { lastScope = scope; renderTabs(); renderList(); } },
      t(`chat.scope.${scope}`), unread ? h("span", { class: "inbox-unread", text: String(unread) }) : null);
    }));
  }

  function renderList() {
    const items = lists[lastScope];
    if (!items) return list.replaceChildren(loading());
    if (!items.length) return list.replaceChildren(emptyState(t(`chat.empty.${lastScope}`)));
    return list.replaceChildren(...items.map(row));
  }

  async function load() {
    try {
      const pages = await Promise.all(SCOPES.map((scope) => api("/conversations", { query: { scope, limit: 50 } })));
      SCOPES.forEach((scope, i) => { lists[scope] = pages[i].data; });
      renderTabs();
      renderList();
    } catch (err) {
      if (!Object.keys(lists).length) list.replaceChildren(errorState(err, rerender));
    }
  }

  renderTabs();
  renderList();
  await load();
  let timer = null;
  const off = chat.listen((type) => {
    if (type === "chat:conversation" || type === "chat:message" || type === "connect") {
      clearTimeout(timer);
      timer = setTimeout(load, 300);
    }
  });
  signal.addEventListener("abort", () => {
    off();
    clearTimeout(timer);
  });
  chat.connect().catch(() => {});
}
