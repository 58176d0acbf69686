/** Starts the app: preferences, language, service worker and its update prompt, banners, tabs and routes. */
import { h } from "./dom.js";
import { savedLanguage, setLanguage, t } from "./i18n.js";
import { icon } from "./icons.js";
import * as prefs from "./prefs.js";
import { initPush } from "./push.js";
import { addRoute, navigate, render, start } from "./router.js";
import { loadMe, session, signedIn } from "./session.js";
import { errorState } from "./ui.js";
import { loginView, registerView } from "./views/auth.js";
import { chatConversationView, chatHomeView } from "./views/chat.js";
import { consultationView, discussView } from "./views/discuss.js";
import { consultationFormView } from "./views/discuss-staff.js";
import { joinView, unitView } from "./views/join.js";
import { meView } from "./views/me.js";
import { feedView, noticeView } from "./views/notices.js";
import { notificationsView } from "./views/notifications.js";
import { pollView, pollsView } from "./views/polls.js";
import { pollWizardView } from "./views/polls-new.js";
import { notFoundView, soonView } from "./views/soon.js";
import { applicationsView, composeView, manageNoticesView } from "./views/staff.js";

// Report screens (and Leaflet behind them) load on first use, outside the first-load budget.
const lazy = (load, name) => async (context) => (await load())[name](context);
const reportViews = () => import("./views/report.js");
// The dashboard and its chart library load only when opened (not part of the first load).
const dashboardView = (ctx) => import("./views/dashboard.js").then((m) => m.dashboardView(ctx));
const communityStatsView = (ctx) => import("./views/dashboard-public.js").then((m) => m.communityStatsView(ctx));

// Elder mode keeps the tabs an older resident needs most; the rest stay reachable from 我的.
const TABS = [
  { key: "home", href: "/", icon: "home", elder: true },
  { key: "report", href: "/report", icon: "camera", elder: true },
  { key: "discuss", href: "/discuss", icon: "discuss" },
  { key: "messages", href: "/messages", icon: "message", elder: true },
  { key: "me", href: "/me", icon: "person", elder: true },
];

addRoute("/login", loginView, { guest: true });
addRoute("/register", registerView, { guest: true });
addRoute("/", feedView, { auth: true, tab: "home" });
addRoute("/notices/:id", noticeView, { auth: true, tab: "home" });
addRoute("/join", joinView, { auth: true, tab: "me" });
addRoute("/join/:communityId", unitView, { auth: true, tab: "me" });
addRoute("/report", lazy(reportViews, "reportView"), { auth: true, tab: "report" });
addRoute("/report/mine", lazy(reportViews, "myReportsView"), { auth: true, tab: "report" });
addRoute("/report/work", lazy(() => import("./views/report-work.js"), "reportWorkView"), { auth: true, tab: "report" });
addRoute("/report/map", lazy(() => import("./views/report-map.js"), "reportMapView"), { auth: true, tab: "report" });
addRoute("/reports/:id", lazy(() => import("./views/report-detail.js"), "reportDetailView"), { auth: true, tab: "report" });
addRoute("/discuss", discussView, { auth: true, tab: "discuss" });
addRoute("/discuss/new", consultationFormView, { auth: true, tab: "discuss" });
addRoute("/discuss/:id", consultationView, { auth: true, tab: "discuss" });
addRoute("/discuss/:id/edit", consultationFormView, { auth: true, tab: "discuss" });
addRoute("/messages", chatHomeView, { auth: true, tab: "messages" });
addRoute("/messages/:id", chatConversationView, { auth: true, tab: "messages" });
addRoute("/polls", pollsView, { auth: true, tab: "discuss" });
addRoute("/polls/new", pollWizardView, { auth: true, tab: "discuss" });
addRoute("/polls/:id", pollView, { auth: true, tab: "discuss" });
addRoute("/me", meView, { auth: true, tab: "me" });
addRoute("/settings/notifications", notificationsView, { auth: true, tab: "me" });
addRoute("/staff/applications", applicationsView, { auth: true, tab: "me" });
addRoute("/staff/notices", manageNoticesView, { auth: true, tab: "me" });
addRoute("/staff/notices/new", composeView, { auth: true, tab: "home" });
addRoute("/staff/notices/:id/edit", composeView, { auth: true, tab: "home" });
addRoute("/staff/dashboard", dashboardView, { auth: true, tab: "me" });
addRoute("/community/:id/stats", communityStatsView, { auth: true, tab: "me" });

