/** The residents' page of a community (社区成绩单): this month's three rates and how many reports were fixed. */
import { api } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { errorState, loading, setPage } from "../ui.js";
import { rateCards } from "./dashboard.js";

export async function communityStatsView({ root, params, signal }) {
  setPage({ title: t("dashboard.public.title"), back: "/me" });
  root.append(loading());
  let stats;
  try {
    stats = await api(`/public/communities/${encodeURIComponent(params.id)}/stats`, { auth: false });
  } catch (err) {
    root.replaceChildren(errorState(err));
    return;
  }
  if (signal.aborted) return;
  setPage({ title: t("dashboard.public.title_of", { community: stats.community.name }), back: "/me" });
  root.replaceChildren();
  append(root,
    h("section", { class: "card dash-section", "aria-labelledby": "public-fixed" },
      h("p", { class: "muted", text: t("dashboard.period", { from: stats.period.from, to: stats.period.to }) }),
      h("h2", { id: "public-fixed", class: "dash-fixed", text: t("dashboard.public.fixed", { n: stats.fixed }) }),
      h("p", { class: "hint", text: t("dashboard.public.submitted", { n: stats.submitted }) })),
    h("section", { class: "card dash-section", "aria-labelledby": "public-rates" },
      h("h2", { id: "public-rates", text: t("dashboard.rates") }),
      rateCards(stats.rates),
      h("p", { class: "hint", text: t("dashboard.public.explain") })));
}
