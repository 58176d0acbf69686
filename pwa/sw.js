/* Linli service worker: keeps the app shell and the notices a resident has read usable offline.
   Flask stamps VERSION with a hash of pwa/, so every deploy installs a new worker. */
const VERSION = "__SHELL_VERSION__";
const SHELL_CACHE = `linli-shell-${VERSION}`;
// Kept across versions: the notices read before an update must still open offline after it.
const API_CACHE = "linli-api";
const SHELL = [
  "/", "/manifest.webmanifest", "/css/app.css", "/js/main.js", "/js/api.js", "/js/dom.js", "/js/i18n.js",
  "/js/icons.js", "/js/paged.js", "/js/prefs.js", "/js/regions.js", "/js/router.js", "/js/session.js",
  "/js/ui.js", "/js/views/auth.js", "/js/views/join.js", "/js/views/me.js", "/js/views/notices.js",
  "/js/views/discuss.js", "/js/views/discuss-staff.js",
  "/js/views/settings.js", "/js/views/soon.js", "/js/views/staff.js", "/i18n/zh-CN.json", "/i18n/en.json",
  "/js/reports.js", "/js/reports-map.js", "/js/views/report.js", "/js/views/report-detail.js",
  "/js/views/report-work.js", "/js/views/report-map.js", "/js/views/dashboard.js",
  "/js/views/dashboard-chart.js", "/js/views/dashboard-public.js",
  "/js/views/polls.js", "/js/views/polls-new.js",
  "/js/chat.js", "/js/views/chat.js", "/js/views/chatInbox.js",
  "/icons/icon-192.png", "/icons/icon-512.png", "/icons/icon-maskable-512.png",
  "/icons/apple-touch-icon.png",
  "/js/push.js", "/js/views/notifications.js",
];
// Reads worth having offline: the notices (feed and each one read), the region tree, the consultations
// seen (with their opinions), the reports seen (lists and each one opened) with the categories and map
// settings the report form needs, and the dashboard figures and public community pages opened. Not nearby
// or the public map: those depend on where the phone is now. The cache is dropped at sign-in and sign-out.
const CACHED_API = new RegExp(
  "^/api/v1/(notices(/\\d+)?|regions|consultations(/\\d+(/comments)?)?|report-categories|map-settings" +
    "|reports(/\\d+)?|dashboard/(summary|heatmap|overdue|rankings)|public/communities/\\d+/stats)$",
);
// Polls seen before (the lists, one poll, its results and published receipts) open offline too.
const CACHED_POLLS_API = /^\/api\/v1\/polls(\/\d+(\/(results|receipts))?)?$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" })))),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith("linli-shell-") && name !== SHELL_CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "SKIP_WAITING") self.skipWaiting();
});

// Payload from app/push/delivery.py: {title, body, url, tag, kind}.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data?.text() };
  }
  event.waitUntil(self.registration.showNotification(data.title || "邻里", {
    body: data.body || "", tag: data.tag, data: { url: data.url || "/" }, icon: "/icons/icon-192.png",
    // A newer message about the same thing replaces the old one (same tag) and still alerts.
    renotify: Boolean(data.tag),
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openApp(event.notification.data?.url));
});

/** The app's own page for a notification's url: a payload can never send anyone to another site. */
function appUrl(raw) {
  const home = new URL("/", self.location.origin).href;
  try {
    const url = new URL(raw || "/", self.location.origin);
    return url.origin === self.location.origin ? url.href : home;
  } catch {
    return home;
  }
}

/** Focus a window of the app already open (the one on that page, else any) and take it there; else open one. */
async function openApp(raw) {
  const url = appUrl(raw);
  const windows = (await self.clients.matchAll({ type: "window", includeUncontrolled: true }))
    .filter((client) => new URL(client.url).origin === self.location.origin);
  const open = windows.find((client) => client.url === url) || windows.find((client) => client.focused) || windows[0];
  if (!open) return self.clients.openWindow(url);
  const focused = await open.focus().catch(() => open);
  if (focused.url === url) return focused;
  // navigate() only works on a window this worker controls; an uncontrolled one gets a new window instead.
  return (await focused.navigate(url).catch(() => null)) || self.clients.openWindow(url);
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigation(request));
  } else if (url.pathname.startsWith("/api/")) {
    if (CACHED_API.test(url.pathname) || CACHED_POLLS_API.test(url.pathname)) event.respondWith(networkFirst(request));
  } else if (url.pathname !== "/sw.js") {
    event.respondWith(staleWhileRevalidate(event));
  }
});

async function navigation(request) {
  try {
    return await fetch(request);
  } catch {
    const shell = await caches.match("/", { cacheName: SHELL_CACHE });
    return shell || Response.error();
  }
}

async function staleWhileRevalidate(event) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(event.request, { ignoreVary: true });
  const network = fetch(event.request).then((response) => {
    if (response.ok) cache.put(event.request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(network.catch(() => undefined));
    return cached;
  }
  return network;
}

async function networkFirst(request) {
  const cache = await caches.open(API_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch {
    const cached = await cache.match(request);
    if (!cached) return Response.error();
    // Marked so the page knows it is showing a saved copy and keeps the offline banner up.
    const headers = new Headers(cached.headers);
    headers.set("X-Linli-Offline", "1");
    return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
  }
}
