/** Sign in and register: phone number and password, checked here first so errors read in the user's language. */
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";
import { login } from "../session.js";
import { busy, button, clearErrors, field, formAlert, setPage, showFieldErrors, showFormError } from "../ui.js";
import { elderSwitch, languageSwitch } from "./settings.js";

const PHONE_RE = /^1[3-9]\d{9}$/;

function normalizePhone(raw) {
  return raw.replace(/[\s\-()]/g, "").replace(/^(\+86|0086)/, "");
}

function safeNext(next) {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : "/";
}

function brand() {
  return h("div", { class: "brand" },
    h("img", { src: "/icons/icon-192.png", alt: "", width: 72, height: 72 }),
    h("p", { class: "brand-name", text: t("app.name") }),
    h("p", { class: "brand-tagline", text: t("app.tagline") }));
}

function prefsBar() {
  return h("section", { class: "card prefs", "aria-label": t("settings.title") },
    languageSwitch({ compact: true }), elderSwitch({ compact: true }));
}

function authForm({ fields, submitLabel, validate, submit }) {
  const alert = formAlert();
  const form = h("form", { class: "card form", novalidate: true }, alert, ...fields,
    button(submitLabel, { type: "submit", class: "btn btn-primary btn-block" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const data = Object.fromEntries(new FormData(form));
    data.phone = normalizePhone(data.phone || "");
    const errors = validate(data);
    if (Object.keys(errors).length) {
      showFieldErrors(form, errors);
      return;
    }
    busy(form, true);
    try {
      await submit(data);
    } catch (err) {
      busy(form, false);
      if (err.code === "phone_taken") showFieldErrors(form, { phone: t("error.phone_taken") });
      else showFormError(form, err);
    }
  });
  return form;
}

function phoneField() {
  return field({
    name: "phone", label: t("auth.phone"), type: "tel", inputmode: "numeric", autocomplete: "tel",
    maxlength: 20, required: true,
  });
}

function checkPhone(data, errors) {
  if (!data.phone) errors.phone = t("auth.phone_required");
  else if (!PHONE_RE.test(data.phone)) errors.phone = t("auth.phone_invalid");
}

export async function loginView({ root, query }) {
  setPage({ title: t("auth.login_title") });
  const form = authForm({
    fields: [
      phoneField(),
      field({ name: "password", label: t("auth.password"), type: "password", autocomplete: "current-password",
        required: true }),
    ],
    submitLabel: t("auth.login"),
    validate(data) {
      const errors = {};
      checkPhone(data, errors);
      if (!data.password) errors.password = t("auth.password_required");
      return errors;
    },
    async submit(data) {
      await login("/auth/login", { phone: data.phone, password: data.password });
      navigate(safeNext(query.get("next")), { replace: true });
    },
  });
  append(root, 
    brand(),
    query.get("expired") ? h("p", { class: "notice-box", role: "status", text: t("auth.session_ended") }) : null,
    form,
    h("p", { class: "switch-link" }, h("span", { text: t("auth.no_account") }), " ",
      h("a", { href: "/register", text: t("auth.go_register") })),
    prefsBar(),
  );
}

export async function registerView({ root }) {
  setPage({ title: t("auth.register_title"), back: "/login" });
  const form = authForm({
    fields: [
      field({ name: "name", label: t("auth.name"), autocomplete: "name", maxlength: 60, required: true,
        hint: t("auth.name_hint") }),
      phoneField(),
      field({ name: "password", label: t("auth.password"), type: "password", autocomplete: "new-password",
        minlength: 8, required: true, hint: t("auth.password_hint") }),
    ],
    submitLabel: t("auth.register"),
    validate(data) {
      const errors = {};
      if (!data.name.trim()) errors.name = t("auth.name_required");
      checkPhone(data, errors);
      if ((data.password || "").length < 8) errors.password = t("auth.password_short");
      return errors;
    },
    async submit(data) {
      await login("/auth/register", { name: data.name.trim(), phone: data.phone, password: data.password });
      navigate("/join", { replace: true });
    },
  });
  append(root, 
    h("p", { class: "lead", text: t("auth.register_lead") }),
    form,
    h("p", { class: "switch-link" }, h("span", { text: t("auth.have_account") }), " ",
      h("a", { href: "/login", text: t("auth.go_login") })),
  );
}
