/** A worker's chat inbox: mine / unassigned / all, each conversation with unread count, last message and wait. */
import { api } from "../api.js";
import * as chat from "../chat.js";
import { clear, h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { session } from "../session.js";
import { actionErrorText, announce, badge, emptyState, errorState, loading, setPage } from "../ui.js";

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

/** A 1–5 rating as five stars, the given ones filled. */
export function stars(n) {
  return "★".repeat(n) + "☆".repeat(5 - n);
}

/** The worker's own on/off duty switch: off duty, their grid's conversations go to the whole community. */
function dutySwitch() {
  const box = h("input", { type: "checkbox", role: "switch", id: "chat-duty", disabled: true });
  const hint = h("p", { class: "chat-duty-hint", id: "chat-duty-hint" });
  const show = (state) => {
    box.checked = state.on_duty;
    box.disabled = false;
    hint.textContent = t(state.on_duty ? "chat.duty.on_hint" : "chat.duty.off_hint", { m: state.share_after_minutes });
  };
  box.setAttribute("aria-describedby", hint.id);
  box.addEventListener("change", async () => {
    box.disabled = true;
    try {
      show(await api("/chat/duty", { method: "PUT", body: { on_duty: box.checked } }));
      announce(t(box.checked ? "chat.duty.now_on" : "chat.duty.now_off"));
    } catch (err) {
      box.checked = !box.checked;
      box.disabled = false;
      hint.textContent = actionErrorText(err);
    }
  });
  const load = () => api("/chat/duty").then(show).catch((err) => {
    hint.textContent = actionErrorText(err);
    addEventListener("online", load, { once: true });
  });
  load();
  return h("div", { class: "card chat-duty" },
    h("span", { class: "check" }, box, h("label", { for: "chat-duty", text: t("chat.duty.label") })), hint);
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
        c.rating ? h("span", { class: "inbox-rating", text: t("chat.rating_short", { stars: stars(c.rating.rating) }) }) : null,
        c.last_message ? h("span", { text: formatDateTime(c.last_message.at) }) : null)));
}

export async function chatInboxView({ root, signal, rerender }) {
  setPage({ title: t("chat.inbox") });
  const tabs = h("div", { class: "inbox-tabs", role: "tablist", "aria-label": t("chat.inbox") });
  const list = h("ul", { class: "inbox-list", role: "tabpanel" });
  const gridWorker = (session.me?.memberships || []).some((m) => m.status === "active" && m.role === "grid_worker");
  clear(root).append(h("section", { class: "inbox" }, gridWorker ? dutySwitch() : null, tabs, list));
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
