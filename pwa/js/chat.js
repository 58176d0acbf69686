/**
 * Chat over Socket.IO: one connection (the vendored client, loaded only by chat screens), a per-conversation
 * cursor synced from the last seq after every (re)connect, and an outbox kept on the device that goes out in
 * order, one ack at a time, with the same client_id on every retry (so nothing is sent twice).
 */
import { api, ApiError, tokens } from "./api.js";
import { session } from "./session.js";

const CLIENT_URL = "../vendor/socket.io/socket.io-4.7.5.esm.min.js";
const OUTBOX_KEY = "linli.chat.outbox";
const SEEN_KEY = "linli.chat.seen.";
const ENGAGED_KEY = "linli.engaged.message";
const ACK_MS = 10000;
const KEEP_SEEN = 80;
// Answers meaning "not stored just now, send it again": the writer was busy or stopping (unavailable), a
// concurrent resend held the row (conflict), too many at once (rate_limited). The message stays first and
// goes again, with the same client_id, after a pause that grows with each try.
const RETRY_CODES = new Set(["unavailable", "conflict", "rate_limited"]);
const RETRY_MS = [1000, 3000, 10000, 30000];
// A message still not stored after this many tries in a row (about two minutes) is marked failed, so that
// one the server can never store does not hold back the rest for ever; the writer may send it again.
const MAX_TRIES = 6;
// The sign-in is over: the outbox waits for the next one (it is kept per user).
const SIGNED_OUT_CODES = new Set(["token_revoked", "unauthorized", "invalid_token"]);

let socket = null;
let connecting = null;
const listeners = new Set();

function emitLocal(type, detail) {
  for (const fn of listeners) fn(type, detail);
}