let firstRender = true;
let activeTab = null;

function renderTabs() {
  const nav = document.getElementById("tabbar");
  const elder = prefs.elderMode();
  nav.setAttribute("aria-label", t("nav.label"));
  nav.replaceChildren(h("ul", {}, TABS.filter((tab) => !elder || tab.elder).map((tab) => h("li", {},
    h("a", { href: tab.href, class: "tab", "aria-current": tab.key === activeTab ? "page" : null, dataset: { tab: tab.key } },
      icon(tab.icon), h("span", { text: t(`nav.${tab.key}`) }))))));
}

function setTab(key) {
  activeTab = key;
  document.getElementById("tabbar").hidden = !key;
  document.body.classList.toggle("has-tabs", Boolean(key));
  renderTabs();
}

async function onRoute(found, query, signal) {
  const main = document.getElementById("main");
  const route = found?.route;
  if (route?.options.auth && !signedIn()) {
    const next = location.pathname === "/" ? "" : `?next=${encodeURIComponent(location.pathname + location.search)}`;
    return navigate(`/login${next}`, { replace: true });
  }
  if (route?.options.guest && signedIn()) return navigate("/", { replace: true });
  const root = h("div", { class: "view" });
  main.replaceChildren(root);
  setTab(route ? route.options.tab : null);
  if (route?.options.auth && !session.me) {
    try {
      await loadMe();
    } catch (err) {
      if (err.status !== 401) root.append(errorState(err, render));
      return undefined;
    }
  }
  if (signal.aborted) return undefined;
  const view = route ? route.view : notFoundView;
  await view({ root, params: found?.params || {}, query, signal, rerender: render });
  if (!firstRender && !signal.aborted) document.getElementById("page-title").focus({ preventScroll: true });
  if (!firstRender) window.scrollTo(0, 0);
  firstRender = false;
  return undefined;
}

function setOnline(online) {
  document.getElementById("offline-banner").hidden = online;
  document.documentElement.classList.toggle("is-offline", !online);
}

function watchNetwork() {
  setOnline(navigator.onLine);
  window.addEventListener("online", () => setOnline(true));
  window.addEventListener("offline", () => setOnline(false));
  window.addEventListener("linli:network", (event) => setOnline(event.detail.online && navigator.onLine));
}

/** A new service worker waits until the user says so; then it takes over and the page reloads once. */
async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/", updateViaCache: "none" });
  const banner = document.getElementById("update-banner");
  let accepted = false;
  const offer = () => {
    if (registration.waiting && navigator.serviceWorker.controller) banner.hidden = false;
  };
  document.getElementById("update-button").addEventListener("click", () => {
    accepted = true;
    banner.querySelector("button").disabled = true;
    registration.waiting?.postMessage({ type: "SKIP_WAITING" });
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // The first install also changes the controller (clients.claim); only an accepted update reloads.
    if (accepted) location.reload();
  });
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed") offer();
    });
  });
  offer();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") registration.update().catch(() => {});
  });
}

async function boot() {
  prefs.apply();
  try {
    await setLanguage(savedLanguage(), { remember: false });
  } catch {
    // No strings yet (first visit, offline): keys stand in rather than a blank screen.
  }
  watchNetwork();
  initPush();
  window.addEventListener("linli:language", () => render());
  window.addEventListener("linli:prefs", renderTabs);
  window.addEventListener("linli:signed-out", () => {
    session.me = null;
    navigate("/login?expired=1", { replace: true });
  });
  // After the first load, so precaching the shell does not compete with showing it.
  const register = () => registerServiceWorker().catch(() => {});
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
  await start(onRoute);
  // Reports made offline are sent once the network is back, whichever screen is open.
  if (signedIn() && localStorage.getItem("linli.reports.queued")) {
    import("./reports.js").then((m) => m.watchQueue()).catch(() => {});
  }
}

boot();
