/** The language and elder-mode controls, shown on the sign-in screen and under 我的. */
import { h } from "../dom.js";
import { LANGUAGES, language, setLanguage, t } from "../i18n.js";
import { ELDER_SIZES, elderMode, setElderMode, setTextSize, textSize } from "../prefs.js";
import { announce } from "../ui.js";

function toggleGroup(labelText, items, { compact = false } = {}) {
  const labelId = `group-${Math.random().toString(36).slice(2, 8)}`;
  return h("div", { class: `toggle-group${compact ? " compact" : ""}` },
    h("p", { class: "toggle-label", id: labelId, text: labelText }),
    h("div", { class: "segmented", role: "group", "aria-labelledby": labelId }, items));
}

function segment(text, pressed, onclick, attrs = {}) {
  const el = h("button", { type: "button", class: "segment", "aria-pressed": pressed ? "true" : "false", ...attrs }, text);
  el.addEventListener("click", () => {
    for (const other of el.parentElement.children) other.setAttribute("aria-pressed", other === el ? "true" : "false");
    onclick();
  });
  return el;
}

export function languageSwitch(options) {
  return toggleGroup(t("settings.language"), LANGUAGES.map((lang) => segment(
    lang.label, lang.code === language(),
    async () => {
      if (lang.code !== language()) await setLanguage(lang.code);
    },
    { lang: lang.code, dataset: { lang: lang.code } },
  )), options);
}

export function elderSwitch(options) {
  const on = elderMode();
  return toggleGroup(t("settings.elder_mode"), [
    segment(t("settings.elder_off"), !on, () => change(false), { dataset: { elder: "off" } }),
    segment(t("settings.elder_on"), on, () => change(true), { dataset: { elder: "on" } }),
  ], options);

  function change(value) {
    setElderMode(value);
    announce(value ? t("settings.elder_on_done") : t("settings.elder_off_done"));
  }
}

export function textSizeSwitch() {
  const current = textSize();
  return toggleGroup(t("settings.text_size"), ELDER_SIZES.map((size, i) => segment(
    t(`settings.text_size_${i + 1}`), size === current, () => setTextSize(size), { dataset: { size } },
  )));
}
