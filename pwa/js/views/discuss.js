/** 议事: the list of consultations (with the way to 投票), one consultation with its opinion stream, support,
 * outcome and follow-through; staff tools come from discuss-staff.js. */
import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDate, formatDateTime, t } from "../i18n.js";
import { pagedList } from "../paged.js";
import { isStaff, session } from "../session.js";
import { actionErrorText, announce, badge, button, errorState, linkButton, loading, setPage } from "../ui.js";
import { canConsult, hideForm, staffPanel } from "./discuss-staff.js";

export const STANCES = ["for", "against", "neutral"];
const FILTERS = {
  open: ["open"],
  answered: ["outcome_published"],
  all: ["open", "closed", "outcome_published"],
  draft: ["draft"],
};

function excerpt(text, length = 60) {
  const flat = (text || "").replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}

export function statusBadge(c) {
  const kind = { open: "ok", draft: "status", closed: "neutral", outcome_published: "category" }[c.status];
  return badge(t(`discuss.status_${c.status}`), kind);
}

/** 议事 | 投票: the two halves of the tab; 投票 lives at /polls. */
function segment(current) {
  return h("nav", { class: "filters discuss-segment", "aria-label": t("discuss.segment_label") },
    h("a", { class: "chip", href: "/discuss", "aria-current": current === "discuss" ? "page" : null, text: t("discuss.segment_consult") }),
    h("a", { class: "chip", href: "/polls", "aria-current": current === "polls" ? "page" : null, text: t("discuss.segment_polls") }));
}

/** Three coloured shares of for / against / neutral, with the numbers in words beside them. */
function stanceBar(counts) {
  const total = counts.opinions || 0;
  const bar = h("div", { class: "stance-bar", "aria-hidden": "true" },
    STANCES.map((s) => h("span", { class: `stance-fill stance-${s}` })));
  STANCES.forEach((s, i) => {
    bar.children[i].style.width = total ? `${(100 * counts[s]) / total}%` : "0";
  });
  return h("div", { class: "stance-summary" },
    total ? bar : null,
    h("p", { class: "stance-counts" },
      STANCES.map((s) => h("span", { class: `stance-count stance-text-${s}`, text: t(`discuss.count_${s}`, { n: counts[s] }) })),
      h("span", { class: "stance-count", text: t("discuss.count_supports", { n: counts.supports }) })));
}

function consultationCard(c) {
  return h("li", {},
    h("a", { class: "card notice-card consultation-card", href: `/discuss/${c.id}` },
      h("div", { class: "badges" }, statusBadge(c), c.overdue ? badge(t("discuss.overdue"), "bad") : null),
      h("h2", { class: "card-title", text: c.title }),
      h("p", { class: "card-excerpt", text: excerpt(c.status === "outcome_published" ? c.outcome : c.body) }),
      stanceBar(c.counts),
      h("p", { class: "card-meta" },
        h("span", { text: c.region.name }),
        h("span", { "aria-hidden": "true", text: " · " }),
        c.status === "open"
          ? h("span", { text: t("discuss.closes_on", { date: formatDate(c.closes_at) }) })
          : h("span", { text: t("discuss.posted_on", { date: formatDate(c.created_at) }) }))));
}

export async function discussView({ root, signal, query }) {
  setPage({ title: t("nav.discuss") });
  const me = session.me;
  const overdue = query.get("overdue") === "1" && isStaff(me);
  const keys = canConsult(me) ? ["open", "answered", "all", "draft"] : ["open", "answered", "all"];
  const filter = keys.includes(query.get("show")) ? query.get("show") : "open";
  const filters = overdue ? null : h("nav", { class: "filters", "aria-label": t("discuss.filter_label") },
    keys.map((key) => h("a", {
      class: "chip chip-small",
      href: key === "open" ? "/discuss" : `/discuss?show=${key}`,
      "aria-current": key === filter ? "page" : null,
      text: t(`discuss.filter_${key}`),
    })));
  const list = pagedList({
    label: t("discuss.list_label"),
    emptyText: overdue ? t("discuss.no_overdue") : t(`discuss.empty_${filter}`),
    signal,
    fetchPage: (cursor) => api("/consultations", {
      query: overdue ? { overdue: "true", cursor } : { status: FILTERS[filter].join(","), cursor },
    }),
    renderItem: consultationCard,
  });
  const staffBar = isStaff(me)
    ? h("div", { class: "actions-row" },
      canConsult(me) ? linkButton(t("discuss.new"), "/discuss/new", { iconName: "plus" }) : null,
      overdue
        ? linkButton(t("discuss.back_to_list"), "/discuss", { variant: "secondary" })
        : linkButton(t("discuss.overdue_list"), "/discuss?overdue=1", { variant: "secondary" }))
    : null;
  append(root, segment("discuss"), staffBar,
    overdue ? h("p", { class: "lead", text: t("discuss.overdue_lead") }) : null, filters, list.element);
  list.reload();
}

