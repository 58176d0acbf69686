/** Web push on this device: its state, turning it on (permission, PushManager.subscribe with a timeout, POST)
 * and off, and the offer card shown after a user's first report, message or vote (`linli:engaged`),
 * never on first load. */
import { api } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { signedIn } from "./session.js";
import { announce, button } from "./ui.js";

const DISMISSED_KEY = "linli.push.dismissedAt";
// "以后再说" holds the offer back this long; the settings screen can turn push on any time.
const DISMISS_MS = 14 * 24 * 3600 * 1000;
// PushManager.subscribe() talks to the browser's push service, which from mainland China is often
// unreachable: the promise then never settles, so after this long we say so instead of spinning.
export const SUBSCRIBE_TIMEOUT_MS = 12_000;
const READY_TIMEOUT_MS = 10_000;
const ENGAGED_KINDS = new Set(["report", "message", "vote"]);

/** Why turning push on did not work: "blocked" | "unsupported" | "unreachable" | "refused" | "later" | "failed". */
export class PushError extends Error {
  constructor(reason, cause) {
    super(`push: ${reason}`);
    this.reason = reason;
    this.cause = cause;
  }
}

export function supported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function withTimeout(promise, ms, reason) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new PushError(reason)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function registration() {
  // `ready` never settles while no service worker is registered (first visit still loading, or blocked).
  return withTimeout(navigator.serviceWorker.ready, READY_TIMEOUT_MS, "unsupported");
}

export async function currentSubscription() {
  if (!supported()) return null;
  const found = await navigator.serviceWorker.getRegistration("/");
  return found ? found.pushManager.getSubscription() : null;
}

/** "on" | "off" | "blocked" | "unsupported" for this device. */
export async function pushState() {
  if (!supported()) return "unsupported";
  if (Notification.permission === "denied") return "blocked";
  const sub = await currentSubscription().catch(() => null);
  return sub && Notification.permission === "granted" ? "on" : "off";
}

let config = null;

/** The VAPID key and which kinds come by SMS when push is off (GET /push/vapid-public-key). */
export async function pushConfig() {
  config = config || (await api("/push/vapid-public-key", { auth: false }));
  return config;
}

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function sameKey(buffer, bytes) {
  if (!buffer) return false;
  const held = new Uint8Array(buffer);
  return held.length === bytes.length && held.every((b, i) => b === bytes[i]);
}

function register(sub) {
  return api("/push/subscriptions", { method: "POST", body: sub.toJSON() });
}

/** Call from a click only: asks for permission, subscribes and registers this device. Throws PushError. */
export async function turnOn() {
  if (!supported()) throw new PushError("unsupported");
  const permission = await Notification.requestPermission();
  if (permission === "denied") throw new PushError("blocked");
  if (permission !== "granted") throw new PushError("later");
  const { public_key: publicKey } = await pushConfig().catch((err) => {
    throw new PushError("failed", err);
  });
  const key = keyBytes(publicKey);
  const reg = await registration();
  let sub = await reg.pushManager.getSubscription();
  if (sub && !sameKey(sub.options?.applicationServerKey, key)) {
    // Made for another server key (keys rotated): the push service would refuse our pushes to it.
    await sub.unsubscribe().catch(() => {});
    sub = null;
  }
  if (!sub) {
    const pending = reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    try {
      sub = await withTimeout(pending, SUBSCRIBE_TIMEOUT_MS, "unreachable");
    } catch (err) {
      if (err instanceof PushError) {
        // Should the push service answer after all, the device is still registered.
        pending.then((late) => register(late)).catch(() => {});
        throw err;
      }
      // Rejected outright: blocked, or a browser that refuses push here (Chromium does in private windows).
      throw new PushError(Notification.permission === "denied" ? "blocked" : "refused", err);
    }
  }
  try {
    await register(sub);
  } catch (err) {
    throw new PushError("failed", err);
  }
  return sub;
}

/** Stops pushes to this device: the server forgets it, then the browser drops the subscription. */
export async function turnOff() {
  const sub = await currentSubscription();
  if (!sub) return;
  try {
    await api("/push/subscriptions", { method: "DELETE", body: { endpoint: sub.endpoint } });
  } catch (err) {
    // Already gone on the server (pruned, or moved to whoever signed in next) is what we wanted.
    if (err.status !== 404) throw err;
  }
  await sub.unsubscribe().catch(() => {});
}

/** On signing out: this device stops getting the leaving user's notifications (the next one is offered anew).
 * Bounded, so a slow network never holds up signing out. */
