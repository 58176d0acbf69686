/** 投票: the polls in my scope, one poll's ballot (with a confirm step and a receipt kept on the phone),
 * results with turnout and quorum bars in plain words, receipt verification, decision and follow-through. */
import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDateTime, formatPercent, t } from "../i18n.js";
import { pagedList } from "../paged.js";
import { session } from "../session.js";
import {
  actionErrorText, announce, badge, busy, button, emptyState, errorState, field, formAlert, linkButton, loading,
  setPage,
} from "../ui.js";

const RECEIPTS_KEY = "linli.pollReceipts";
const POLL_ROLES = new Set(["committee", "community_worker", "street_staff", "admin"]);

/** Receipts this phone received, by poll id: {receipt, at}. */
export function savedReceipts() {
  try {
    return JSON.parse(localStorage.getItem(RECEIPTS_KEY)) || {};
  } catch {
    return {};
  }
}

function saveReceipt(pollId, receipt) {
  const all = savedReceipts();
  all[pollId] = { receipt, at: new Date().toISOString() };
  localStorage.setItem(RECEIPTS_KEY, JSON.stringify(all));
}

export function canCreatePolls(me) {
  return (me?.memberships || []).some((m) => m.status === "active" && POLL_ROLES.has(m.role));
}

function statusBadge(poll) {
  const kind = poll.status === "open" ? "ok" : poll.status === "closed" ? "neutral" : "pending";
  return badge(t(`polls.status_${poll.status}`), kind);
}

function pollCard(poll) {
  const me = poll.me || {};
  return h("li", {},
    h("a", { class: "card notice-card poll-card", href: `/polls/${poll.id}`, dataset: { pollId: String(poll.id) } },
      h("div", { class: "badges" },
        statusBadge(poll),
        badge(t(`polls.counting_${poll.counting}`), "category"),
        me.voted ? badge(me.by_me ? t("polls.voted_badge") : t("polls.key_voted_badge"), "ok") : null,
        !me.voted && me.eligible && poll.status === "open" ? badge(t("polls.can_vote_badge"), "unread") : null),
      h("h2", { class: "card-title", text: poll.title }),
      h("p", { class: "card-meta" },
        h("span", { text: poll.region_name }),
        h("span", { "aria-hidden": "true", text: " · " }),
        h("span", { text: poll.status === "closed"
          ? t("polls.closed_at", { when: formatDateTime(poll.closed_at || poll.closes_at) })
          : t("polls.closes_at", { when: formatDateTime(poll.closes_at) }) }))));
}

export async function pollsView({ root, signal }) {
  setPage({ title: t("polls.title"), back: "/discuss" });
  const list = (status, label, empty) => pagedList({
    label, emptyText: empty, signal,
    fetchPage: (cursor) => api("/polls", { query: { status, cursor, limit: 20 } }),
    renderItem: pollCard,
  });
  const open = list("open", t("polls.open_list"), t("polls.none_open"));
  const closed = list("closed", t("polls.closed_list"), t("polls.none_closed"));
  append(root,
    canCreatePolls(session.me)
      ? h("div", { class: "actions-row" }, linkButton(t("polls.create"), "/polls/new", { iconName: "plus" }))
      : null,
    h("section", { class: "poll-section", "aria-labelledby": "polls-open" },
      h("h2", { id: "polls-open", class: "section-title", text: t("polls.open_list") }), open.element),
    h("section", { class: "poll-section", "aria-labelledby": "polls-closed" },
      h("h2", { id: "polls-closed", class: "section-title", text: t("polls.closed_list") }), closed.element));
  open.reload();
  closed.reload();
}

// --- one poll -----------------------------------------------------------------------------------------

function bar(ratio, { marker = null, label }) {
  const fill = h("span", { class: "poll-bar-fill" });
  fill.style.width = `${Math.min(100, Math.round(ratio * 1000) / 10)}%`;
  const el = h("div", { class: "poll-bar", role: "img", "aria-label": label }, fill);
  if (marker !== null) {
    const mark = h("span", { class: "poll-bar-marker" });
    mark.style.left = `${marker * 100}%`;
    el.append(mark);
  }
  return el;
}

