import { DIMENSIONS, GRANULARITIES, METRICS } from "@/lib/query/catalog";
import { CHART_TYPES } from "@/lib/query/widget-spec";

// What a model is told about the data: the semantic catalog only. No tenant
// id, no tenant data, no names of other tenants — the provider never needs
// them, because the answer is a spec the server scopes to the asker.

export const EVENTS_COLUMNS = {
  event_id: "Unique id of the event",
  ts: "When the event happened (UTC, DateTime64)",
  name: "Event name, e.g. signup, page_view, order_completed",
  user_id: "The end user who caused the event, if known",
  value: "Numeric value, e.g. an order amount; NULL when absent",
  properties: "Map(String, String) of properties such as country, plan, device, page",
};

export function catalogForModel() {
  return {
    table: { name: "events", columns: EVENTS_COLUMNS },
    metrics: METRICS.map((m) => ({ id: m.id, label: m.label, description: m.description, ...(m.needsEvents ? { needs: "from_event and to_event" } : {}) })),
    dimensions: [...DIMENSIONS.map((d) => ({ id: d.id, label: d.label, description: d.description })), { id: "property:<key>", label: "Any other property", description: "properties[<key>]" }],
    chart_types: CHART_TYPES,
    time_ranges: ["last_7_days", "last_30_days", "last_90_days", "this_month", "absolute (from, to as YYYY-MM-DD)"],
    granularities: GRANULARITIES,
    common_events: ["signup", "page_view", "order_completed"],
  };
}
