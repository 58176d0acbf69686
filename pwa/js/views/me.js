/** 我的: who I am (and my photo), my communities and their status, language, elder mode, staff tools and
 * signing out. */
import { api } from "../api.js";
import { append, clear, h } from "../dom.js";
import { icon } from "../icons.js";
import { t } from "../i18n.js";
import { elderMode } from "../prefs.js";
import { forgetDevice } from "../push.js";
import { navigate } from "../router.js";
import {
  canPostNotices, canReviewMemberships, canSeeDashboard, isStaff, keepMe, loadMe, logout, session,
} from "../session.js";
import { actionErrorText, badge, button, linkButton, setPage } from "../ui.js";
import { elderSwitch, languageSwitch, textSizeSwitch } from "./settings.js";

const STATUS_KIND = { active: "ok", pending: "pending", rejected: "bad" };

function membershipItem(m) {
  return h("li", { class: "membership" },
    h("div", { class: "membership-main" },
      h("p", { class: "membership-region", text: m.region.name }),
      h("p", { class: "membership-detail", text: [t(`role.${m.role}`), m.unit?.label].filter(Boolean).join(" · ") })),
    badge(t(`membership.${m.status}`), STATUS_KIND[m.status] || "neutral"));
}

function navItem(label, href, iconName) {
  return h("li", {}, h("a", { class: "choice", href }, icon(iconName), h("span", { text: label }), icon("chevron")));
}

/** My photo (residents see it on my chat card), name and phone, with large buttons to set, change or remove it. */
function profileCard(me) {
  const photo = h("span", { class: "profile-photo" });
  const status = h("p", { class: "hint profile-status", role: "status" });
  const file = h("input", { type: "file", accept: "image/*", class: "visually-hidden", tabindex: "-1", "aria-hidden": "true" });
  const choose = button(t("me.photo_set"), {
    variant: "secondary", iconName: "camera", class: "btn btn-secondary btn-block profile-photo-choose", onclick: () => file.click(),
  });
  const remove = button(t("me.photo_remove"), { variant: "secondary", class: "btn btn-secondary btn-block profile-photo-remove" });

  function paint(current) {
    clear(photo);
    const fallback = () => clear(photo).append(icon("person", "icon avatar"));
    if (current?.photo_url) {
      // A link kept from an offline start may have expired: then the plain figure, not a broken image.
      append(photo, h("img", { class: "avatar avatar-photo", src: current.photo_url, alt: t("me.photo_alt"), onerror: fallback }));
    } else {
      fallback();
    }
    choose.querySelector("span").textContent = t(current?.photo_url ? "me.photo_change" : "me.photo_set");
    remove.hidden = !current?.photo_url;
  }

  async function act(trigger, busyText, work, doneText) {
    choose.disabled = remove.disabled = true;
    status.textContent = busyText;
    try {
      paint(keepMe(await work()));
      status.textContent = doneText;
    } catch (err) {
      status.textContent = actionErrorText(err);
    } finally {
      choose.disabled = remove.disabled = false;
    }
    // Disabling the buttons dropped the focus; give it back (to "set" once "remove" has hidden itself).
    if (document.activeElement === document.body) (trigger.hidden ? choose : trigger).focus();
  }

  file.addEventListener("change", () => {
    const chosen = file.files?.[0];
    file.value = "";
    if (!chosen) return;
    act(choose, t("me.photo_uploading"), async () => {
      // A camera photo can be several megabytes; shrink it first (loaded on demand, like the report screens).
      const { shrink } = await import("../reports.js");
      const image = await shrink(chosen);
      const form = new FormData();
      form.append("file", image, image.name || "photo.jpg");
      const uploaded = await api("/uploads", { method: "POST", body: form, headers: { "Idempotency-Key": crypto.randomUUID() } });
      return api("/me/photo", { method: "PUT", body: { upload_id: uploaded.id } });
    }, t("me.photo_saved"));
  });
  remove.addEventListener("click", () => act(remove, t("me.photo_removing"), async () => {
    await api("/me/photo", { method: "DELETE" });
    return { ...session.me, photo_url: null };
  }, t("me.photo_removed")));

  paint(me);
  return h("section", { class: "card profile", "aria-labelledby": "profile-name" },
    h("div", { class: "profile-head" },
      photo,
      h("div", {},
        h("h2", { id: "profile-name", text: me?.name || "" }),
        h("p", { class: "muted", text: me?.phone || "" }))),
    me ? h("div", { class: "profile-photo-actions" },
      isStaff(me) ? h("p", { class: "hint", text: t("me.photo_hint") }) : null, choose, remove, file, status) : null);
}

