/** 工单: a staff member's queue of reports, due soonest first with yellow/red badges, and everything overdue
 * in their area. The scopes offered follow their roles. */
import { api } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { pagedList } from "../paged.js";
import { session, staffMemberships } from "../session.js";
import { emptyState, linkButton, setPage } from "../ui.js";
import { reportCard } from "./report.js";

// The widest scope each role works in (app/reports/queries.py scopes).
const SCOPE_OF_ROLE = { grid_worker: "grid", community_worker: "community", street_staff: "street", admin: "street",
  department_staff: "assigned" };
const ORDER = ["grid", "community", "street", "assigned"];

export function workScopes(me) {
  const roles = new Set(staffMemberships(me, new Set(Object.keys(SCOPE_OF_ROLE))).map((m) => m.role));
  const scopes = new Set([...roles].map((r) => SCOPE_OF_ROLE[r]));
  if (roles.has("grid_worker") || roles.has("community_worker")) scopes.add("assigned");
  return ORDER.filter((s) => scopes.has(s));
}

export async function reportWorkView({ root, query, signal }) {
  setPage({ title: t("report.work"), back: "/report" });
  const scopes = workScopes(session.me);
  if (!scopes.length) {
    append(root, emptyState(t("report.work_none"), linkButton(t("report.new"), "/report")));
    return;
  }
  const scope = scopes.includes(query.get("scope")) ? query.get("scope") : scopes[0];
  const overdue = query.get("overdue") === "1";
  const chip = (label, href, current) => h("a", { class: `chip${current ? " is-current" : ""}`, href,
    "aria-current": current ? "page" : null, text: label });
  const filters = h("nav", { class: "chips", "aria-label": t("report.work_filters") },
    scopes.map((s) => chip(t(`report.scope_${s}`), `/report/work?scope=${s}`, s === scope && !overdue)),
    chip(t("report.overdue"), `/report/work?scope=${scopes.filter((s) => s !== "assigned").at(-1) || scope}&overdue=1`, overdue));
  const list = pagedList({
    label: t("report.work"),
    emptyText: overdue ? t("report.overdue_empty") : t("report.work_empty"),
    signal,
    fetchPage: (cursor) => api("/reports", { query: {
      scope, sort: "deadline", cursor, limit: 20, warning: overdue ? "red" : undefined,
    } }),
    renderItem: reportCard,
  });
  append(root, filters, h("div", { class: "actions-row" },
    linkButton(t("report.on_spot_new"), "/report", { iconName: "camera", variant: "secondary" })), list.element);
  list.reload();
}
