/** The staff dashboard (数据看板): the three rates with their counts, drill-down, rankings, heat map, overdue. */
import { api, tokens } from "../api.js";
import { append, h, svg } from "../dom.js";
import { formatDateTime, formatPercent, t } from "../i18n.js";
import { navigate } from "../router.js";
import { button, emptyState, errorState, loading, setPage } from "../ui.js";

const RATES = ["response", "resolution", "satisfaction"];
const COUNTS = ["submitted", "fixed", "open_now", "yellow_now", "red_now", "supervised_now", "redone", "supervised"];
const ALERT_COUNTS = new Set(["yellow_now", "red_now", "supervised_now", "redone"]);
const STEPS = ["sign", "contact", "resolve"];

/** "2026-10" → first and last local dates of that month. */
export function monthRange(month) {
  const [year, mon] = month.split("-").map(Number);
  const last = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, "0")}` };
}

/** The current month in China time, as YYYY-MM. */
export function thisMonth() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 7);
}

export function shiftMonth(month, delta) {
  const [year, mon] = month.split("-").map(Number);
  const d = new Date(Date.UTC(year, mon - 1 + delta, 1));
  return d.toISOString().slice(0, 7);
}

/** 0.9231 → "92.3%"; no denominator → "—". */
export function percent(ratio) {
  return ratio?.rate == null ? "—" : formatPercent(ratio.rate);
}

export function fraction(ratio) {
  return t("dashboard.fraction", { numerator: ratio?.numerator ?? 0, denominator: ratio?.denominator ?? 0 });
}

function duration(seconds) {
  if (seconds == null) return "—";
  if (seconds < 3600) return t("dashboard.minutes", { n: Math.max(1, Math.round(seconds / 60)) });
  if (seconds < 2 * 86400) return t("dashboard.hours", { n: Math.round((seconds / 3600) * 10) / 10 });
  return t("dashboard.days", { n: Math.round((seconds / 86400) * 10) / 10 });
}

function dashHref(regionId, month) {
  const query = new URLSearchParams();
  if (regionId) query.set("region_id", regionId);
  if (month) query.set("month", month);
  const text = query.toString();
  return `/staff/dashboard${text ? `?${text}` : ""}`;
}

export function rateCards(rates, { score } = {}) {
  return h("div", { class: "dash-rates" },
    RATES.map((name) => h("div", { class: "dash-rate", dataset: { rate: name } },
      h("p", { class: "dash-rate-name", text: t(`dashboard.rate.${name}`) }),
      h("p", { class: "dash-rate-value", text: percent(rates[name]) }),
      h("p", { class: "dash-rate-fraction", text: fraction(rates[name]) }))),
    score !== undefined
      ? h("div", { class: "dash-rate dash-score" },
        h("p", { class: "dash-rate-name", text: t("dashboard.score") }),
        h("p", { class: "dash-rate-value", text: score == null ? "—" : String(score) }),
        h("p", { class: "dash-rate-fraction", text: t("dashboard.score_hint") }))
      : null);
}

function section(id, title, ...children) {
  return h("section", { class: "card dash-section", "aria-labelledby": id, dataset: { section: id } },
    h("h2", { id, text: title }), ...children);
}

function countTiles(counts, excluded) {
  return h("dl", { class: "dash-counts" },
    COUNTS.map((name) => h("div", { class: `dash-count${ALERT_COUNTS.has(name) && counts[name] ? " is-alert" : ""}`,
      dataset: { count: name } },
    h("dt", { text: t(`dashboard.count.${name}`) }),
    h("dd", { text: String(counts[name] ?? 0) }))),
    h("div", { class: "dash-count", dataset: { count: "excluded" } },
      h("dt", { text: t("dashboard.count.excluded") }),
      h("dd", { text: String(excluded.rejected + excluded.merged_duplicates) })));
}

function timingTable(summary) {
  return h("table", { class: "dash-table" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", text: t("dashboard.step") }),
      h("th", { scope: "col", text: t("dashboard.median") }),
      h("th", { scope: "col", text: t("dashboard.p90") }),
      h("th", { scope: "col", text: t("dashboard.on_time") }))),
    h("tbody", {}, STEPS.map((step) => h("tr", {},
      h("th", { scope: "row", text: t(`dashboard.step.${step}`) }),
      h("td", { text: duration(summary.timings[step].median_s) }),
      h("td", { text: duration(summary.timings[step].p90_s) }),
      h("td", {}, h("span", { text: percent(summary.on_time[step]) }),
        h("span", { class: "dash-small", text: ` ${fraction(summary.on_time[step])}` }))))));
}

function scoreBar(score) {
  const fill = h("span", { class: "rate-fill" });
  fill.style.width = `${Math.max(0, Math.min(100, score || 0))}%`;
  return h("span", { class: "rate-bar", "aria-hidden": "true" }, fill);
}

function childRow(child, month) {
  return h("li", {},
    h("a", { class: "dash-child", href: dashHref(child.region.id, month) },
      h("span", { class: "dash-child-name", text: child.region.name }),
      h("span", { class: "dash-child-figures" },
        RATES.map((name) => h("span", { text: `${t(`dashboard.rate_short.${name}`)} ${percent(child.rates[name])}` })),
        h("span", { text: t("dashboard.submitted_n", { n: child.counts.submitted }) }),
        child.counts.red_now ? h("span", { class: "badge badge-bad", text: t("dashboard.red_n", { n: child.counts.red_now }) }) : null),
      scoreBar(child.score)));
}

function categoryRow(row) {
  return h("tr", {},
    h("th", { scope: "row", text: t("dashboard.subject_name", { zh: row.subject.name, en: row.subject.name_en }) }),
    h("td", { text: String(row.counts.submitted) }),
    RATES.map((name) => h("td", { text: percent(row.rates[name]) })));
}

function nullable(value) {
  return value == null ? "—" : String(value);
}

function participationList(summary) {
  const p = summary.participation;
  const chat = summary.chat;
  const items = [
    [t("dashboard.part.verified"), t("dashboard.part.verified_value", {
      total: p.verified_residents.total, fresh: p.verified_residents.new_in_period, pending: p.verified_residents.pending,
    })],
    [t("dashboard.part.notices"), `${percent(p.notices)} ${fraction(p.notices)} · ${t("dashboard.part.notice_count", { n: p.notices.notices })}`],
    [t("dashboard.part.polls"), p.polls.turnout == null ? "—" : formatPercent(p.polls.turnout)],
    [t("dashboard.part.consultations"), nullable(p.consultations.opinions)],
    [t("dashboard.chat.first_response"), `${duration(chat.first_response.median_s)} / ${duration(chat.first_response.p90_s)}`],
    [t("dashboard.chat.waiting"), nullable(chat.waiting_now)],
    [t("dashboard.chat.csat"), chat.csat.rate == null ? "—" : formatPercent(chat.csat.rate)],
  ];
  return h("dl", { class: "dash-pairs" }, items.map(([label, value]) => h("div", {},
    h("dt", { text: label }), h("dd", { text: value }))));
}

/** Grid polygons as inline SVG, shaded by how many reports each had; the list below says the same in words. */
export function heatMap(data) {
  const rings = data.grids
    .filter((g) => g.boundary?.type === "Polygon")
    .map((g) => ({ grid: g, ring: g.boundary.coordinates[0] }));
  if (!rings.length) return emptyState(t("dashboard.heat_empty"));
  const points = rings.flatMap((r) => r.ring);
  const lngs = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  const [minLng, maxLng, minLat, maxLat] = [Math.min(...lngs), Math.max(...lngs), Math.min(...lats), Math.max(...lats)];
  const squeeze = Math.cos(((minLat + maxLat) / 2) * (Math.PI / 180));
  const width = 320;
  const scale = width / Math.max((maxLng - minLng) * squeeze, 1e-9);
  const height = Math.max(80, Math.round((maxLat - minLat) * scale));
  const max = Math.max(data.max, 1);
  const map = svg("svg", {
    class: "dash-heat", viewBox: `-4 -4 ${width + 8} ${height + 8}`, role: "img",
    "aria-label": t("dashboard.heat_label", { n: rings.length }),
  }, ...rings.map(({ grid, ring }) => {
    const d = ring.map(([lng, lat], i) => `${i ? "L" : "M"}${((lng - minLng) * squeeze * scale).toFixed(1)},${((maxLat - lat) * scale).toFixed(1)}`).join("") + "Z";
    return svg("path", {
      d, fill: "#b42318", "fill-opacity": (0.08 + 0.82 * (grid.count / max)).toFixed(2), stroke: "#1b2430",
      "stroke-width": 1, "data-grid": grid.id, "data-count": grid.count,
    }, svg("title", {}, `${grid.name}: ${grid.count}`));
  }));
  const legend = h("ol", { class: "dash-heat-list" },
    [...data.grids].sort((a, b) => b.count - a.count).map((g) => h("li", {},
      h("span", { text: g.name }), h("span", { class: "dash-heat-count", text: String(g.count) }))));
  return h("div", {}, map, data.unplaced ? h("p", { class: "hint", text: t("dashboard.unplaced", { n: data.unplaced }) }) : null, legend);
}

function rankingTable(ranking) {
  return h("table", { class: "dash-table" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", text: "#" }),
      h("th", { scope: "col", text: t("dashboard.unit") }),
      h("th", { scope: "col", text: t("dashboard.score") }),
      RATES.map((name) => h("th", { scope: "col", text: t(`dashboard.rate_short.${name}`) })))),
    h("tbody", {}, ranking.data.map((row) => h("tr", { dataset: { rank: row.rank } },
      h("td", { text: String(row.rank) }),
      h("th", { scope: "row", text: row.region.name }),
      h("td", { text: row.score == null ? "—" : String(row.score) }),
      RATES.map((name) => h("td", {}, h("span", { text: percent(row.rates[name]) }),
        h("span", { class: "dash-small", text: ` ${fraction(row.rates[name])}` })))))));
}

function overdueList(page) {
  if (!page.data.length) return emptyState(t("dashboard.overdue_none"));
  return h("ul", { class: "dash-overdue" }, page.data.map((row) => h("li", { class: "dash-overdue-item" },
    h("p", { class: "card-title" }, h("a", { href: `/reports/${row.id}`,
      text: `#${row.id} ${t("dashboard.subject_name", { zh: row.category.name, en: row.category.name_en })}` })),
    h("p", { class: "card-meta" },
      h("span", { class: "badge badge-bad", text: t("dashboard.overdue_by", { time: duration(row.overdue_s) }) }),
      " ", h("span", { text: t(`dashboard.due.${row.due_kind}`) }),
      row.supervised ? h("span", { class: "badge badge-pending", text: t("dashboard.count.supervised") }) : null),
    h("p", { class: "muted", text: [row.community.name, row.grid?.name, t("dashboard.due_at", { time: formatDateTime(row.due_at) })].filter(Boolean).join(" · ") }))));
}

