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