function rulesCard(poll) {
  const rules = [
    t(`polls.explain_${poll.counting}`),
    poll.counting === "owners" ? t(`polls.explain_${poll.threshold}`) : null,
    t(`polls.explain_${poll.secrecy}`),
    t(`polls.explain_results_${poll.results}`),
    poll.kind === "multiple" ? t("polls.explain_multiple", { n: poll.max_choices }) : null,
  ].filter(Boolean);
  const roll = poll.roll;
  return h("section", { class: "card poll-rules", "aria-labelledby": "poll-rules" },
    h("h2", { id: "poll-rules", text: t("polls.rules_title") }),
    h("ul", { class: "poll-rule-list" }, rules.map((text) => h("li", { text }))),
    roll ? h("p", { class: "poll-roll", text: poll.counting === "owners"
      ? t("polls.roll_owners", { heads: roll.heads, area: roll.area })
      : t("polls.roll_people", { heads: roll.heads }) }) : null,
    roll ? h("p", { class: "poll-hash" }, h("span", { text: t("polls.fingerprint") }),
      h("code", { text: roll.fingerprint })) : null);
}

function choiceForm(poll, onDone) {
  const multiple = poll.kind === "multiple";
  const alert = formAlert();
  const choices = h("fieldset", { class: "poll-choices" },
    h("legend", { text: multiple ? t("polls.choose_many", { n: poll.max_choices }) : t("polls.choose_one") }),
    poll.options.map((o) => h("label", { class: "poll-choice" },
      h("input", { type: multiple ? "checkbox" : "radio", name: "option", value: String(o.id) }),
      h("span", { text: o.label }))));
  const confirm = h("div", { class: "poll-confirm", hidden: true });
  const next = button(t("polls.next"), { type: "submit" });
  const form = h("form", { class: "card poll-ballot", novalidate: true, "aria-labelledby": "ballot-title" },
    h("h2", { id: "ballot-title", text: t("polls.ballot_title") }), choices, alert,
    h("div", { class: "actions-row" }, next), confirm);

  const picked = () => [...form.querySelectorAll("input[name=option]:checked")].map((el) => Number(el.value));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    alert.hidden = true;
    const ids = picked();
    if (!ids.length || ids.length > poll.max_choices) {
      alert.textContent = ids.length ? t("polls.too_many", { n: poll.max_choices }) : t("polls.pick_one");
      alert.hidden = false;
      return;
    }
    const labels = poll.options.filter((o) => ids.includes(o.id)).map((o) => o.label);
    choices.disabled = true;
    next.hidden = true;
    const send = button(t("polls.confirm_vote"), { iconName: "check" });
    // One key per confirmed choice: a retry after a lost answer gets the same receipt, not a 409.
    const clientId = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
    const back = button(t("polls.change"), { variant: "secondary" });
    confirm.replaceChildren(
      h("p", { class: "poll-confirm-title", text: t("polls.confirm_title") }),
      h("ul", { class: "poll-picked" }, labels.map((label) => h("li", { text: label }))),
      h("p", { class: "hint", text: t("polls.confirm_final") }),
      h("div", { class: "actions-row" }, send, back));
    confirm.hidden = false;
    send.focus();
    back.addEventListener("click", () => {
      choices.disabled = false;
      next.hidden = false;
      confirm.hidden = true;
    });
    send.addEventListener("click", async () => {
      busy(confirm, true);
      try {
        const result = await api(`/polls/${poll.id}/ballots`, { method: "POST", body: { option_ids: ids, client_id: clientId } });
        const first = Object.keys(savedReceipts()).length === 0;
        saveReceipt(poll.id, result.receipt);
        announce(t("polls.voted_announce"));
        if (first) window.dispatchEvent(new CustomEvent("linli:engaged", { detail: { kind: "vote" } }));
        onDone(result.receipt);
      } catch (err) {
        busy(confirm, false);
        alert.textContent = err.code === "already_voted" ? err.message : actionErrorText(err);
        alert.hidden = false;
      }
    });
  });
  return form;
}

function receiptCard(receipt, { fresh }) {
  return h("section", { class: "card poll-receipt callout", "aria-labelledby": "receipt-title" },
    h("h2", { id: "receipt-title", text: fresh ? t("polls.voted_title") : t("polls.your_receipt") }),
    fresh ? h("p", { text: t("polls.voted_text") }) : null,
    h("p", { class: "poll-receipt-code", dataset: { receipt }, text: receipt }),
    h("p", { class: "hint", text: t("polls.receipt_saved") }));
}