/** Downloads the staff CSV with the bearer token (a plain link cannot carry it). */
async function downloadCsv(regionId, range, buttonEl) {
  buttonEl.disabled = true;
  try {
    await api("/me"); // refreshes an expired access token first
    const query = new URLSearchParams({ region_id: regionId, ...range });
    const response = await fetch(`/api/v1/exports/reports.csv?${query}`, {
      headers: { Authorization: `Bearer ${tokens.get()?.access}` },
    });
    if (!response.ok) throw new Error(String(response.status));
    const url = URL.createObjectURL(await response.blob());
    const link = h("a", { href: url, download: `reports-${regionId}-${range.from}-${range.to}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } finally {
    buttonEl.disabled = false;
  }
}

function periodPicker(month, regionId) {
  const input = h("input", { type: "month", id: "dash-month", name: "month", value: month, max: thisMonth() });
  const form = h("form", { class: "dash-period", novalidate: true },
    h("label", { for: "dash-month", text: t("dashboard.month") }), input,
    button(t("dashboard.show"), { type: "submit", variant: "secondary" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (/^\d{4}-\d{2}$/.test(input.value)) navigate(dashHref(regionId, input.value));
  });
  return form;
}

async function optional(promise) {
  try {
    return await promise;
  } catch {
    return null;
  }
}

export async function dashboardView({ root, query, signal }) {
  setPage({ title: t("dashboard.title"), back: "/me" });
  const month = /^\d{4}-\d{2}$/.test(query.get("month") || "") ? query.get("month") : thisMonth();
  const range = monthRange(month);
  const regionQuery = query.get("region_id") ? { region_id: query.get("region_id") } : {};
  root.append(loading());
  let summary;
  try {
    summary = await api("/dashboard/summary", { query: { ...regionQuery, ...range } });
  } catch (err) {
    root.replaceChildren(errorState(err, () => navigate(dashHref(query.get("region_id"), month), { replace: true })));
    return;
  }
  if (signal.aborted) return;
  const region = summary.region;
  setPage({ title: t("dashboard.title_of", { region: region.name }), back: "/me" });
  const rankingLevel = { district: "street", street: "community" }[region.level];
  const [heat, overdue, ranking] = await Promise.all([
    optional(api("/dashboard/heatmap", { query: { region_id: region.id, ...range } })),
    optional(api("/dashboard/overdue", { query: { region_id: region.id, limit: 10 } })),
    rankingLevel ? optional(api("/dashboard/rankings", { query: { level: rankingLevel, period: month, region_id: region.id } })) : null,
  ]);
  if (signal.aborted) return;

  const exportButton = button(t("dashboard.export"), { variant: "secondary", iconName: "check" });
  exportButton.addEventListener("click", () => downloadCsv(region.id, range, exportButton).catch(() => {
    exportButton.after(h("p", { class: "error-text", role: "alert", text: t("error.generic") }));
  }));
  const chartBox = h("div", { class: "dash-chart", id: "dash-trend" }, loading());

  root.replaceChildren();
  append(root,
    h("section", { class: "card dash-head" },
      h("p", { class: "muted", text: t(`dashboard.level.${region.level}`) }),
      h("p", { class: "dash-period-text", text: t("dashboard.period", { from: summary.period.from, to: summary.period.to }) }),
      periodPicker(month, region.id),
      h("p", { class: "actions-row" },
        h("a", { class: "btn btn-secondary", href: dashHref(region.id, shiftMonth(month, -1)), text: t("dashboard.prev_month") }),
        month < thisMonth() ? h("a", { class: "btn btn-secondary", href: dashHref(region.id, shiftMonth(month, 1)), text: t("dashboard.next_month") }) : null)),
    section("dash-rates-title", t("dashboard.rates"), rateCards(summary.rates, { score: summary.score }),
      h("p", { class: "hint", text: t("dashboard.rates_hint") })),
    section("dash-counts-title", t("dashboard.counts"), countTiles(summary.counts, summary.excluded)),
    section("dash-trend-title", t("dashboard.trend"), chartBox),
    summary.children.length
      ? section("dash-children-title", t(`dashboard.children.${summary.child_level}`),
        h("ul", { class: "dash-children" }, summary.children.map((child) => childRow(child, month))))
      : null,
    ranking ? section("dash-ranking-title", t(`dashboard.ranking.${rankingLevel}`), rankingTable(ranking)) : null,
    section("dash-overdue-title", t("dashboard.overdue"), overdue ? overdueList(overdue) : errorState({ status: 500 })),
    section("dash-heat-title", t("dashboard.heat"), heat ? heatMap(heat) : errorState({ status: 500 })),
    section("dash-timing-title", t("dashboard.timings"), timingTable(summary)),
    summary.categories.length
      ? section("dash-categories-title", t("dashboard.categories"),
        h("table", { class: "dash-table" },
          h("thead", {}, h("tr", {},
            h("th", { scope: "col", text: t("dashboard.subject") }),
            h("th", { scope: "col", text: t("dashboard.count.submitted") }),
            RATES.map((name) => h("th", { scope: "col", text: t(`dashboard.rate_short.${name}`) })))),
          h("tbody", {}, summary.categories.map(categoryRow))))
      : null,
    section("dash-part-title", t("dashboard.participation"), participationList(summary)),
    section("dash-export-title", t("dashboard.exports"), h("p", { class: "hint", text: t("dashboard.export_hint") }),
      h("div", { class: "actions-row" }, exportButton,
        h("a", { class: "btn btn-secondary", href: `/api/v1/exports/open-data.csv?${new URLSearchParams({ region_id: region.id, ...range })}`, download: "", text: t("dashboard.open_data") }))),
  );

  // The chart library loads only here, after the figures are on screen.
  const months = Array.from({ length: 6 }, (_, i) => shiftMonth(month, i - 5));
  const trend = await Promise.all(months.map((m) => (m === month
    ? summary
    : optional(api("/dashboard/summary", { query: { region_id: region.id, ...monthRange(m) } })))));
  if (signal.aborted) return;
  try {
    const { drawTrend } = await import("./dashboard-chart.js");
    if (!signal.aborted) await drawTrend(chartBox, months, trend);
  } catch {
    chartBox.replaceChildren(h("p", { class: "muted", text: t("dashboard.chart_failed") }));
  }
}
