/** Reports on the phone: the outbox of reports waiting for a network (IndexedDB, photos as Blobs), sent
 * exactly once (one Idempotency-Key per report, reused on every retry), plus the category tree and labels. */
import { ApiError, api } from "./api.js";
import { h } from "./dom.js";
import { language, t } from "./i18n.js";
import { session } from "./session.js";

const DB_NAME = "linli-reports";
const STORE = "queue";
// Set while anything waits in the queue, so the shell knows to load this module and send it.
export const QUEUED_FLAG = "linli.reports.queued";
const ENGAGED_FLAG = "linli.reports.engaged";
export const MAX_PHOTOS = 6;

let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return dbPromise;
}

async function store(mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

function newKey() {
  if (crypto.randomUUID) return `report-${crypto.randomUUID()}`;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `report-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Every queued report of the signed-in user, oldest first. */
export async function queuedReports() {
  const all = (await store("readonly", (s) => s.getAll())) || [];
  const me = session.me?.id;
  return all.filter((item) => item.userId === me).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

function changed() {
  window.dispatchEvent(new CustomEvent("linli:report-queue"));
}

async function put(item) {
  await store("readwrite", (s) => s.put(item));
  changed();
}

async function remove(key) {
  await store("readwrite", (s) => s.delete(key));
  const left = await store("readonly", (s) => s.count());
  if (!left) localStorage.removeItem(QUEUED_FLAG);
  changed();
}

export async function discard(key) {
  await remove(key);
}

/** Puts a report in the outbox; its key is fixed now and sent with every attempt. */
export async function enqueue(body, files) {
  const item = {
    key: newKey(),
    userId: session.me?.id,
    createdAt: new Date().toISOString(),
    body,
    photos: files.map((file) => ({ blob: file, name: file.name || "photo.jpg", uploadId: null })),
    state: "queued",
    error: null,
  };
  await put(item);
  localStorage.setItem(QUEUED_FLAG, "1");
  return item;
}

/** Uploads the photos not yet uploaded, then posts the report; false if it must wait for the network. */
async function sendOne(item) {
  item.state = "sending";
  await put(item);
  for (const [i, photo] of item.photos.entries()) {
    if (photo.uploadId) continue;
    const form = new FormData();
    form.append("file", photo.blob, photo.name);
    // Each photo has its own key derived from the report's, so a retried upload is not stored twice.
    const uploaded = await api("/uploads", { method: "POST", body: form, headers: { "Idempotency-Key": `${item.key}.p${i}` } });
    photo.uploadId = uploaded.id;
    await put(item);
  }
  const photoIds = item.photos.map((p) => p.uploadId);
  const body = { ...item.body, photo_ids: photoIds };
  if (body.resolved_on_spot) body.resolved_on_spot = { ...body.resolved_on_spot, photo_ids: photoIds };
  const report = await api("/reports", { method: "POST", body, headers: { "Idempotency-Key": item.key } });
  await remove(item.key);
  window.dispatchEvent(new CustomEvent("linli:report-sent", { detail: { key: item.key, report } }));
  if (!localStorage.getItem(ENGAGED_FLAG)) {
    localStorage.setItem(ENGAGED_FLAG, "1");
    window.dispatchEvent(new CustomEvent("linli:engaged", { detail: { kind: "report" } }));
  }
  return report;
}

let draining = null;

/** Sends what waits, one report at a time; stops at the first network failure. Returns [{key, report}]. */
export function drain() {
  if (!draining) {
    const run = async () => {
      const sent = [];
      for (const item of await queuedReports()) {
        if (item.state === "failed") continue;
        try {
          sent.push({ key: item.key, report: await sendOne(item) });
        } catch (err) {
          const retry = !(err instanceof ApiError) || err.offline || err.status >= 500 || err.status === 429
            || err.status === 401;
          item.state = retry ? "queued" : "failed";
          item.error = retry ? null : { status: err.status, code: err.code, message: err.message, fields: err.fields };
          await put(item);
          if (retry) break;
        }
      }
      return sent;
    };
    // One sender across tabs; the Idempotency-Key would absorb a second one anyway.
    const locked = navigator.locks
      ? navigator.locks.request("linli-report-queue", { ifAvailable: true }, (lock) => (lock ? run() : []))
      : run();
    draining = locked.finally(() => {
      draining = null;
    });
  }
  return draining;
}

let watching = false;
let timer = null;

/** Sends the queue now, whenever the network comes back, and every 30 s while something waits. */
export function watchQueue() {
  if (watching) return;
  watching = true;
  const kick = () => drain().catch(() => {}).finally(schedule);
  function schedule() {
    clearTimeout(timer);
    if (localStorage.getItem(QUEUED_FLAG)) timer = setTimeout(kick, 30_000);
  }
  window.addEventListener("online", kick);
  kick();
}

// --- categories and labels ---------------------------------------------------------------------------------

const ICONS = {
  broom: "🧹", megaphone: "📢", crane: "🏗️", shop: "🏪", siren: "🚨", droplet: "💧", bolt: "⚡",
  elevator: "🛗", volume: "🔊", building: "🏢", people: "👥", flame: "🔥", dots: "💬",
};

export function categoryIcon(category) {
  return h("span", { class: "cat-icon", "aria-hidden": "true", text: ICONS[category?.icon] || "📍" });
}

export function categoryName(category) {
  if (!category) return "";
  return language() === "en" && category.name_en ? category.name_en : category.name;
}

let categoriesPromise = null;

export function loadCategories() {
  if (!categoriesPromise) {
    categoriesPromise = api("/report-categories", { auth: false }).catch((err) => {
      categoriesPromise = null;
      throw err;
    });
  }
  return categoriesPromise;
}

export function statusBadge(status) {
  return h("span", { class: `badge badge-report badge-${status}`, text: t(`report.status_${status}`) });
}

export function warningBadge(warning) {
  if (!warning || warning === "none") return null;
  return h("span", { class: `badge badge-warn-${warning}`, text: t(`report.warning_${warning}`) });
}

export const OPEN_STATUSES = new Set(["submitted", "accepted", "in_progress"]);