export async function meView({ root, signal }) {
  setPage({ title: t("me.title") });
  await loadMe().catch(() => {});
  const me = session.me;
  const memberships = me?.memberships || [];
  const staffLinks = [];
  if (canReviewMemberships(me)) staffLinks.push(navItem(t("staff.applications"), "/staff/applications", "check"));
  if (canPostNotices(me)) {
    staffLinks.push(navItem(t("staff.compose"), "/staff/notices/new", "plus"));
    staffLinks.push(navItem(t("staff.manage_notices"), "/staff/notices", "message"));
  }
  if (canSeeDashboard(me)) staffLinks.push(navItem(t("dashboard.title"), "/staff/dashboard", "clock"));
  // Residents' window on how their community is served (社区成绩单).
  const communityLinks = memberships
    .filter((m) => m.role === "resident" && m.status === "active" && m.region.level === "community")
    .map((m) => navItem(t("dashboard.public.link", { community: m.region.name }), `/community/${m.region.id}/stats`, "check"));
  const sizes = textSizeSwitch();
  // Elder mode keeps four tabs; 议事 and 投票 stay one large tap away from here.
  const discuss = h("section", { class: "card", "aria-labelledby": "discuss-title" },
    h("h2", { id: "discuss-title", text: t("nav.discuss") }),
    h("ul", { class: "choice-list" }, navItem(t("me.discuss_link"), "/discuss", "discuss")));
  sizes.hidden = discuss.hidden = !elderMode();
  const onPrefs = () => {
    sizes.hidden = discuss.hidden = !elderMode();
  };
  window.addEventListener("linli:prefs", onPrefs);
  signal.addEventListener("abort", () => window.removeEventListener("linli:prefs", onPrefs));

  const logoutButton = button(t("me.logout"), { variant: "secondary", class: "btn btn-secondary btn-block" });
  logoutButton.addEventListener("click", async () => {
    logoutButton.disabled = true;
    await forgetDevice();
    await logout();
    navigate("/login", { replace: true });
  });

  append(root, 
    profileCard(me),
    h("section", { class: "card", "aria-labelledby": "memberships-title" },
      h("h2", { id: "memberships-title", text: t("me.memberships") }),
      memberships.length
        ? h("ul", { class: "membership-list" }, memberships.map(membershipItem))
        : h("p", { class: "muted", text: t("me.no_memberships") }),
      communityLinks.length ? h("ul", { class: "choice-list" }, communityLinks) : null,
      linkButton(t("me.join_another"), "/join", { variant: "secondary", iconName: "location" })),
    discuss,
    staffLinks.length
      ? h("section", { class: "card", "aria-labelledby": "staff-title" },
        h("h2", { id: "staff-title", text: t("staff.workbench") }),
        h("ul", { class: "choice-list" }, staffLinks))
      : null,
    h("section", { class: "card", "aria-labelledby": "settings-title" },
      h("h2", { id: "settings-title", text: t("settings.title") }),
      languageSwitch(), elderSwitch(), sizes,
      h("p", { class: "hint", text: t("settings.elder_hint") }),
      h("ul", { class: "choice-list" }, navItem(t("push.settings_title"), "/settings/notifications", "message"))),
    logoutButton,
  );
}
