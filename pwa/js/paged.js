/** A list fed by a cursor API: loads the next page when its end scrolls into view, or on a button press. */
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { button, errorText } from "./ui.js";

export function pagedList({ fetchPage, renderItem, emptyText, label, signal }) {
  const list = h("ul", { class: "list", "aria-label": label });
  const status = h("p", { class: "list-status", role: "status" });
  const more = button(t("common.load_more"), { variant: "secondary", class: "btn btn-secondary load-more", hidden: true });
  const sentinel = h("div", { class: "sentinel", "aria-hidden": "true" });
  let cursor = null;
  let done = false;
  let loading = false;
  let failed = false;
  let generation = 0;

  async function loadMore() {
    if (loading || done || signal.aborted) return;
    loading = true;
    const mine = generation;
    more.hidden = true;
    status.textContent = t("common.loading");
    try {
      const page = await fetchPage(cursor);
      if (mine !== generation || signal.aborted) return;
      list.append(...page.data.map(renderItem));
      cursor = page.next_cursor;
      done = !cursor;
      status.textContent = list.children.length === 0 ? emptyText : done ? t("common.no_more") : "";
      status.classList.toggle("empty", list.children.length === 0);
    } catch (err) {
      if (mine !== generation) return;
      failed = true;
      status.textContent = err.offline ? t("error.offline_load") : errorText(err);
    } finally {
      if (mine === generation) {
        loading = false;
        more.hidden = done;
        more.querySelector("span").textContent = failed ? t("common.retry") : t("common.load_more");
        // Observing afresh reports the sentinel again if a short page left it on screen. After a failure
        // only the button tries again, or an offline list would retry in a tight loop.
        observer.unobserve(sentinel);
        if (!done && !failed && !signal.aborted) observer.observe(sentinel);
      }
    }
  }

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) loadMore();
  }, { rootMargin: "400px 0px" });
  more.addEventListener("click", () => {
    failed = false;
    loadMore();
  });
  signal.addEventListener("abort", () => observer.disconnect());

  function reload() {
    generation += 1;
    cursor = null;
    done = false;
    loading = false;
    failed = false;
    list.replaceChildren();
    return loadMore();
  }

  /** Drops one item (e.g. an approved application) and says so if the list is now empty. */
  function remove(item) {
    item.remove();
    if (list.children.length === 0 && done) {
      status.textContent = emptyText;
      status.classList.add("empty");
    }
  }

  return { element: h("div", { class: "paged" }, list, status, more, sentinel), reload, remove };
}
