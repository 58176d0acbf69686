/** UI strings from pwa/i18n/<lang>.json, chosen by the user and remembered; dates shown in China time. */

const STORE_KEY = "linli.lang";
export const LANGUAGES = [
  { code: "zh-CN", label: "中文" },
  { code: "en", label: "English" },
];
// The community's local time; mainland China keeps one offset all year, so the +08:00 is exact.
export const TIME_ZONE = "Asia/Shanghai";
const UTC_OFFSET = "+08:00";

let current = LANGUAGES[0].code;
let messages = {};

export function savedLanguage() {
  const saved = localStorage.getItem(STORE_KEY);
  return LANGUAGES.some((l) => l.code === saved) ? saved : LANGUAGES[0].code;
}

export function language() {
  return current;
}

export async function setLanguage(code, { remember = true } = {}) {
  const response = await fetch(`/i18n/${code}.json`);
  if (!response.ok) throw new Error(`i18n ${code}: ${response.status}`);
  messages = await response.json();
  current = code;
  if (remember) localStorage.setItem(STORE_KEY, code);
  document.documentElement.lang = code;
  translateStatic();
  window.dispatchEvent(new CustomEvent("linli:language", { detail: code }));
}

export function has(key) {
  return Object.hasOwn(messages, key);
}

export function t(key, params = {}) {
  const text = has(key) ? messages[key] : key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? "").toString());
}

/** Elements of index.html that carry data-i18n (text) or data-i18n-label (aria-label). */
export function translateStatic(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
}

export function formatDateTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(current, {
    timeZone: TIME_ZONE, year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit",
  }).format(new Date(iso));
}

export function formatDate(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(current, { timeZone: TIME_ZONE, year: "numeric", month: "long", day: "numeric" })
    .format(new Date(iso));
}

export function formatPercent(ratio) {
  return new Intl.NumberFormat(current, { style: "percent", maximumFractionDigits: 1 }).format(ratio || 0);
}

/** "2026-05-01T09:30" from a datetime-local input, read as China time, to an ISO instant. */
export function localInputToIso(value) {
  return value ? new Date(`${value}:00${UTC_OFFSET}`).toISOString() : null;
}

/** An ISO instant to the "YYYY-MM-DDTHH:mm" China-time value a datetime-local input expects. */
export function isoToLocalInput(iso) {
  if (!iso) return "";
  const shifted = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
  return shifted.toISOString().slice(0, 16);
}