function votedState(poll) {
  const me = poll.me;
  if (me.channel === "paper") return t("polls.voted_paper");
  if (me.by_me) return t("polls.voted_me");
  return t(`polls.voted_other_${poll.counting}`);
}

function resultsCard(poll, result) {
  const turnout = result.turnout;
  const headsRatio = turnout.eligible_heads ? turnout.heads / turnout.eligible_heads : 0;
  const owners = poll.counting === "owners";
  const unit = owners ? t("polls.unit_owners") : poll.counting === "household" ? t("polls.unit_households") : t("polls.unit_people");
  const rows = result.options.map((o) => {
    const ratio = turnout.heads ? o.count / turnout.heads : 0;
    return h("li", { class: "poll-result-row", dataset: { optionId: String(o.id) } },
      h("div", { class: "poll-result-label" },
        h("span", { text: o.label }),
        h("span", { class: "poll-result-count", text: owners
          ? t("polls.count_area", { count: o.count, area: o.area })
          : t("polls.count", { count: o.count }) })),
      bar(ratio, { label: formatPercent(ratio) }));
  });
  const blocks = [
    h("h3", { text: t("polls.turnout") }),
    h("p", { class: "poll-turnout", text: t("polls.turnout_heads", {
      heads: turnout.heads, eligible: turnout.eligible_heads, unit, percent: formatPercent(headsRatio) }) }),
    bar(headsRatio, { marker: owners ? 2 / 3 : null, label: formatPercent(headsRatio) }),
  ];
  if (owners) {
    const areaRatio = Number(turnout.eligible_area) ? Number(turnout.area) / Number(turnout.eligible_area) : 0;
    blocks.push(
      h("p", { class: "poll-turnout", text: t("polls.turnout_area", {
        area: turnout.area, eligible: turnout.eligible_area, percent: formatPercent(areaRatio) }) }),
      bar(areaRatio, { marker: 2 / 3, label: formatPercent(areaRatio) }),
      h("p", { class: `poll-quorum ${result.quorum_met ? "is-ok" : "is-short"}`,
        text: result.quorum_met ? t("polls.quorum_met") : t("polls.quorum_short") }),
      h("p", { class: "hint", text: t("polls.quorum_explain") }));
  }
  let verdict = null;
  if (result.passed !== null && result.passed !== undefined) {
    const open = poll.status !== "closed"; // live results: say it is the standing so far, not the outcome
    const key = result.passed ? (open ? "polls.passing_now" : "polls.passed") : (open ? "polls.not_passing_now" : "polls.not_passed");
    verdict = h("p", { class: `poll-verdict ${result.passed ? "is-ok" : "is-short"}`, text: t(key) });
  }
  return h("section", { class: "card poll-results", "aria-labelledby": "results-title" },
    h("h2", { id: "results-title", text: poll.status === "closed" ? t("polls.results_final") : t("polls.results_live") }),
    h("ul", { class: "poll-result-list" }, rows),
    ...blocks,
    verdict,
    owners && result.passed !== null ? h("p", { class: "hint", text: t(`polls.pass_explain_${poll.threshold}`) }) : null);
}

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Fetches the whole published list, finds the receipt and recomputes the chain up to the published head. */
async function verifyReceipt(pollId, receipt) {
  let after = 0;
  let page;
  let head = null;
  let found = null;
  // WebCrypto exists only in secure contexts (https, localhost): without it the chain cannot be recomputed
  // here, and echoing the server's own hashes would claim a check that never ran.
  const canHash = Boolean(crypto.subtle);
  do {
    page = await api(`/polls/${pollId}/receipts`, { query: { after, limit: 5000 } });
    if (head === null) head = page.genesis;
    for (const entry of page.data) {
      head = canHash ? await sha256Hex(`${head}|${entry.seq}|${entry.receipt}|${entry.digest}`) : entry.hash;
      if (entry.receipt === receipt) found = entry;
    }
    after = page.next_after;
  } while (after);
  return { found, chainOk: canHash ? head === page.chain_head : null, count: page.ballot_count };
}