// --- one consultation --------------------------------------------------------------------------------------

function progressBar(percent, label) {
  const bar = h("div", { class: "rate-bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100",
    "aria-valuenow": String(percent), "aria-label": label }, h("span", { class: "rate-fill" }));
  bar.firstChild.style.width = `${percent}%`;
  return bar;
}

function outcomeSection(c) {
  if (c.status !== "outcome_published") return null;
  return h("section", { class: "card outcome", "aria-labelledby": "outcome-title" },
    h("h2", { id: "outcome-title", text: t("discuss.outcome") }),
    h("p", { class: "card-meta" }, h("time", { datetime: c.outcome_at, text: formatDateTime(c.outcome_at) })),
    h("div", { class: "notice-body outcome-body", text: c.outcome }),
    c.followups.length ? h("h3", { class: "followup-title", text: t("discuss.followups") }) : null,
    c.followups.length ? h("ul", { class: "followups" }, c.followups.map((item) => h("li", { class: "followup" },
      h("p", { class: "followup-head" },
        h("strong", { text: item.body }), h("span", { class: "followup-percent", text: `${item.progress}%` })),
      progressBar(item.progress, t("discuss.progress_of", { item: item.body, n: item.progress })),
      item.updates.length ? h("ol", { class: "followup-updates" }, item.updates.map((u) => h("li", {},
        h("time", { datetime: u.created_at, text: formatDate(u.created_at) }),
        h("span", { text: ` ${u.body}（${u.progress}%）` })))) : null))) : null);
}

function photos(c) {
  if (!c.photos.length) return null;
  return h("div", { class: "discuss-photos" }, c.photos.map((p, i) => h("a", { href: p.url, target: "_blank", rel: "noopener" },
    h("img", { src: p.thumb_url, alt: t("discuss.photo_n", { n: i + 1 }), loading: "lazy" }))));
}

function supportButton(c) {
  if (!c.can_participate || c.status !== "open") return null;
  const label = () => (c.supported ? t("discuss.supported", { n: c.counts.supports }) : t("discuss.support", { n: c.counts.supports }));
  const btn = button(label(), { variant: c.supported ? "secondary" : "primary", iconName: "check", class: "btn support-btn" });
  btn.disabled = c.supported;
  const message = h("p", { class: "form-alert", role: "alert", hidden: true });
  btn.addEventListener("click", async () => {
    btn.disabled = true;
    try {
      const result = await api(`/consultations/${c.id}/support`, { method: "POST" });
      c.supported = true;
      c.counts.supports = result.support_count;
      btn.querySelector("span").textContent = label();
      btn.className = "btn btn-secondary support-btn";
      btn.dispatchEvent(new CustomEvent("linli:supported", { bubbles: true }));
      announce(t("discuss.support_done"));
    } catch (err) {
      btn.disabled = false;
      message.textContent = actionErrorText(err);
      message.hidden = false;
    }
  });
  return h("div", { class: "support-row" }, btn, message);
}

