/** The 消息 tab: a resident's conversation with their community, and one conversation in a worker's inbox. */
import { api } from "../api.js";
import * as chat from "../chat.js";
import { append, clear, h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { icon } from "../icons.js";
import { session } from "../session.js";
import { actionErrorText, announce, badge, button, emptyState, errorState, errorText, loading, setPage } from "../ui.js";
import { chatInboxView, isChatStaff, stars } from "./chatInbox.js";

const PAGE = 30;
const OLDER_AT_PX = 48;
const CANNED_MAX = 1000;
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 5000;

/** /messages: a worker's inbox, or the resident's own conversation. */
export async function chatHomeView(ctx) {
  if (isChatStaff(session.me)) return chatInboxView(ctx);
  setPage({ title: t("nav.messages") });
  ctx.root.append(loading());
  let conv;
  try {
    conv = await api("/conversations", { method: "POST", body: {} });
    chat.rememberMine(conv.id);
  } catch (err) {
    const cached = err.offline ? chat.recall(chat.recallMine()) : null;
    if (!cached) {
      clear(ctx.root).append(err.code === "not_a_resident"
        ? emptyState(t("chat.not_resident"), h("a", { class: "btn btn-primary", href: "/join", text: t("chat.join") }))
        : errorState(err, ctx.rerender));
      return;
    }
    conv = cached.conversation;
  }
  return conversationScreen(ctx, conv, "resident");
}

/** /messages/:id: one conversation (a worker's, or the resident's own). */
export async function chatConversationView(ctx) {
  setPage({ title: t("nav.messages"), back: "/messages" });
  ctx.root.append(loading());
  const id = Number(ctx.params.id);
  let conv;
  try {
    conv = await api(`/conversations/${id}`);
  } catch (err) {
    const cached = err.offline ? chat.recall(id) : null;
    if (!cached) {
      clear(ctx.root).append(errorState(err, ctx.rerender));
      return;
    }
    conv = cached.conversation;
  }
  return conversationScreen(ctx, conv, conv.resident?.id === session.me?.id ? "resident" : "staff");
}

/** The worker's photo, or the first character of their name (also when a link kept offline has expired). */
function workerAvatar(w) {
  const letter = () => h("span", { class: "worker-avatar", "aria-hidden": "true", text: (w.name || "?").slice(0, 1) });
  if (!w.photo_url) return letter();
  const avatar = h("span", { class: "worker-avatar" });
  avatar.append(h("img", { src: w.photo_url, alt: w.name, onerror: () => avatar.replaceWith(letter()) }));
  return avatar;
}

function conversationScreen({ root, signal }, initial, side) {
  let conv = initial;
  const staff = side === "staff";
  const msgs = new Map();
  const notes = new Map();
  let cursor = 0;
  let noteCursor = 0;
  let oldest = null;
  let hasOlder = false;
  let othersRead = staff ? conv.resident_read_seq : conv.staff_read_seq;
  let typingTimer = null;
  let lastTypingSent = 0;

  if (staff) setPage({ title: conv.resident?.name || t("nav.messages"), back: "/messages" });
  const log = h("ol", { class: "chat-log", role: "log", "aria-live": "polite", "aria-label": t("chat.log") });
  const typingLine = h("p", { class: "chat-typing", hidden: true });
  const status = h("p", { class: "chat-status", role: "status" });
  const older = button(t("chat.older"), { variant: "secondary", class: "btn btn-secondary chat-older", hidden: true });
  const head = h("div", { class: "chat-head" });
  const rating = h("div", { class: "chat-rating", hidden: true });
  const composer = buildComposer();
  const screen = h("section", { class: `chat chat-${side}` }, head, older, log, typingLine, rating, status, composer.form);
  clear(root).append(screen);

  function merge(m) {
    if (m.conversation_id !== conv.id) return false;
    if (m.internal) {
      notes.set(m.seq, m);
      while (notes.has(noteCursor + 1)) noteCursor += 1;
      noteCursor = Math.max(noteCursor, m.seq);
      return true;
    }
    if (msgs.has(m.seq)) return false;
    msgs.set(m.seq, m);
    if (oldest === null || m.seq < oldest) oldest = m.seq;
    if (cursor === 0 && msgs.size === 1) cursor = m.seq;
    while (msgs.has(cursor + 1)) cursor += 1;
    return true;
  }

  function ordered() {
    const all = [...msgs.values()];
    if (staff) all.push(...notes.values());
    all.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id - b.id));
    const sentIds = new Set(all.map((m) => m.client_id).filter(Boolean));
    const pending = chat.outbox(conv.id).filter((m) => !sentIds.has(m.client_id));
    return [...all, ...pending.map((p) => ({ ...p, pending: true, sender: { id: session.me?.id, side } }))];
  }

  function bubble(m) {
    const mine = m.sender?.id === session.me?.id;
    const kind = m.pending ? "mine" : m.kind !== "text" ? "system" : m.internal ? "note" : mine ? "mine" : "theirs";
    let tick = null;
    if (mine && !m.internal) {
      tick = m.failed ? t("chat.failed") : m.pending ? t(chat.connected() ? "chat.sending" : "chat.waiting")
        : m.seq <= othersRead ? t("chat.read") : t("chat.delivered");
    }
    const who = kind === "theirs" ? m.sender?.name : kind === "note" ? `${t("chat.note")} · ${m.sender?.name}` : null;
    return h("li", { class: `msg msg-${kind}`, dataset: { seq: m.seq ?? "", clientId: m.client_id || "" } },
      who ? h("span", { class: "msg-who", text: who }) : null,
      m.body ? h("p", { class: "msg-body", text: m.body }) : null,
      (m.attachments || []).map((a) => h("a", { href: a.url, target: "_blank", rel: "noopener", class: "msg-photo" },
        h("img", { src: a.thumb_url, alt: t("chat.photo"), loading: "lazy" }))),
      (m.attachment_ids || []).length && m.pending ? h("span", { class: "msg-meta", text: t("chat.photo") }) : null,
      h("span", { class: "msg-meta" }, m.created_at ? formatDateTime(m.created_at) : "", tick ? ` · ${tick}` : ""),
      m.failed ? failedActions(m) : null);
  }

  /** A message the server refused for good: why, and the writer's choice to send it again or delete it. */
  function failedActions(m) {
    return h("span", { class: "msg-failed" },
      h("span", { class: "msg-meta", text: errorText(m.failed) }),
      button(t("chat.resend"), { variant: "secondary", onclick: () => chat.resend(m.client_id) }),
      button(t("chat.discard"), { variant: "secondary", onclick: () => chat.discard(m.client_id) }));
  }

  function render() {
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    log.replaceChildren(...ordered().map(bubble));
    older.hidden = !hasOlder;
    renderHead();
    renderRating();
    chat.remember(conv, [...msgs.values()].sort((a, b) => a.seq - b.seq));
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  function renderHead() {
    clear(head);
    if (!staff) {
      const w = conv.worker;
      if (w) {
        append(head, h("div", { class: "card worker-card" },
          workerAvatar(w),
          h("div", { class: "worker-main" },
            h("p", { class: "worker-name", text: w.name }),
            h("p", { class: "worker-grid", text: w.grid || w.community }),
            w.on_duty === false ? h("p", { class: "worker-away", text: t("chat.worker_away") }) : null),
          h("a", { class: "btn btn-secondary worker-call", href: `tel:${w.phone}`, "aria-label": t("chat.call", { name: w.name }) },
            h("span", { text: w.phone }))));
      } else {
        append(head, h("p", { class: "card worker-card", text: t("chat.community_office") }));
      }
      return;
    }
    const mineNow = conv.assignee?.id === session.me?.id;
    const actions = h("div", { class: "chat-actions" },
      badge(t(`chat.status.${conv.status}`), conv.status === "open" ? "pending" : "ok"),
      conv.rating ? h("span", { class: "chat-csat", text: t("chat.rating_short", { stars: stars(conv.rating.rating) }) }) : null,
      conv.assignee ? h("span", { class: "chat-assignee", text: t("chat.assignee", { name: conv.assignee.name }) }) : null,
      !conv.assignee ? button(t("chat.claim"), { variant: "secondary", onclick: () => step("claim") }) : null,
      conv.status === "open" ? button(t("chat.resolve"), { variant: "secondary", onclick: () => step("resolve") }) : null,
      conv.status === "resolved" ? button(t("chat.reopen"), { variant: "secondary", onclick: () => step("reopen") }) : null);
    const colleagues = (conv.colleagues || []).filter((c) => c.id !== conv.assignee?.id);
    if (colleagues.length && conv.status === "open" && (mineNow || !conv.assignee)) {
      const select = h("select", { class: "chat-transfer-to", "aria-label": t("chat.transfer_to") },
        colleagues.map((c) => h("option", { value: c.id, text: c.on_duty === false ? t("chat.away_name", { name: c.name }) : c.name })));
      append(actions, h("span", { class: "chat-transfer" }, select,
        button(t("chat.transfer"), { variant: "secondary", onclick: () => step("transfer", { to_user_id: Number(select.value) }) })));
    }
    append(head, actions);
  }

  function renderRating() {
    clear(rating);
    rating.hidden = staff || conv.status !== "resolved";
    if (rating.hidden) return;
    if (conv.rating) {
      append(rating, h("p", { text: t("chat.rated", { stars: stars(conv.rating.rating) }) }));
      return;
    }
    append(rating, h("p", { text: t("chat.rate_prompt") }), h("div", { class: "stars" },
      [1, 2, 3, 4, 5].map((n) => button("★".repeat(n), {
        variant: "secondary", "aria-label": t("chat.stars", { n }),
        onclick: async () => {
          try {
            conv = await api(`/conversations/${conv.id}/rating`, { method: "POST", body: { rating: n } });
            announce(t("chat.thanks"));
            render();
          } catch (err) {
            status.textContent = actionErrorText(err);
          }
        } }))));
  }

  async function step(name, body = {}) {
    try {
      conv = await api(`/conversations/${conv.id}/${name}`, { method: "POST", body });
      announce(t(`chat.done.${name}`));
      render();
    } catch (err) {
      status.textContent = actionErrorText(err);
    }
  }

  function buildComposer() {
    const text = h("textarea", { name: "body", rows: 1, maxlength: 2000, "aria-label": t("chat.write"), placeholder: t("chat.write") });
    const file = h("input", { type: "file", accept: "image/*", class: "visually-hidden", id: "chat-photo" });
    const note = staff ? h("input", { type: "checkbox", id: "chat-note", name: "internal" }) : null;
    const canned = staff ? h("select", { class: "chat-canned", "aria-label": t("chat.canned") },
      h("option", { value: "", text: t("chat.canned") })) : null;
    const saving = staff ? cannedSaver(canned, () => text.value.trim()) : null;
    const form = h("form", { class: "chat-composer" },
      staff ? h("div", { class: "chat-tools" }, canned, saving.open,
        h("span", { class: "check" }, note, h("label", { for: "chat-note", text: t("chat.note_toggle") }))) : null,
      saving?.form,
      h("div", { class: "chat-row" },
        h("label", { class: "btn btn-secondary chat-photo-btn", for: "chat-photo", title: t("chat.photo") },
          icon("camera"), h("span", { class: "visually-hidden", text: t("chat.photo") })), file,
        text, button(t("chat.send"), { type: "submit", class: "btn btn-primary chat-send" })));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = text.value.trim();
      if (!body) return;
      chat.queue(conv.id, body, { internal: Boolean(note?.checked) });
      text.value = "";
      chat.typing(conv.id, false);
      render();
      log.scrollTop = log.scrollHeight;
    });
    text.addEventListener("input", () => {
      const now = Date.now();
      if (now - lastTypingSent > TYPING_EVERY_MS) {
        lastTypingSent = now;
        chat.typing(conv.id, true, Boolean(note?.checked));
      }
    });
    file.addEventListener("change", async () => {
      const chosen = file.files?.[0];
      file.value = "";
      if (!chosen) return;
      status.textContent = t("chat.uploading");
      try {
        const id = await chat.uploadPhoto(chosen);
        chat.queue(conv.id, "", { attachmentIds: [id] });
        status.textContent = "";
      } catch (err) {
        status.textContent = actionErrorText(err);
      }
      render();
    });
    if (canned) {
      api("/canned-replies").then((replies) => {
        for (const r of replies) canned.append(h("option", { value: r.body, text: `${r.shortcut}：${r.body}` }));
      }).catch(() => {});
      canned.addEventListener("change", () => {
        if (canned.value) text.value = canned.value;
        canned.value = "";
        text.focus();
      });
    }
    return { form, text };
  }

  /** "Save as a canned reply": what is written in the composer, under a short name the worker gives it. */
  function cannedSaver(canned, written) {
    const name = h("input", { type: "text", maxlength: 30, class: "chat-canned-name", "aria-label": t("chat.canned_name"),
      placeholder: t("chat.canned_name") });
    const save = button(t("chat.canned_save"), { variant: "primary", class: "btn btn-primary chat-canned-store" });
    const box = h("div", { class: "chat-canned-new", hidden: true }, name, save);
    const open = button(t("chat.canned_new"), { variant: "secondary", class: "btn btn-secondary chat-canned-open",
      onclick: () => {
        if (!written()) {
          status.textContent = t("chat.canned_write_first");
          return;
        }
        box.hidden = false;
        name.focus();
      } });
    name.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault(); // Enter here saves the reply; it must not send the message
      save.click();
    });
    save.addEventListener("click", async () => {
      const shortcut = name.value.trim();
      if (!shortcut) return name.focus();
      if (written().length > CANNED_MAX) {
        status.textContent = t("chat.canned_too_long", { n: CANNED_MAX });
        return;
      }
      save.disabled = true;
      try {
        const reply = await api("/canned-replies", {
          method: "POST", body: { shortcut, body: written(), community_id: conv.community_id } });
        canned.append(h("option", { value: reply.body, text: `${reply.shortcut}：${reply.body}` }));
        name.value = "";
        box.hidden = true;
        status.textContent = "";
        announce(t("chat.canned_saved"));
      } catch (err) {
        status.textContent = actionErrorText(err);
      } finally {
        save.disabled = false;
      }
    });
    return { open, form: box };
  }

  function showTyping(data) {
    if (data.conversation_id !== conv.id) return;
    clearTimeout(typingTimer);
    typingLine.hidden = !data.typing;
    typingLine.textContent = t(data.user.side === "staff" && !staff ? "chat.staff_typing" : "chat.typing", { name: data.user.name });
    typingTimer = setTimeout(() => {
      typingLine.hidden = true;
    }, TYPING_SHOWN_MS);
  }

  function readUpTo() {
    if (document.visibilityState === "visible" && cursor > 0) chat.markRead(conv.id, cursor);
  }

  async function catchUp() {
    try {
      const got = await chat.sync(conv.id, cursor, staff ? noteCursor : null);
      for (const m of [...got.messages, ...got.notes]) merge(m);
      render();
      readUpTo();
    } catch {
      // Offline or refused: the next connect syncs again.
    }
  }

  function setStatus() {
    const waiting = chat.outbox(conv.id).filter((m) => !m.failed).length;
    status.textContent = chat.connected() ? "" : waiting ? t("chat.offline_waiting", { n: waiting }) : t("chat.connecting");
    screen.classList.toggle("is-connected", chat.connected());
  }

  const off = chat.listen((type, data) => {
    if (type === "chat:message") {
      if (data.conversation_id !== conv.id) return;
      const gap = !data.internal && cursor > 0 && data.seq > cursor + 1;
      if (merge(data)) render();
      if (data.sender?.id !== session.me?.id) typingLine.hidden = true;
      if (gap) catchUp();
      else readUpTo();
    } else if (type === "chat:typing") {
      showTyping(data);
    } else if (type === "chat:read") {
      if (data.conversation_id !== conv.id || data.side === side) return;
      othersRead = Math.max(othersRead, data.seq);
      render();
    } else if (type === "chat:conversation") {
      if (data.id !== conv.id) return;
      const newHands = !staff && (data.assignee?.id ?? null) !== (conv.assignee?.id ?? null);
      conv = { ...conv, ...data };
      render();
      // Claimed or transferred: the card shows who answers now (the event carries no card of its own).
      if (newHands) api(`/conversations/${conv.id}`).then((fresh) => { conv = fresh; render(); }).catch(() => {});
    } else if (type === "connect") {
      setStatus();
      catchUp();
    } else if (type === "sent") {
      merge(data);
      render();
    } else if (type === "failed") {
      status.textContent = actionErrorText(data.error);
      render();
    } else {
      setStatus();
      render();
    }
  });
  const onVisible = () => readUpTo();
  const onOnline = () => chat.flushOutbox();
  document.addEventListener("visibilitychange", onVisible);
  window.addEventListener("online", onOnline);
  signal.addEventListener("abort", () => {
    off();
    clearTimeout(typingTimer);
    document.removeEventListener("visibilitychange", onVisible);
    window.removeEventListener("online", onOnline);
  });

  let loadingOlder = false;
  async function loadOlder() {
    if (loadingOlder || !hasOlder) return;
    loadingOlder = true;
    try {
      const page = await api(`/conversations/${conv.id}/messages`, { query: { before_seq: oldest, limit: PAGE } });
      for (const m of page.data) merge(m);
      hasOlder = page.has_more;
      const height = log.scrollHeight;
      const top = log.scrollTop;
      render();
      log.scrollTop = top + log.scrollHeight - height; // what was in view stays where it was
    } catch (err) {
      status.textContent = actionErrorText(err);
    } finally {
      loadingOlder = false;
    }
  }
  // Scrolling up to the top brings the page before it, as any chat app does; the button stays for
  // keyboards, switch access and whoever prefers to ask.
  older.addEventListener("click", loadOlder);
  log.addEventListener("scroll", () => {
    if (log.scrollTop < OLDER_AT_PX) loadOlder();
  }, { passive: true });

  (async () => {
    const cached = chat.recall(conv.id);
    for (const m of cached?.messages || []) merge(m);
    render();
    try {
      const page = await api(`/conversations/${conv.id}/messages`, { query: { limit: PAGE } });
      hasOlder = page.has_more;
      if (cursor && page.data.length && page.data[0].seq > cursor + 1) {
        msgs.clear();
        cursor = 0;
        oldest = null;
      }
      for (const m of page.data) merge(m);
      if (staff) {
        const noted = await api(`/conversations/${conv.id}/messages`, { query: { internal: "true", limit: 200 } });
        for (const m of noted.data) merge(m);
      }
      render();
      log.scrollTop = log.scrollHeight;
    } catch {
      // Offline: what was seen is shown; the socket catches up when the network returns.
    }
    setStatus();
    try {
      await chat.connect();
    } catch {
      return; // the Socket.IO client itself could not load (offline before it was ever cached)
    }
    if (chat.connected()) {
      setStatus();
      catchUp();
    }
  })();
}
