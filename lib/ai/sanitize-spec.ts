import { DIMENSIONS } from "@/lib/query/catalog";
import type { ChartWidget, Filter } from "@/lib/query/widget-spec";

// A model's spec may carry words from anywhere (event names, filter values,
// property keys). Before anything reaches the customer — the chart, its
// labels, the rationale, the spec itself — each such word is kept only if it
// occurs in the asker's own data; otherwise it is replaced by a placeholder,
// which matches none of their data, so the numbers do not change.

export const UNKNOWN_VALUE = "(a value not in your data)";
export const UNKNOWN_PROPERTY = "property:unknown_property";

export type Known = { value: (dimension: string, value: string) => boolean; property: (dimension: string) => boolean };

const isCatalogDimension = (id: string) => DIMENSIONS.some((d) => d.id === id);

export function sanitizeSpec(spec: ChartWidget, known: Known): ChartWidget {
  const dim = (id: string) => (isCatalogDimension(id) || known.property(id) ? id : UNKNOWN_PROPERTY);
  const value = (d: string, v: string) => (known.value(d, v) ? v : UNKNOWN_VALUE);
  const values = (d: string, vs: string[]) => [...new Set(vs.map((v) => value(d, v)))];
  const filters = spec.filters.map((f): Filter => {
    if (f.op === "between") return f;
    const field = dim(f.field);
    if (f.op === "in" || f.op === "not_in") return { ...f, field, values: values(f.field, f.values) };
    return { ...f, field, value: value(f.field, f.value) };
  });
  return {
    ...spec,
    metrics: spec.metrics.map((m) => ({
      ...m,
      ...(m.event ? { event: value("event", m.event) } : {}),
      ...(m.from_event ? { from_event: value("event", m.from_event) } : {}),
      ...(m.to_event ? { to_event: value("event", m.to_event) } : {}),
    })),
    ...(spec.breakdown ? { breakdown: dim(spec.breakdown) } : {}),
    filters,
  };
}
