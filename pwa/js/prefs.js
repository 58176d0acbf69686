/** Display preferences kept on the device: elder mode (长辈版) and its text size step. */

const ELDER_KEY = "linli.elder";
const SIZE_KEY = "linli.textSize";
// Base text size in elder mode, in CSS px: 24px is 18pt, the floor the issue sets.
export const ELDER_SIZES = ["24", "28", "32"];

export function elderMode() {
  return localStorage.getItem(ELDER_KEY) === "1";
}

export function textSize() {
  const saved = localStorage.getItem(SIZE_KEY);
  return ELDER_SIZES.includes(saved) ? saved : ELDER_SIZES[0];
}

export function setElderMode(on) {
  localStorage.setItem(ELDER_KEY, on ? "1" : "0");
  apply();
}

export function setTextSize(size) {
  if (ELDER_SIZES.includes(size)) localStorage.setItem(SIZE_KEY, size);
  apply();
}

export function apply() {
  const root = document.documentElement;
  root.classList.toggle("elder", elderMode());
  root.dataset.size = textSize();
  window.dispatchEvent(new CustomEvent("linli:prefs"));
}
