/** 我的: who I am, my communities and their status, language, elder mode, staff tools and signing out. */
import { append, h } from "../dom.js";
import { icon } from "../icons.js";
import { t } from "../i18n.js";
import { elderMode } from "../prefs.js";
import { forgetDevice } from "../push.js";
import { navigate } from "../router.js";
import { canPostNotices, canReviewMemberships, canSeeDashboard, loadMe, logout, session } from "../session.js";
import { badge, button, linkButton, setPage } from "../ui.js";
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
    h("section", { class: "card profile", "aria-labelledby": "profile-name" },
      icon("person", "icon avatar"),
      h("div", {},
        h("h2", { id: "profile-name", text: me?.name || "" }),
        h("p", { class: "muted", text: me?.phone || "" }))),
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
