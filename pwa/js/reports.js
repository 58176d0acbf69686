/** Reports on the phone: the outbox of reports waiting for a network (IndexedDB, photos as Blobs), sent
 * exactly once (one Idempotency-Key per report, reused on every retry), plus the category tree and labels. */
import { ApiError, api } from "./api.js";
import { h, svg } from "./dom.js";
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

// The server keeps at most 2048 px a side (app/uploads/images.py): sending more only costs the resident data.
const MAX_EDGE = 2048;
const SHRINK_FROM_BYTES = 1_500_000;

/** A big camera photo re-encoded at most 2048 px a side (turned upright, EXIF dropped); else the file as is. */
export async function shrink(file) {
  if (file.size < SHRINK_FROM_BYTES || typeof createImageBitmap !== "function") return file;
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    return blob && blob.size < file.size ? new File([blob], "photo.jpg", { type: "image/jpeg" }) : file;
  } catch {
    return file; // not decodable here (e.g. HEIC): the server decides
  }
}

/** Puts a report in the outbox; its key is fixed now and sent with every attempt. */
export async function enqueue(body, files) {
  files = await Promise.all(files.map(shrink));
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
  // A fix logged on the spot: the photos prove the fix (a photo belongs to one place only).
  if (body.resolved_on_spot) Object.assign(body, { photo_ids: [], resolved_on_spot: { ...body.resolved_on_spot, photo_ids: photoIds } });
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
  // navigator.onLine can claim a network that is not there, but never the reverse: when it says offline, an
  // attempt could only fail, and showing "sending" meanwhile would tell the resident something untrue.
  if (navigator.onLine === false) return Promise.resolve([]);
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

// Line icons per subject (the first part of a category code), drawn like icons.js: no emoji font needed.
const ICONS = {
  env: ["M14 3l-4 9", "M6 12h8l2 9H4z", "M8 16v5", "M12 16v5"],
  ads: ["M3 10v4h3l7 4V6l-7 4z", "M16 9a4 4 0 0 1 0 6"],
  build: ["M5 21V4", "M5 4h15", "M17 4v6", "M15 10h4v3h-4z", "M2 21h7", "M5 8l4-4"],
  street: ["M3 9l2-5h14l2 5", "M3 9h18", "M5 9v11h14V9", "M10 20v-5h4v5"],
  emergency: ["M6 18v-6a6 6 0 0 1 12 0v6", "M4 18h16v3H4z", "M12 2v2", "M4 6l1.5 1.5", "M20 6l-1.5 1.5"],
  water: ["M12 3s6 7 6 11a6 6 0 0 1-12 0c0-4 6-11 6-11z"],
  power: ["M13 2 4 14h7l-1 8 9-12h-7z"],
  lift: ["M5 3h14v18H5z", "M9 10l3-3 3 3", "M9 14l3 3 3-3"],
  noise: ["M4 9h4l5-4v14l-5-4H4z", "M16 9a4 4 0 0 1 0 6", "M19 6a8 8 0 0 1 0 12"],
  property: ["M5 21V4h10v17", "M15 9h4v12", "M8 8h4", "M8 12h4", "M8 16h4", "M3 21h18"],
  neighbour: ["M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6z", "M3 20c0-3 3-5 6-5s6 2 6 5", "M16 5a3 3 0 0 1 0 6", "M18 15c2 .5 3 2 3 5"],
  fire: ["M12 3c1 4 6 6 6 11a6 6 0 0 1-12 0c0-3 2-5 3-6 0 2 1 3 2 3 0-3 0-5 1-8z"],
  other: ["M4 5h16v11H9l-4 4v-4H4z", "M8 10.5h.01", "M12 10.5h.01", "M16 10.5h.01"],
};
const FALLBACK_ICON = ["M12 21s-7-6.5-7-12a7 7 0 0 1 14 0c0 5.5-7 12-7 12z", "M12 11.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z"];

export function categoryIcon(category) {
  const subject = (category?.code || "").split(".")[0];
  return svg("svg", { class: `icon cat-icon cat-${subject}`, viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false" },
    ...(ICONS[subject] || FALLBACK_ICON).map((d) => svg("path", { d })));
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
