/** 附近问题地图: public reports around me as coloured dots over the grids, with a legend; no personal data. */
import { append, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { categoryName } from "../reports.js";
import { errorState, linkButton, loading, setPage } from "../ui.js";

function here() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve({});
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ lat: pos.coords.latitude, lng: pos.coords.longitude }),
      () => resolve({}),
      { timeout: 8000, maximumAge: 120_000 },
    );
    return undefined;
  });
}

export async function reportMapView({ root, signal, rerender }) {
  setPage({ title: t("report.map"), back: "/report" });
  const box = h("div", { class: "report-map", role: "region", "aria-label": t("report.map") });
  append(root, loading());
  let mapping;
  try {
    const [module, start] = await Promise.all([import("../reports-map.js"), here()]);
    if (signal.aborted) return;
    root.replaceChildren(box);
    const { L, map } = await module.baseMap(box, { ...start, zoom: 15 });
    mapping = { L, map };
    module.reportLayer(L, map, (point) => h("div", { class: "map-popup" },
      h("strong", { text: categoryName(point.category) }),
      h("p", { text: `${t(`report.status_${point.status}`)} · ${formatDate(point.created_at)}` }),
      point.me_too_count ? h("p", { text: t("report.me_too_count", { n: point.me_too_count }) }) : null,
      h("a", { href: `/reports/${point.id}`, text: t("report.view") })));
    const legend = h("ul", { class: "map-legend", "aria-label": t("report.legend") },
      Object.entries(module.STATUS_COLORS).map(([status, color]) => {
        const dot = h("span", { class: "legend-dot", "aria-hidden": "true" });
        dot.style.backgroundColor = color;
        return h("li", {}, dot, h("span", { text: t(`report.status_${status}`) }));
      }));
    append(root, legend, h("p", { class: "hint", text: t("report.map_hint") }),
      h("div", { class: "actions-row" }, linkButton(t("report.new"), "/report", { iconName: "camera" })));
  } catch (err) {
    root.replaceChildren(errorState(err.status !== undefined ? err : { offline: !navigator.onLine }, rerender));
    return;
  }
  signal.addEventListener("abort", () => mapping?.map.remove());
}