export function forgetDevice() {
  return withTimeout(turnOff(), READY_TIMEOUT_MS, "failed").catch(() => {});
}

/** What to tell the user after turnOn() failed; the SMS line only when the server sends by SMS. */
export function failureTexts(reason, fallbackKinds = []) {
  const texts = [t(`push.reason_${reason}`)];
  if (reason === "blocked") texts.push(t("push.how_to_unblock"));
  if (reason !== "later" && fallbackKinds.length) texts.push(t("push.sms_fallback"));
  return texts;
}

// -- the offer ------------------------------------------------------------------------------------------------

function dismissedRecently() {
  const at = Number(localStorage.getItem(DISMISSED_KEY) || 0);
  return Date.now() - at < DISMISS_MS;
}

let offerShown = false;

async function maybeOffer(kind) {
  if (offerShown || !signedIn() || !supported() || dismissedRecently()) return;
  // Denied: asking again cannot work (the settings screen explains how to unblock). Already on: nothing to offer.
  if (Notification.permission === "denied") return;
  if (await currentSubscription().catch(() => null)) return;
  offerShown = true;
  showOffer(ENGAGED_KINDS.has(kind) ? kind : "report");
}

function showOffer(kind) {
  const titleId = "push-offer-title";
  const status = h("div", { class: "push-offer-status", role: "status" });
  const accept = button(t("push.offer_accept"), { dataset: { push: "accept" } });
  const later = button(t("push.offer_later"), { variant: "secondary", dataset: { push: "later" } });
  const actions = h("div", { class: "actions-row" }, accept, later);
  const card = h("aside", { class: "card push-offer", "aria-labelledby": titleId, dataset: { kind } },
    h("h2", { id: titleId, text: t("push.offer_title") }),
    h("p", { text: t(`push.offer_why_${kind}`) }),
    h("p", { class: "hint", text: t("push.offer_where") }),
    status, actions);

  // The page gets room below for the card, so nothing under it is out of reach while it is up.
  const room = new ResizeObserver(() => {
    document.body.style.setProperty("--push-offer-room", `${card.offsetHeight}px`);
  });
  const close = () => {
    room.disconnect();
    card.remove();
    document.body.classList.remove("has-push-offer");
  };
  const finish = (texts) => {
    status.replaceChildren(...texts.map((text) => h("p", { text })));
    actions.replaceChildren(button(t("push.offer_close"), { variant: "secondary", dataset: { push: "close" }, onclick: close }));
    actions.querySelector("button").focus();
  };

  // Closing from outside (sign-out, a new language) goes through the same path as the buttons.
  card.addEventListener("push:close", close);
  later.addEventListener("click", () => {
    localStorage.setItem(DISMISSED_KEY, String(Date.now()));
    close();
    announce(t("push.offer_later_done"));
  });
  accept.addEventListener("click", async () => {
    accept.disabled = true;
    later.disabled = true;
    card.setAttribute("aria-busy", "true");
    status.replaceChildren(h("p", { text: t("push.working") }));
    try {
      await turnOn();
      card.dataset.state = "on";
      finish([t("push.on_done")]);
    } catch (err) {
      const reason = err instanceof PushError ? err.reason : "failed";
      if (reason === "later") {
        localStorage.setItem(DISMISSED_KEY, String(Date.now()));
        close();
        return;
      }
      card.dataset.state = reason;
      const fallback = await pushConfig().then((c) => c.fallback_kinds || []).catch(() => []);
      finish(failureTexts(reason, fallback));
    } finally {
      card.removeAttribute("aria-busy");
    }
  });

  document.body.insertBefore(card, document.getElementById("tabbar"));
  document.body.classList.add("has-push-offer");
  room.observe(card);
  announce(t("push.offer_title"));
}

/** Listens for the meaningful moment to offer push. */
export function initPush() {
  window.addEventListener("linli:engaged", (event) => {
    maybeOffer(event.detail?.kind).catch(() => {});
  });
  window.addEventListener("linli:signed-out", () => {
    document.querySelector(".push-offer")?.dispatchEvent(new Event("push:close"));
  });
  window.addEventListener("linli:language", () => {
    // An offer not yet answered is shown again in the new language; an answered one keeps its result.
    const card = document.querySelector(".push-offer:not([data-state]):not([aria-busy])");
    if (!card) return;
    card.dispatchEvent(new Event("push:close"));
    showOffer(card.dataset.kind);
  });
}