function verifyCard(poll, receipt) {
  const out = h("p", { class: "poll-verify-result", role: "status" });
  const check = button(t("polls.verify"), { variant: "secondary", iconName: "check" });
  check.addEventListener("click", async () => {
    check.disabled = true;
    out.textContent = t("common.loading");
    try {
      const { found, chainOk, count } = await verifyReceipt(poll.id, receipt);
      out.className = `poll-verify-result ${found && chainOk ? "is-ok" : "is-short"}`;
      out.textContent = found
        ? t(chainOk === null ? "polls.verify_unchecked" : chainOk ? "polls.verify_ok" : "polls.verify_chain_bad",
          { seq: found.seq, count })
        : t("polls.verify_missing");
    } catch (err) {
      out.textContent = actionErrorText(err);
    }
    check.disabled = false;
  });
  return h("section", { class: "card poll-verify", "aria-labelledby": "verify-title" },
    h("h2", { id: "verify-title", text: t("polls.verify_title") }),
    h("p", { text: t("polls.verify_text") }),
    h("p", { class: "poll-hash" }, h("span", { text: t("polls.chain_head") }), h("code", { text: poll.chain_head })),
    check, out);
}

function decisionCard(poll, rerender) {
  const parts = [];
  if (poll.decision) {
    const progress = poll.progress ?? 0;
    parts.push(
      h("p", { class: "poll-decision", text: poll.decision }),
      h("p", { class: "hint", text: t("polls.decided_at", { when: formatDateTime(poll.decided_at) }) }),
      h("h3", { text: t("polls.followthrough", { percent: progress }) }),
      bar(progress / 100, { label: `${progress}%` }),
      h("ol", { class: "poll-followups" }, poll.followups.slice().reverse().map((f) => h("li", {},
        h("p", { text: f.body }),
        h("p", { class: "hint", text: t("polls.followup_meta", {
          when: formatDateTime(f.created_at), percent: f.progress, who: f.author }) })))));
  } else {
    parts.push(h("p", { class: "hint", text: t("polls.no_decision") }));
  }
  if (poll.can_manage) parts.push(poll.decision ? followupForm(poll, rerender) : decisionForm(poll, rerender));
  return h("section", { class: "card poll-decision-card", "aria-labelledby": "decision-title" },
    h("h2", { id: "decision-title", text: t("polls.decision_title") }), ...parts);
}

function postForm(fields, submitLabel, send) {
  const alert = formAlert();
  const form = h("form", { class: "poll-manage-form", novalidate: true }, ...fields, alert,
    button(submitLabel, { type: "submit" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(form, true);
    try {
      await send(new FormData(form));
    } catch (err) {
      busy(form, false);
      alert.textContent = actionErrorText(err);
      alert.hidden = false;
    }
  });
  return form;
}

function decisionForm(poll, rerender) {
  return postForm([field({ name: "body", label: t("polls.decision_label"), multiline: true, rows: 3, required: true })],
    t("polls.decision_publish"), async (data) => {
      await api(`/polls/${poll.id}/decision`, { method: "POST", body: { body: data.get("body") } });
      announce(t("polls.saved"));
      rerender();
    });
}

function followupForm(poll, rerender) {
  return postForm([
    field({ name: "body", label: t("polls.followup_label"), multiline: true, rows: 2, required: true }),
    field({ name: "progress", label: t("polls.progress_label"), type: "number", min: 0, max: 100, step: 5,
      value: String(poll.progress ?? 0), inputmode: "numeric" }),
  ], t("polls.followup_add"), async (data) => {
    await api(`/polls/${poll.id}/followups`, {
      method: "POST", body: { body: data.get("body"), progress: Number(data.get("progress")) } });
    announce(t("polls.saved"));
    rerender();
  });
}

/** Workers enter a paper ballot for a voter on the roll who has not voted. */
function paperCard(poll, rerender) {
  const voter = h("select", { name: "voter_id", id: "paper-voter", required: true });
  const search = h("input", { type: "search", id: "paper-search", placeholder: t("polls.paper_search") });
  const load = async () => {
    const page = await api(`/polls/${poll.id}/roll`, { query: { q: search.value.trim(), limit: 200 } });
    voter.replaceChildren(...page.data.filter((r) => !r.voted).map((r) => h("option", {
      value: String(r.voter_id), text: r.area ? `${r.label}（${r.area}㎡）` : r.label })));
  };
  search.addEventListener("change", () => load().catch(() => {}));
  search.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault(); // Enter searches; it must not submit a ballot with nothing chosen
    load().catch(() => {});
  });
  const options = poll.options.map((o) => h("label", { class: "poll-choice" },
    h("input", { type: poll.kind === "multiple" ? "checkbox" : "radio", name: "option", value: String(o.id) }),
    h("span", { text: o.label })));
  const form = postForm([
    h("label", { for: "paper-search", text: t("polls.paper_find") }), search,
    h("label", { for: "paper-voter", text: t("polls.paper_voter") }), voter,
    h("fieldset", { class: "poll-choices" }, h("legend", { text: t("polls.paper_choice") }), options),
  ], t("polls.paper_submit"), async () => {
    const ids = [...form.querySelectorAll("input[name=option]:checked")].map((el) => Number(el.value));
    const result = await api(`/polls/${poll.id}/ballots`, {
      method: "POST", body: { option_ids: ids, channel: "paper", voter_id: Number(voter.value) } });
    announce(t("polls.paper_done", { receipt: result.receipt }));
    rerender();
  });
  load().catch(() => {});
  return h("details", { class: "card poll-paper" }, h("summary", { text: t("polls.paper_title") }),
    h("p", { class: "hint", text: t("polls.paper_hint") }), form);
}

