/** Client-side routes on real paths; the server answers every non-API path with the shell. */

const routes = [];
let controller = null;
let onRoute = null;

export function addRoute(pattern, view, options = {}) {
  const keys = [];
  const source = pattern.replace(/:(\w+)/g, (_, key) => {
    keys.push(key);
    return "([^/]+)";
  });
  routes.push({ pattern, regex: new RegExp(`^${source}/?$`), keys, view, options });
}

export function match(pathname) {
  for (const route of routes) {
    const found = route.regex.exec(pathname);
    if (found) {
      const params = Object.fromEntries(route.keys.map((key, i) => [key, decodeURIComponent(found[i + 1])]));
      return { route, params };
    }
  }
  return null;
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  return render();
}

/** Renders the current location; the previous view's signal aborts so its observers and timers stop. */
export function render() {
  controller?.abort();
  controller = new AbortController();
  const query = new URLSearchParams(location.search);
  return onRoute(match(location.pathname), query, controller.signal);
}

function onClick(event) {
  const link = event.target.closest("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0 || link.target || link.hasAttribute("download")) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  event.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
}

export function start(handler) {
  onRoute = handler;
  document.addEventListener("click", onClick);
  window.addEventListener("popstate", render);
  return render();
}
