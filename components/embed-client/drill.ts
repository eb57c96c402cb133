import type { Dashboard } from "./dashboard";
import { h } from "./dom";
import type { DashboardFilters, Filter } from "./types";

// Drilling: clicking (or pressing Enter on) a bar, slice, point or table row
// filters the whole dashboard by that value — a breakdown value becomes an
// "equals" filter on its dimension, a time bucket becomes the period of that
// bucket. A breadcrumb above the cards steps back. The server still decides:
// a drill filter is an ordinary filter, checked against the session's
// allowed_dimensions and allow_drill_down like any other.

export type Drill = { label: string; before: DashboardFilters };

type Granularity = "hour" | "day" | "week" | "month";

const pad = (n: number) => String(n).padStart(2, "0");
const iso = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** The dates (inclusive) a time bucket covers, in the dashboard's wall time: its period when drilled into. */
export function bucketRange(bucket: string, granularity: Granularity): { from: string; to: string } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(bucket);
  if (!m) return undefined;
  const start = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(start.getTime())) return undefined;
  const end = new Date(start);
  if (granularity === "week") end.setUTCDate(end.getUTCDate() + 6);
  if (granularity === "month") end.setUTCMonth(end.getUTCMonth() + 1, 0);
  return { from: iso(start), to: iso(end) };
}

/** The filters after drilling into `value` of a card; undefined when the card or value cannot be drilled. */
export function drilledFilters(filters: DashboardFilters, target: { axis: string; value: string; field?: string; granularity?: string }): DashboardFilters | undefined {
  if (target.axis === "time") {
    const range = bucketRange(target.value, (target.granularity as Granularity) ?? "day");
    return range ? { ...filters, time_range: { kind: "absolute", ...range } } : undefined;
  }
  if (!target.field) return undefined;
  const rest: Filter[] = (filters.filters ?? []).filter((f) => f.field !== target.field);
  return { ...filters, filters: [...rest, { field: target.field, op: "equals", value: target.value }] };
}

function drillTarget(d: Dashboard, event: Event) {
  const el = event.target instanceof Element ? event.target.closest<Element>(".mark[data-value], tr[data-value]") : null;
  const card = el?.closest<HTMLElement>(".widget[data-widget]");
  if (!el || !card || !d.root.contains(card)) return undefined;
  const axis = el.closest<HTMLElement>("[data-axis]")?.dataset.axis;
  if (axis !== "time" && axis !== "category") return undefined;
  if (axis === "category" && !card.dataset.drillField) return undefined;
  if (axis === "time" && !card.dataset.drillTime) return undefined;
  return { card, el, axis, value: el.getAttribute("data-value") ?? "", field: card.dataset.drillField, granularity: card.dataset.drillTime };
}

function labelFor(target: NonNullable<ReturnType<typeof drillTarget>>): string {
  // The category as the chart shows it: the tooltip's first line, before " — ".
  const shown = (target.el.getAttribute("data-tip") ?? target.el.querySelector("td")?.textContent ?? target.value).split("\n")[0].split(" — ")[0];
  return target.axis === "time" ? shown : `${target.card.dataset.drillLabel ?? target.field}: ${shown}`;
}

export function installDrill(d: Dashboard) {
  if (!d.config.permissions.allowDrillDown) return;
  const drill = (event: Event) => {
    const target = drillTarget(d, event);
    if (!target || !target.value) return;
    const next = drilledFilters(d.state.filters, target);
    if (!next) return;
    event.preventDefault();
    const before = d.state.filters;
    d.setFilters(next, true, [...d.drills, { label: labelFor(target), before }]);
    d.host?.post("drill", {
      widget_id: target.card.dataset.widget,
      ...(target.axis === "time" ? { period: next.time_range } : { field: target.field, value: target.value }),
      filters: next,
    });
  };
  d.root.addEventListener("click", drill);
  d.root.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") drill(event);
  });
}

/** The breadcrumb: the whole dashboard, then each drill; every step but the last steps back to it. */
export function renderDrillPath(d: Dashboard, words: { all: string; label: string; back: (label: string) => string }) {
  const nav = d.root.querySelector<HTMLElement>(".drill-path");
  if (!nav) return;
  nav.hidden = d.drills.length === 0;
  const stepTo = (i: number) => () => d.setFilters(d.drills[i].before, true, d.drills.slice(0, i));
  const items = [
    h("li", {}, h("button", { type: "button", class: "btn btn-ghost btn-sm", "aria-label": words.back(words.all), onclick: stepTo(0) }, words.all)),
    ...d.drills.map((step, i) =>
      h(
        "li",
        {},
        i === d.drills.length - 1
          ? h("span", { "aria-current": "true" }, step.label)
          : h("button", { type: "button", class: "btn btn-ghost btn-sm", "aria-label": words.back(step.label), onclick: stepTo(i + 1) }, step.label),
      ),
    ),
  ];
  nav.setAttribute("aria-label", words.label);
  nav.replaceChildren(h("ol", {}, ...items));
}

/**
 * Filters the filter bar has no dropdown for (a drill whose path was left, a
 * saved view, the host's set-filters) stay in sight as chips, each removable.
 */
export function renderFilterChips(d: Dashboard, words: { remove: (label: string) => string }) {
  const bar = d.root.querySelector(".filter-bar");
  if (!bar) return;
  let box = bar.querySelector<HTMLElement>(".active-filters");
  const shown = d.drills.length > 0 ? [] : (d.state.filters.filters ?? []).filter((f) => f.op === "equals" && !d.root.querySelector(`select[data-filter="${CSS.escape(f.field)}"]`));
  if (shown.length === 0) return box?.remove();
  if (!box) bar.append((box = h("span", { class: "active-filters", "data-testid": "active-filters" })));
  box.replaceChildren(
    ...shown.map((f) => {
      const label = `${d.config.dimensions.find((x) => x.id === f.field)?.label ?? f.field}: ${f.value}`;
      const remove = () => d.setFilters({ ...d.state.filters, filters: (d.state.filters.filters ?? []).filter((x) => x !== f) });
      return h("span", { class: "chip" }, label, h("button", { type: "button", class: "chip-remove", "aria-label": words.remove(label), onclick: remove }, "×"));
    }),
  );
}
