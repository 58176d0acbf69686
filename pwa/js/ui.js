/** Shared pieces of every screen: the top bar, announcements, buttons, form fields and error texts. */
import { h, uid } from "./dom.js";
import { icon } from "./icons.js";
import { has, language, t } from "./i18n.js";

/** The top bar's heading and back link; `documentTitle` names the browser tab when it differs. */
export function setPage({ title, back = null, documentTitle = title }) {
  const heading = document.getElementById("page-title");
  heading.textContent = title;
  document.title = `${documentTitle} · ${t("app.name")}`;
  const backLink = document.getElementById("back");
  backLink.hidden = !back;
  if (back) backLink.setAttribute("href", back);
}

/** Read out by screen readers without moving focus. */
export function announce(text) {
  const region = document.getElementById("announcer");
  region.textContent = "";
  // A fresh text node after a tick makes repeated messages heard again.
  setTimeout(() => {
    region.textContent = text;
  }, 30);
}

export function button(label, { variant = "primary", type = "button", iconName, onclick, ...rest } = {}) {
  return h("button", { class: `btn btn-${variant}`, type, onclick, ...rest }, iconName ? icon(iconName) : null,
    h("span", { text: label }));
}

export function linkButton(label, href, { variant = "primary", iconName, ...rest } = {}) {
  return h("a", { class: `btn btn-${variant}`, href, ...rest }, iconName ? icon(iconName) : null,
    h("span", { text: label }));
}

/** A labelled input with a hint and an error line wired through aria-describedby. */
export function field({ name, label, type = "text", hint, multiline = false, options, ...attrs }) {
  const id = uid(name);
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ");
  let control;
  if (options) {
    control = h("select", { id, name, "aria-describedby": describedBy, ...attrs },
      options.map((o) => h("option", { value: o.value, text: o.label, selected: o.selected || null })));
  } else if (multiline) {
    control = h("textarea", { id, name, "aria-describedby": describedBy, ...attrs });
  } else {
    control = h("input", { id, name, type, "aria-describedby": describedBy, ...attrs });
  }
  return h("div", { class: "field", dataset: { field: name } },
    h("label", { for: id, text: label }),
    hint ? h("p", { class: "hint", id: hintId, text: hint }) : null,
    control,
    h("p", { class: "field-error", id: errorId, hidden: true }));
}

export function checkbox({ name, label, checked = false }) {
  const id = uid(name);
  return h("div", { class: "check", dataset: { field: name } },
    h("input", { type: "checkbox", id, name, checked }),
    h("label", { for: id, text: label }));
}

/** A form-level message box; role=alert so it is read out when it appears. */
export function formAlert() {
  return h("p", { class: "form-alert", role: "alert", hidden: true });
}

export function errorText(err) {
  if (err?.code && has(`error.${err.code}`)) return t(`error.${err.code}`);
  if (err?.status === 404) return t("error.not_found");
  if (err?.status === 403) return t("error.forbidden");
  return t("error.generic");
}

/** Text for an action that failed: going offline gets its own plain message. */
export function actionErrorText(err) {
  return err?.offline ? t("error.offline_action") : errorText(err);
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll(".field-error")) {
    el.hidden = true;
    el.textContent = "";
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const alert = form.querySelector(".form-alert");
  if (alert) {
    alert.hidden = true;
    alert.textContent = "";
  }
}

/** Marks fields invalid; `fields` maps a field name to a message. Focuses the first bad field. */
export function showFieldErrors(form, fields) {
  let first = null;
  for (const [name, message] of Object.entries(fields)) {
    const wrap = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (!wrap) continue;
    const control = wrap.querySelector("input, textarea, select");
    const error = wrap.querySelector(".field-error");
    control?.setAttribute("aria-invalid", "true");
    if (error) {
      error.textContent = message;
      error.hidden = false;
    }
    first = first || control;
  }
  first?.focus();
  return first !== null;
}

export function showFormError(form, err) {
  if (err?.code === "validation_error" && err.fields) {
    // Server messages are English; in Chinese say which field to fix in our own words.
    const fields = Object.fromEntries(Object.entries(err.fields).map(([name, messages]) => [
      name, language() === "en" ? [].concat(messages).join(" ") : t("error.field_invalid"),
    ]));
    if (showFieldErrors(form, fields)) return;
  }
  const alert = form.querySelector(".form-alert");
  alert.textContent = actionErrorText(err);
  alert.hidden = false;
}

export function busy(form, on) {
  for (const el of form.querySelectorAll("button, input, select, textarea")) el.disabled = on;
  form.setAttribute("aria-busy", on ? "true" : "false");
}

export function loading() {
  return h("p", { class: "loading", role: "status", text: t("common.loading") });
}

export function emptyState(text, ...actions) {
  return h("div", { class: "empty" }, h("p", { text }), ...actions);
}

export function errorState(err, retry) {
  return h("div", { class: "empty error-state", role: "alert" },
    h("p", { text: err?.offline ? t("error.offline_load") : errorText(err) }),
    retry ? button(t("common.retry"), { variant: "secondary", onclick: retry }) : null);
}

export function badge(text, kind = "neutral") {
  return h("span", { class: `badge badge-${kind}`, text });
}
