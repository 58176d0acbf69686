/** 通知设置: this device's push state with a button to turn it on or off, and one switch per kind of
 * notification (GET|PATCH /me/notification-settings), saved at once and put back if saving fails. */
import { api } from "../api.js";
import { append, h, uid } from "../dom.js";
import { t } from "../i18n.js";
import { PushError, currentSubscription, failureTexts, pushConfig, pushState, turnOff, turnOn } from "../push.js";
import { isStaff, session } from "../session.js";
import { actionErrorText, announce, button, errorState, loading, setPage } from "../ui.js";

const RESIDENT_KINDS = ["notice", "notice_urgent", "report_update", "chat_reply", "poll", "consultation_outcome"];
const STAFF_KINDS = ["staff_new_report", "staff_deadline", "staff_new_conversation"];

function deviceSection(fallbackKinds) {
  const titleId = uid("push-device");
  const stateText = h("p", { class: "push-state", dataset: { state: "" } });
  const detail = h("div", { class: "push-detail", role: "status" });
  const actions = h("div", { class: "actions-row" });
  const section = h("section", { class: "card push-device", "aria-labelledby": titleId },
    h("h2", { id: titleId, text: t("push.device_title") }), stateText, detail, actions);

  async function show(state, extra = []) {
    section.dataset.state = state;
    stateText.dataset.state = state;
    stateText.textContent = t(`push.state_${state}`);
    const texts = [...extra];
    if (state === "blocked" && !extra.length) texts.push(t("push.how_to_unblock"));
    if (state === "unsupported" && !extra.length) texts.push(t("push.reason_unsupported"));
    if (state !== "on" && fallbackKinds.length && !texts.includes(t("push.sms_fallback"))) texts.push(t("push.sms_fallback"));
    detail.replaceChildren(...texts.map((text) => h("p", { class: "hint", text })));
    actions.replaceChildren();
    if (state === "on") actions.append(button(t("push.turn_off"), { variant: "secondary", dataset: { push: "off" }, onclick: off }));
    if (state === "off") actions.append(button(t("push.turn_on"), { dataset: { push: "on" }, onclick: on }));
  }

  function working(el) {
    el.disabled = true;
    section.setAttribute("aria-busy", "true");
    detail.replaceChildren(h("p", { class: "hint", text: t("push.working") }));
  }

  async function on(event) {
    working(event.currentTarget);
    try {
      await turnOn();
      await show("on", [t("push.on_done")]);
      announce(t("push.on_done"));
    } catch (err) {
      const reason = err instanceof PushError ? err.reason : "failed";
      const state = reason === "blocked" ? "blocked" : await pushState();
      await show(state, reason === "later" ? [] : failureTexts(reason, fallbackKinds));
    } finally {
      section.removeAttribute("aria-busy");
    }
  }

  async function off(event) {
    working(event.currentTarget);
    try {
      await turnOff();
      await show("off", [t("push.off_done")]);
      announce(t("push.off_done"));
    } catch (err) {
      await show(await pushState(), [actionErrorText(err)]);
    } finally {
      section.removeAttribute("aria-busy");
    }
  }

  return { section, show };
}

function kindSwitch(kind, checked, save) {
  const id = uid(`kind-${kind}`);
  const hintId = `${id}-hint`;
  const nameId = `${id}-name`;
  // Named by its title alone (the hint describes it), so a screen reader says "社区通知, switch, on".
  const input = h("input", {
    type: "checkbox", role: "switch", id, class: "switch", checked, dataset: { kind },
    "aria-labelledby": nameId, "aria-describedby": hintId,
  });
  const note = h("span", { class: "switch-note", "aria-hidden": "true" });
  input.addEventListener("change", () => save(kind, input, note));
  return h("li", { class: "switch-row" },
    h("label", { for: id },
      h("span", { class: "switch-label", id: nameId, text: t(`push.kind_${kind}`) }),
      h("span", { class: "hint", id: hintId, text: t(`push.kind_${kind}_hint`) }),
      note),
    input);
}

export async function notificationsView({ root, signal }) {
  setPage({ title: t("push.settings_title"), back: "/me" });
  root.append(loading());
  let settings;
  let fallbackKinds = [];
  try {
    [settings] = await Promise.all([
      api("/me/notification-settings"),
      pushConfig().then((c) => {
        fallbackKinds = c.fallback_kinds || [];
      }).catch(() => {}),
    ]);
  } catch (err) {
    if (!signal.aborted) root.replaceChildren(errorState(err, () => notificationsView({ root, signal })));
    return;
  }
  if (signal.aborted) return;

  // PATCH one kind; on failure the switch goes back to what the server has, and says why.
  async function save(kind, input, note) {
    const wanted = input.checked;
    input.disabled = true;
    note.className = "switch-note";
    note.textContent = t("push.saving");
    try {
      settings = await api("/me/notification-settings", { method: "PATCH", body: { [kind]: wanted } });
      input.checked = settings[kind];
      note.classList.add("is-ok");
      note.textContent = t(wanted ? "push.saved_on" : "push.saved_off");
      announce(`${t(`push.kind_${kind}`)} · ${note.textContent}`);
    } catch (err) {
      input.checked = settings[kind];
      note.classList.add("is-error");
      note.textContent = actionErrorText(err);
      announce(`${t(`push.kind_${kind}`)} · ${t("push.save_failed")} ${note.textContent}`);
    } finally {
      input.disabled = false;
    }
  }

  const device = deviceSection(fallbackKinds);
  const kindsTitle = uid("push-kinds");
  const staffTitle = uid("push-staff");
  root.replaceChildren();
  append(root,
    device.section,
    h("section", { class: "card", "aria-labelledby": kindsTitle },
      h("h2", { id: kindsTitle, text: t("push.kinds_title") }),
      h("p", { class: "hint", text: t("push.kinds_hint") }),
      h("ul", { class: "switch-list" }, RESIDENT_KINDS.map((kind) => kindSwitch(kind, settings[kind], save)))),
    isStaff(session.me)
      ? h("section", { class: "card", "aria-labelledby": staffTitle },
        h("h2", { id: staffTitle, text: t("push.staff_title") }),
        h("ul", { class: "switch-list" }, STAFF_KINDS.map((kind) => kindSwitch(kind, settings[kind], save))))
      : null,
  );
  const state = await pushState();
  if (state === "on") {
    // Re-register quietly: the server may have pruned this device, or it was someone else's sign-in before.
    const sub = await currentSubscription();
    if (sub) await api("/push/subscriptions", { method: "POST", body: sub.toJSON() }).catch(() => {});
  }
  if (!signal.aborted) await device.show(state);
}