/** fn(type, detail) hears socket events and connection changes; returns an unsubscribe function. */
export function listen(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function connected() {
  return Boolean(socket?.connected);
}

/** A valid access token: api() refreshes an expired one on its way. */
async function freshToken() {
  await api("/me");
  return tokens.get()?.access;
}

export async function connect() {
  if (socket) return socket;
  if (!connecting) {
    connecting = (async () => {
      const { io } = await import(CLIENT_URL);
      const s = io({
        // Websocket first (no sticky sessions needed); long-polling only if websockets never open.
        transports: ["websocket"],
        auth: (cb) => cb({ token: tokens.get()?.access }),
        reconnectionDelay: 500,
        reconnectionDelayMax: 5000,
      });
      let failures = 0;
      s.on("connect", () => {
        failures = 0;
        retries = 0;
        emitLocal("connect");
        flushOutbox();
      });
      s.on("disconnect", (reason) => emitLocal("disconnect", reason));
      s.on("connect_error", async (err) => {
        failures += 1;
        const code = err?.data?.error?.code;
        if (code === "token_expired" || code === "invalid_token") {
          try {
            await freshToken();
            s.connect();
          } catch {
            // Signed out or offline: api() has said so; the manager keeps retrying the network.
          }
        } else if (failures === 3 && s.io.opts.transports.length === 1) {
          s.io.opts.transports = ["polling", "websocket"];
        }
        emitLocal("disconnect", "error");
      });
      // The server's sweep found this connection's token expired: come back with a fresh one.
      s.on("token_expired", () => reconnectFresh().catch(() => {}));
      for (const name of ["chat:message", "chat:typing", "chat:read", "chat:conversation"]) {
        s.on(name, (data) => emitLocal(name, data));
      }
      socket = s;
      return s;
    })().finally(() => {
      connecting = null;
    });
  }
  return connecting;
}

/** After a refused event: a fresh token, a new connection (its connect handler drains the outbox). */
async function reconnectFresh() {
  await freshToken();
  socket.disconnect();
  socket.connect();
}

async function ack(event, payload) {
  if (!socket?.connected) throw new ApiError(0, { code: "offline" });
  const answer = await socket.timeout(ACK_MS).emitWithAck(event, payload);
  if (answer?.error) throw new ApiError(answer.error.code === "token_expired" ? 401 : 400, answer.error);
  return answer;
}

export async function sync(conversationId, afterSeq, afterNoteSeq = null) {
  const out = { messages: [], notes: [] };
  let after = afterSeq;
  let noteAfter = afterNoteSeq;
  for (let page = 0; page < 50; page += 1) {
    const answer = await ack("chat:sync", { conversation_id: conversationId, after_seq: after,
      ...(noteAfter === null ? {} : { after_note_seq: noteAfter }) });
    out.messages.push(...answer.messages);
    out.notes.push(...(answer.notes || []));
    if (!answer.has_more) break;
    after = answer.messages.at(-1)?.seq ?? after;
    noteAfter = answer.notes?.at(-1)?.seq ?? noteAfter;
  }
  return out;
}

export function typing(conversationId, on, internal = false) {
  if (socket?.connected) socket.emit("chat:typing", { conversation_id: conversationId, typing: on, internal });
}

export function markRead(conversationId, seq) {
  if (socket?.connected) socket.emit("chat:read", { conversation_id: conversationId, seq });
}

// --- the outbox ---------------------------------------------------------------------------------------------

function outboxKey() {
  return `${OUTBOX_KEY}.${session.me?.id ?? "anon"}`;
}

export function outbox(conversationId = null) {
  const all = JSON.parse(localStorage.getItem(outboxKey()) || "[]");
  return conversationId === null ? all : all.filter((m) => m.conversation_id === conversationId);
}

function saveOutbox(items) {
  localStorage.setItem(outboxKey(), JSON.stringify(items));
}

/** Queue a message (kept on the device until the server acks it) and try to send. */
export function queue(conversationId, body, { attachmentIds = [], internal = false } = {}) {
  const item = {
    conversation_id: conversationId,
    body,
    client_id: crypto.randomUUID(),
    attachment_ids: attachmentIds,
    internal,
    queued_at: new Date().toISOString(),
  };
  saveOutbox([...outbox(), item]);
  emitLocal("outbox", item);
  flushOutbox();
  return item;
}

let flushing = null;
let retries = 0;
let retryTimer = null;

/** Tries again after a pause; false when this message has had its tries (the caller marks it failed). */
function retryLater(code) {
  clearTimeout(retryTimer);
  if (retries + 1 >= MAX_TRIES) return false;
  const wait = Math.max(RETRY_MS[Math.min(retries, RETRY_MS.length - 1)], code === "rate_limited" ? 10000 : 0);
  retries += 1;
  retryTimer = setTimeout(() => flushOutbox(), wait);
  return true;
}

function markFailed(item, code) {
  retries = 0;
  saveOutbox(outbox().map((m) => (m.client_id === item.client_id ? { ...m, failed: { code } } : m)));
}

/**
 * Sends the outbox oldest first, each after the previous ack; stops at the first failure that may pass (a
 * timeout, a lost connection, a "send it again") to keep order, and tries again later. A message refused
 * for good (its conversation gone, the input invalid) is kept, marked failed, for the writer to send again
 * or delete: it is passed over so it does not hold back the rest, and it is never dropped unseen.
 */
export function flushOutbox() {
  if (!flushing) {
    flushing = (async () => {
      while (socket?.connected) {
        const item = outbox().find((m) => !m.failed);
        if (!item) break;
        let answer;
        try {
          const { queued_at: _queuedAt, failed: _failed, ...payload } = item;
          answer = await ack("chat:send", payload);
        } catch (err) {
          const code = err instanceof ApiError ? err.code : "timeout";
          if (code === "token_expired") {
            reconnectFresh().catch(() => {}); // its connect sends the outbox again
            break;
          }
          // "Send it again", or an ack lost on a live connection: after a pause, while tries are left.
          const passing = RETRY_CODES.has(code) || (code === "timeout" && socket?.connected);
          // Offline or signed out: it goes again on the next connect.
          const waiting = code === "offline" || code === "timeout" || SIGNED_OUT_CODES.has(code);
          if (passing ? retryLater(code) : waiting) break;
          markFailed(item, code);
          emitLocal("failed", { item, error: err });
          continue;
        }
        retries = 0;
        clearTimeout(retryTimer);
        saveOutbox(outbox().filter((m) => m.client_id !== item.client_id));
        emitLocal("sent", answer.message);
        // The server tells this connection of its own message in the ack alone, the change it made to the
        // conversation included: the views hear it as any other connection's chat:conversation.
        if (answer.conversation) emitLocal("chat:conversation", answer.conversation);
        engaged();
      }
    })().finally(() => {
      flushing = null;
    });
  }
  return flushing;
}

/** A message refused for good, sent again as it was (the same client_id: a stored one comes back). */
export function resend(clientId) {
  saveOutbox(outbox().map((m) => (m.client_id === clientId ? { ...m, failed: undefined } : m)));
  emitLocal("outbox", { client_id: clientId });
  return flushOutbox();
}

/** A message the writer gave up on, taken out of the outbox. */
export function discard(clientId) {
  saveOutbox(outbox().filter((m) => m.client_id !== clientId));
  emitLocal("outbox", { client_id: clientId });
}

function engaged() {
  const key = `${ENGAGED_KEY}.${session.me?.id ?? ""}`;
  if (localStorage.getItem(key)) return;
  localStorage.setItem(key, "1");
  window.dispatchEvent(new CustomEvent("linli:engaged", { detail: { kind: "message" } }));
}

// --- what was seen, for opening offline -------------------------------------------------------------------

export function remember(conversation, messages) {
  const kept = messages.slice(-KEEP_SEEN);
  localStorage.setItem(`${SEEN_KEY}${session.me?.id}.${conversation.id}`, JSON.stringify({ conversation, messages: kept }));
}

export function recall(conversationId) {
  return JSON.parse(localStorage.getItem(`${SEEN_KEY}${session.me?.id}.${conversationId}`) || "null");
}

export function rememberMine(conversationId) {
  localStorage.setItem(`${SEEN_KEY}${session.me?.id}.mine`, String(conversationId));
}

export function recallMine() {
  return Number(localStorage.getItem(`${SEEN_KEY}${session.me?.id}.mine`)) || null;
}

/** Upload a photo (the uploads API takes multipart); returns its id. */
export async function uploadPhoto(file) {
  const attempt = () => {
    const form = new FormData();
    form.append("file", file);
    return fetch("/api/v1/uploads", { method: "POST", body: form,
      headers: { Authorization: `Bearer ${tokens.get()?.access}`, "Idempotency-Key": crypto.randomUUID() } });
  };
  let response;
  try {
    response = await attempt();
    if (response.status === 401) {
      await freshToken();
      response = await attempt();
    }
  } catch {
    throw new ApiError(0, { code: "offline" });
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data?.error || {});
  return data.id;
}
