import type { DashboardDefinition } from "@/lib/dashboards/definition";
import type { Permissions } from "@/lib/query/permissions";
import type { ChartWidget, MetricRef } from "@/lib/query/widget-spec";

// Hidden means hidden for AI answers and saved views too. A widget shows
// (family, event) pairs: event counts, unique users, or values (every value_*
// metric, and any `value` between-filter) of an event, or of every event (*).
// A spec may not compute a pair that only the session's hidden widgets show.
//
// Hidden widgets are read generously (everything they could give away) and
// visible ones strictly (only what they show in full), so a doubt refuses:
// - a hidden total (f, *) covers each event of f: their sum is the total;
// - a visible widget vouches for a pair only without filters other than on
//   `event` and without a breakdown (a subset or a top N is not the figure);
// - a spec over every event of a family with a hidden-only pair is allowed
//   only as the very total a visible widget shows: any breakdown or filter can
//   single events out (`event` directly, `page` because only page views have it).
// Hidden custom-SQL widgets are not read (their pairs are unknown).

type Family = "count" | "users" | "value";
const ANY = "*";
const key = (family: Family, event: string) => `${family}\u0000${event}`;

export const HIDDEN_REFUSAL = "That question is about data this dashboard does not show you here.";

function familyOf(id: string): Family {
  if (id === "event_count") return "count";
  if (id === "unique_users" || id === "conversion_rate") return "users";
  return "value";
}

/** The events the widget's `event` filters narrow it to: equals/in intersect; undefined if none narrow (not_in and contains do not). */
function selectedEvents(spec: ChartWidget): Set<string> | undefined {
  let selected: Set<string> | undefined;
  for (const f of spec.filters) {
    if (f.field !== "event" || (f.op !== "equals" && f.op !== "in")) continue;
    const values = new Set(f.op === "equals" ? [f.value] : f.values);
    selected = selected ? new Set([...selected].filter((v) => values.has(v))) : values;
  }
  return selected;
}

/** Pairs a widget computes, each event expanded by its event selection. */
function pairs(spec: ChartWidget): Set<string> {
  const selected = selectedEvents(spec);
  const out = new Set<string>();
  const add = (family: Family, event: string | undefined) => {
    if (event !== undefined) {
      if (!selected || selected.has(event)) out.add(key(family, event));
    } else if (selected) for (const e of selected) out.add(key(family, e));
    else out.add(key(family, ANY));
  };
  const events = (m: MetricRef) => (m.id === "conversion_rate" ? [m.from_event!, m.to_event!] : [m.event]);
  const valueFiltered = spec.filters.some((f) => f.op === "between");
  for (const m of spec.metrics) {
    for (const e of events(m)) {
      add(familyOf(m.id), e);
      if (valueFiltered) add("value", e);
    }
  }
  return out;
}

/** Only the widget's own filters on `event`, no breakdown: what it shows is the pair's whole figure. */
const showsInFull = (w: ChartWidget) => !w.breakdown && w.filters.every((f) => f.field === "event" && (f.op === "equals" || f.op === "in"));

export function hiddenAccessRefusal(spec: ChartWidget, definition: DashboardDefinition, permissions: Permissions): string | undefined {
  const hiddenIds = new Set(permissions.hidden_widgets ?? []);
  if (hiddenIds.size === 0) return undefined;
  const charts = definition.widgets.filter((w): w is ChartWidget => w.kind === "chart");
  const hidden = new Set(charts.filter((w) => hiddenIds.has(w.id)).flatMap((w) => [...pairs(w)]));
  const vouched = new Set(charts.filter((w) => !hiddenIds.has(w.id) && showsInFull(w)).flatMap((w) => [...pairs(w)]));
  const hiddenOnly = new Set([...hidden].filter((p) => !vouched.has(p)));
  if (hiddenOnly.size === 0) return undefined;
  const familyHidden = (family: Family) => [...hiddenOnly].some((p) => p.startsWith(`${family}\u0000`));

  const singlesOut = Boolean(spec.breakdown) || spec.filters.length > 0;
  for (const pair of pairs(spec)) {
    const [family, event] = pair.split("\u0000") as [Family, string];
    const refused =
      event === ANY
        ? familyHidden(family) && !(vouched.has(pair) && !singlesOut)
        : hiddenOnly.has(pair) || (hiddenOnly.has(key(family, ANY)) && !vouched.has(pair));
    if (refused) return HIDDEN_REFUSAL;
  }
  return undefined;
}
