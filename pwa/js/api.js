/** Calls to /api/v1: the error envelope as ApiError, offline as ApiError(0), silent token refresh. */

const BASE = "/api/v1";
const TOKENS_KEY = "linli.tokens";
// The service worker marks answers it took from its cache while the network was down.
const FROM_CACHE_HEADER = "X-Linli-Offline";

export class ApiError extends Error {
  constructor(status, error = {}) {
    super(error.message || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = error.code || "error";
    this.fields = error.fields || null;
  }

  get offline() {
    return this.status === 0;
  }
}

export const tokens = {
  get() {
    try {
      return JSON.parse(localStorage.getItem(TOKENS_KEY)) || null;
    } catch {
      return null;
    }
  },
  set(pair) {
    localStorage.setItem(TOKENS_KEY, JSON.stringify({ access: pair.access_token, refresh: pair.refresh_token }));
  },
  clear() {
    localStorage.removeItem(TOKENS_KEY);
  },
};

function signal(name, detail) {
  window.dispatchEvent(new CustomEvent(name, { detail }));
}

async function send(path, { method = "GET", body, token, query, headers: extra } = {}) {
  const url = new URL(BASE + path, location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const headers = { Accept: "application/json", ...extra };
  // A FormData body (an image upload) sets its own multipart Content-Type with the boundary.
  const form = typeof FormData !== "undefined" && body instanceof FormData;
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, {
      method, headers, body: body === undefined || form ? body : JSON.stringify(body),
    });
  } catch {
    signal("linli:network", { online: false });
    throw new ApiError(0, { code: "offline", message: "No network connection." });
  }
  signal("linli:network", { online: !response.headers.has(FROM_CACHE_HEADER) });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data?.error || { code: "http_error" });
  return data;
}

let refreshing = null;

/**
 * Trade the refresh token for a new pair. A refresh token works once and a replay ends the login, so
 * only one refresh may run at a time: one promise per tab, and a Web Lock across tabs.
 */
function refreshTokens(staleAccess) {
  if (!refreshing) {
    const run = async () => {
      const held = tokens.get();
      if (!held) throw new ApiError(401, { code: "unauthorized" });
      if (held.access !== staleAccess) return; // another tab refreshed while we waited for the lock
      try {
        tokens.set(await send("/auth/refresh", { method: "POST", token: held.refresh }));
      } catch (err) {
        if (err.status === 401) {
          tokens.clear();
          signal("linli:signed-out", { reason: err.code });
        }
        throw err;
      }
    };
    const locked = navigator.locks ? navigator.locks.request("linli-token-refresh", run) : run();
    refreshing = locked.finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

/** api("/notices", {query: {q}}) → parsed JSON; throws ApiError. */
export async function api(path, options = {}) {
  const { auth = true } = options;
  const held = auth ? tokens.get() : null;
  try {
    return await send(path, { ...options, token: held?.access });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401 || !held) throw err;
    if (err.code === "token_expired") {
      await refreshTokens(held.access);
      return send(path, { ...options, token: tokens.get()?.access });
    }
    tokens.clear();
    signal("linli:signed-out", { reason: err.code });
    throw err;
  }
}

export async function signIn(path, body) {
  const result = await api(path, { method: "POST", body, auth: false });
  tokens.set(result);
  return result.user;
}

export async function signOut() {
  const held = tokens.get();
  tokens.clear();
  if (held) {
    // The refresh token outlives the access token, so it can end the login on the server even after a
    // long pause; offline, the tokens are at least gone from this device.
    await send("/auth/logout", { method: "POST", token: held.refresh }).catch(() => {});
  }
}