/** Three big choices and a text box; `parent` makes it a reply (no stance asked). */
function opinionForm(c, { parent = null, onDone }) {
  const alert = h("p", { class: "form-alert", role: "alert", hidden: true });
  const name = `stance-${parent ? parent.id : "top"}`;
  const stances = parent ? null : h("fieldset", { class: "stance-choices" },
    h("legend", { text: t("discuss.your_stance") }),
    STANCES.map((s) => h("label", { class: `stance-choice stance-${s}` },
      h("input", { type: "radio", name, value: s, required: true }), h("span", { text: t(`discuss.stance_${s}`) }))));
  const text = h("textarea", { name: "body", rows: parent ? 2 : 4, maxlength: 1000, required: true,
    "aria-label": parent ? t("discuss.reply_label", { name: parent.author.name }) : t("discuss.opinion_label"),
    placeholder: parent ? t("discuss.reply_placeholder") : t("discuss.opinion_placeholder") });
  const submit = button(parent ? t("discuss.send_reply") : t("discuss.send_opinion"), { type: "submit" });
  const form = h("form", { class: parent ? "reply-form" : "card opinion-form", novalidate: true },
    parent ? null : h("h2", { text: t("discuss.give_opinion") }), stances, text, alert, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    const stance = form.querySelector(`input[name="${name}"]:checked`)?.value || null;
    const body = text.value.trim();
    const problem = !parent && !stance ? t("discuss.need_stance") : !body ? t("discuss.need_text") : null;
    if (problem) {
      alert.textContent = problem;
      alert.hidden = false;
      return;
    }
    submit.disabled = true;
    try {
      const payload = parent ? { body, parent_id: parent.id } : { body, stance };
      await api(`/consultations/${c.id}/comments`, { method: "POST", body: payload });
      announce(parent ? t("discuss.reply_sent") : t("discuss.opinion_sent"));
      form.reset();
      onDone(stance);
    } catch (err) {
      alert.textContent = actionErrorText(err);
      alert.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function reportButton(c, comment) {
  if (comment.mine || comment.hidden) return null;
  if (comment.reported) return h("span", { class: "comment-note", text: t("discuss.reported") });
  let armed = false;
  const btn = button(t("discuss.report"), { variant: "link", class: "btn btn-link comment-action" });
  btn.addEventListener("click", async () => {
    // Two taps, as for withdrawing a notice: no pop-up dialog for older users.
    if (!armed) {
      armed = true;
      btn.querySelector("span").textContent = t("discuss.report_confirm");
      announce(t("discuss.report_confirm"));
      return;
    }
    btn.disabled = true;
    try {
      await api(`/consultations/${c.id}/comments/${comment.id}/reports`, { method: "POST", body: {} });
      btn.replaceWith(h("span", { class: "comment-note", text: t("discuss.reported") }));
      announce(t("discuss.reported"));
    } catch (err) {
      btn.disabled = false;
      btn.querySelector("span").textContent = actionErrorText(err);
    }
  });
  return btn;
}

function commentBody(comment) {
  if (!comment.hidden) return h("p", { class: "comment-body", text: comment.body });
  if (comment.body === null) return h("p", { class: "comment-body comment-hidden", text: t("discuss.hidden_placeholder") });
  return h("div", {},
    h("p", { class: "comment-hidden", text: comment.mine
      ? t("discuss.hidden_mine", { reason: comment.hidden_reason })
      : t("discuss.hidden_staff", { reason: comment.hidden_reason }) }),
    h("p", { class: "comment-body comment-was", text: comment.body }));
}

function commentItem(c, comment, { reply = false, refresh }) {
  const stance = comment.stance ? `stance-${comment.stance}` : "stance-none";
  const actions = h("div", { class: "comment-actions" });
  const item = h(reply ? "li" : "li", { class: `comment ${reply ? "comment-reply" : "card opinion"} ${stance}`, dataset: { id: comment.id } },
    h("p", { class: "comment-head" },
      comment.stance ? badge(t(`discuss.stance_${comment.stance}`), `stance-${comment.stance}`) : null,
      h("strong", { class: "comment-author", text: comment.author.name }),
      comment.official ? badge(t("discuss.official"), "category") : null,
      h("time", { class: "comment-time", datetime: comment.created_at, text: formatDateTime(comment.created_at) })),
    commentBody(comment),
    comment.report_count ? h("p", { class: "comment-note", text: t("discuss.report_count", { n: comment.report_count }) }) : null,
    actions);
  const canReply = !reply && c.status === "open" && (c.can_participate || c.can_manage);
  if (canReply) {
    const replyButton = button(t("discuss.reply"), { variant: "link", class: "btn btn-link comment-action" });
    replyButton.addEventListener("click", () => {
      replyButton.hidden = true;
      const form = opinionForm(c, { parent: comment, onDone: () => refresh() });
      item.insertBefore(form, actions.nextSibling);
      form.querySelector("textarea").focus();
    });
    actions.append(replyButton);
  }
  append(actions, reportButton(c, comment));
  if (c.can_manage && !comment.hidden) {
    const hide = button(t("discuss.hide"), { variant: "link", class: "btn btn-link comment-action" });
    hide.addEventListener("click", () => {
      hide.hidden = true;
      item.append(hideForm(c, comment, refresh));
    });
    actions.append(hide);
  }
  if (!reply && comment.replies?.length) {
    item.append(h("ul", { class: "replies", "aria-label": t("discuss.replies_label") },
      comment.replies.map((r) => commentItem(c, r, { reply: true, refresh }))));
  }
  return item;
}

export async function consultationView({ root, params, signal, rerender }) {
  setPage({ title: t("discuss.title"), back: "/discuss" });
  append(root, loading());
  let c;
  try {
    c = await api(`/consultations/${encodeURIComponent(params.id)}`);
  } catch (err) {
    root.replaceChildren(errorState(err, rerender));
    return;
  }
  setPage({ title: t("discuss.title"), back: "/discuss", documentTitle: c.title });
  let stance = "";
  const stream = pagedList({
    label: t("discuss.stream_label"),
    emptyText: t("discuss.no_opinions"),
    signal,
    fetchPage: (cursor) => api(`/consultations/${c.id}/comments`, { query: { cursor, stance } }),
    renderItem: (comment) => commentItem(c, comment, { refresh: () => stream.reload() }),
  });
  const stanceFilter = h("nav", { class: "filters", "aria-label": t("discuss.stance_filter") },
    ["", ...STANCES].map((s) => {
      const chip = h("button", { type: "button", class: "chip chip-small", "aria-pressed": s === stance ? "true" : "false",
        text: s ? t(`discuss.stance_${s}`) : t("discuss.stance_all") });
      chip.addEventListener("click", () => {
        stance = s;
        for (const other of chip.parentElement.children) other.setAttribute("aria-pressed", other === chip ? "true" : "false");
        stream.reload();
      });
      return chip;
    }));

  const article = h("article", { class: "card notice-detail consultation", "aria-labelledby": "consultation-heading" },
    h("div", { class: "badges" }, statusBadge(c), c.overdue ? badge(t("discuss.overdue"), "bad") : null),
    h("h2", { id: "consultation-heading", class: "notice-heading", text: c.title }),
    h("dl", { class: "notice-meta" },
      h("dt", { text: t("discuss.region") }), h("dd", { text: c.region.name }),
      h("dt", { text: t("discuss.author") }), h("dd", { text: c.author.name }),
      h("dt", { text: t("discuss.closes_at") }),
      h("dd", {}, h("time", { datetime: c.closes_at, text: formatDateTime(c.closes_at) })),
      h("dt", { text: t("discuss.outcome_due") }),
      h("dd", {}, h("time", { datetime: c.outcome_due_at, text: formatDate(c.outcome_due_at) }))),
    h("div", { class: "notice-body", text: c.body }),
    photos(c),
    stanceBar(c.counts),
    supportButton(c));
  const heading = h("h2", { class: "section-title", text: t("discuss.opinions", { n: c.counts.opinions }) });
  // The numbers follow what this person just did without fetching the consultation again.
  const recount = (stanceGiven) => {
    if (stanceGiven) {
      c.counts[stanceGiven] += 1;
      c.counts.opinions += 1;
    }
    article.querySelector(".stance-summary").replaceWith(stanceBar(c.counts));
    heading.textContent = t("discuss.opinions", { n: c.counts.opinions });
  };
  article.addEventListener("linli:supported", () => recount(null));
  const canSpeak = c.status === "open" && (c.can_participate || c.can_manage);
  root.replaceChildren();
  append(root,
    article,
    outcomeSection(c),
    c.can_manage ? staffPanel(c, () => rerender()) : null,
    canSpeak ? opinionForm(c, { onDone: (given) => { recount(given); stream.reload(); } }) : null,
    c.status !== "open" && c.status !== "draft" ? h("p", { class: "lead", text: t("discuss.closed_note") }) : null,
    heading,
    stanceFilter,
    stream.element);
  stream.reload();
}