export async function pollView({ root, params, rerender }) {
  setPage({ title: t("polls.title"), back: "/polls" });
  root.append(loading());
  let poll;
  try {
    poll = await api(`/polls/${params.id}`);
  } catch (err) {
    root.replaceChildren(errorState(err, rerender));
    return;
  }
  setPage({ title: poll.title, back: "/polls", documentTitle: poll.title });
  const saved = savedReceipts()[poll.id];
  const parts = [
    h("section", { class: "card poll-head" },
      h("div", { class: "badges" }, statusBadge(poll), badge(t(`polls.counting_${poll.counting}`), "category")),
      h("p", { class: "card-meta", text: `${poll.region_name} · ${poll.status === "scheduled"
        ? t("polls.opens_at", { when: formatDateTime(poll.opens_at) })
        : poll.status === "closed" ? t("polls.closed_at", { when: formatDateTime(poll.closed_at) })
          : t("polls.closes_at", { when: formatDateTime(poll.closes_at) })}` }),
      poll.body ? h("p", { class: "poll-body", text: poll.body }) : null),
  ];
  const slot = h("div", { class: "poll-slot" });
  parts.push(slot);
  if (poll.status === "open" && poll.me.eligible && !poll.me.voted) {
    slot.append(choiceForm(poll, (receipt) => {
      slot.replaceChildren(receiptCard(receipt, { fresh: true }));
      slot.querySelector("h2").setAttribute("tabindex", "-1");
      slot.querySelector("h2").focus();
    }));
  } else if (poll.me.voted) {
    slot.append(h("p", { class: "card poll-state is-ok", text: votedState(poll) }));
    if (saved) slot.append(receiptCard(saved.receipt, { fresh: false }));
  } else if (poll.status === "open" && !poll.me.eligible && !poll.can_manage) {
    slot.append(h("p", { class: "card poll-state", text: t(`polls.not_eligible_${poll.counting}`) }));
  } else if (poll.status === "scheduled") {
    slot.append(h("p", { class: "card poll-state", text: t("polls.not_open_yet") }));
  }
  parts.push(rulesCard(poll));
  if (poll.can_manage && poll.status === "open") parts.push(paperCard(poll, rerender));
  const resultsSlot = h("div", { class: "poll-results-slot" });
  parts.push(resultsSlot);
  if (poll.status === "closed" && saved) parts.push(verifyCard(poll, saved.receipt));
  if (poll.status === "closed") parts.push(decisionCard(poll, rerender));
  root.replaceChildren(...parts);
  if (poll.status === "scheduled") return;
  if (poll.results === "after_close" && poll.status !== "closed") {
    // The server would answer 403 results_hidden; say when they will show instead of asking.
    resultsSlot.append(h("p", { class: "card poll-state", text: t("polls.results_hidden", {
      when: formatDateTime(poll.closes_at) }) }));
    return;
  }
  try {
    resultsSlot.append(resultsCard(poll, await api(`/polls/${poll.id}/results`)));
  } catch (err) {
    resultsSlot.append(err.code === "results_hidden"
      ? h("p", { class: "card poll-state", text: t("polls.results_hidden", { when: formatDateTime(poll.closes_at) }) })
      : emptyState(actionErrorText(err)));
  }
}
