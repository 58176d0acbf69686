/** The dashboard's trend chart: the three rates month by month, drawn by the vendored uPlot (loaded lazily). */
import { h } from "../dom.js";
import { formatPercent, t } from "../i18n.js";
import { elderMode } from "../prefs.js";

const UPLOT = "/vendor/uplot/uPlot-1.6.32.esm.js";
const UPLOT_CSS = "/vendor/uplot/uPlot-1.6.32.min.css";
const SERIES = [
  { name: "response", stroke: "#0b5cad", dash: [] },
  { name: "resolution", stroke: "#146c43", dash: [6, 4] },
  { name: "satisfaction", stroke: "#b45309", dash: [2, 3] },
];

function loadCss() {
  if (document.querySelector(`link[href="${UPLOT_CSS}"]`)) return;
  document.head.append(h("link", { rel: "stylesheet", href: UPLOT_CSS }));
}

function monthStart(month) {
  const [year, mon] = month.split("-").map(Number);
  return Date.UTC(year, mon - 1, 1) / 1000;
}

/** A line per rate (percent) over `months`; the table under it carries the same numbers in words. */
export async function drawTrend(box, months, summaries) {
  loadCss();
  const { default: uPlot } = await import(UPLOT);
  const xs = months.map(monthStart);
  const values = SERIES.map((s) => summaries.map((sum) => {
    const rate = sum?.rates[s.name]?.rate;
    return rate == null ? null : Math.round(rate * 1000) / 10;
  }));
  const big = elderMode();
  const font = big ? "bold 16px sans-serif" : "12px sans-serif";
  const width = Math.max(260, Math.min(box.clientWidth || 320, 720));
  const plotBox = h("div", { class: "dash-plot", role: "img", "aria-label": t("dashboard.trend_label") });
  const table = h("table", { class: "dash-table dash-trend-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("dashboard.month") }),
      SERIES.map((s) => h("th", { scope: "col", text: t(`dashboard.rate_short.${s.name}`) })))),
    h("tbody", {}, months.map((m, i) => h("tr", {}, h("th", { scope: "row", text: m }),
      SERIES.map((s, j) => h("td", { text: values[j][i] == null ? "—" : formatPercent(values[j][i] / 100) }))))));
  box.replaceChildren(plotBox, table);
  const plot = new uPlot({
    width,
    height: big ? 260 : 200,
    scales: { x: { time: true }, y: { range: [0, 100] } },
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    axes: [
      { font, values: (_u, ticks) => ticks.map((v) => new Date(v * 1000).toISOString().slice(2, 7)) },
      { font, values: (_u, ticks) => ticks.map((v) => `${v}%`), size: big ? 60 : 44 },
    ],
    series: [
      { label: t("dashboard.month"), value: (_u, v) => (v == null ? "" : new Date(v * 1000).toISOString().slice(0, 7)) },
      ...SERIES.map((s) => ({
        label: t(`dashboard.rate_short.${s.name}`), stroke: s.stroke, width: big ? 3 : 2, dash: s.dash,
        points: { size: big ? 9 : 6 }, value: (_u, v) => (v == null ? "—" : `${v}%`),
      })),
    ],
  }, [xs, ...values], plotBox);
  return plot;
}
