import type { Permissions } from "@/lib/query/permissions";
import { VALUE_FIELD } from "@/lib/query/catalog";
import type { Filter } from "@/lib/query/widget-spec";

// What a session's permissions let an end user change at run time, in one
// place: the compiler refuses a query that breaks a rule, and opening a saved
// view drops the part that breaks it. Each returns a refusal or undefined.

/** A filter on a dimension outside `allowed_dimensions` (the numeric value field is always allowed). */
export function filterRefusal(filter: Filter, permissions: Permissions): string | undefined {
  const allowed = permissions.allowed_dimensions;
  if (allowed && filter.field !== VALUE_FIELD && !allowed.includes(filter.field)) return `Filtering by "${filter.field}" is not allowed in this session.`;
  return undefined;
}

/**
 * Without `allow_drill_down`, the end user filters only by the dashboard's own
 * filters: a filter on any other dimension is what drilling into a chart makes.
 */
export function drillFilterRefusal(filter: Filter, dashboardDimensions: readonly string[], permissions: Permissions): string | undefined {
  if (permissions.allow_drill_down !== false || filter.field === VALUE_FIELD || dashboardDimensions.includes(filter.field) || isLockedFilter(filter, permissions)) return undefined;
  return `Filtering by "${filter.field}" is drilling down, which is not allowed in this session.`;
}

/** A breakdown: a drill-down away from the widget's own needs `allow_drill_down`; any breakdown needs an allowed dimension. */
export function breakdownRefusal(breakdown: { requested?: string; widgetDefault?: string }, permissions: Permissions): string | undefined {
  const { requested, widgetDefault } = breakdown;
  if (requested && requested !== widgetDefault && permissions.allow_drill_down === false) return "Drill-down is not allowed in this session.";
  const effective = requested ?? widgetDefault;
  const allowed = permissions.allowed_dimensions;
  if (allowed && effective && !allowed.includes(effective)) return `Breaking down by "${effective}" is not allowed in this session.`;
  return undefined;
}

/** Whether the session locks this filter's dimension: a locked value always wins over the user's own. */
export function isLockedFilter(filter: Filter, permissions: Permissions): boolean {
  return Object.hasOwn(permissions.locked_filters ?? {}, filter.field);
}
