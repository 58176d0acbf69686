/** Screens for the features still to come, and the page for a path that leads nowhere. */
import { append, h } from "../dom.js";
import { icon } from "../icons.js";
import { t } from "../i18n.js";
import { linkButton, setPage } from "../ui.js";

const ICONS = { report: "camera", discuss: "discuss", messages: "message" };

export function soonView(feature) {
  return async function comingSoon({ root }) {
    setPage({ title: t(`nav.${feature}`) });
    append(root, h("section", { class: "card soon" },
      icon(ICONS[feature], "icon soon-icon"),
      h("h2", { text: t("soon.title") }),
      h("p", { text: t(`soon.${feature}`) }),
      linkButton(t("common.back_home"), "/", { variant: "secondary" })));
  };
}

export async function notFoundView({ root }) {
  setPage({ title: t("notfound.title"), back: "/" });
  append(root, h("section", { class: "card soon" },
    h("p", { text: t("notfound.text") }),
    linkButton(t("common.back_home"), "/")));
}
