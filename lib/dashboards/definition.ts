import { z } from "zod";
import { DimensionId, TimeRange, Widget } from "@/lib/query/widget-spec";
import { isTimeZone } from "@/lib/query/time-range";

// A dashboard definition: tenant-agnostic by construction (widgets are specs
// or guarded SQL; no field names a tenant). Drafts and published versions
// share this schema.

export const LayoutItem = z
  .object({ widget_id: z.string(), x: z.number().int().min(0).max(11), y: z.number().int().min(0).max(1000), w: z.number().int().min(1).max(12), h: z.number().int().min(1).max(12) })
  .strict();

/** Filters the dashboard offers its end users. */
export const DashboardFilter = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("date_range"), default: TimeRange }).strict(),
  z.object({ kind: z.literal("dimension"), dimension: DimensionId, label: z.string().max(100).optional() }).strict(),
]);

export const DashboardDefinition = z
  .object({
    widgets: z.array(Widget).max(50),
    layout: z.array(LayoutItem).max(50).default([]),
    filters: z.array(DashboardFilter).max(10).default([]),
    timezone: z.string().refine(isTimeZone, "unknown time zone").default("UTC"),
  })
  .strict()
  .superRefine((d, ctx) => {
    const ids = d.widgets.map((w) => w.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) ctx.addIssue({ code: "custom", path: ["widgets"], message: `widget id "${dup}" is used twice` });
    for (const item of d.layout) {
      if (!ids.includes(item.widget_id)) ctx.addIssue({ code: "custom", path: ["layout"], message: `layout names unknown widget "${item.widget_id}"` });
    }
  });
export type DashboardDefinition = z.infer<typeof DashboardDefinition>;
export type DashboardDefinitionInput = z.input<typeof DashboardDefinition>;

/** The dimensions the dashboard's own filter bar offers (a filter on any other is a drill). */
export const filterDimensions = (definition: Pick<DashboardDefinition, "filters">): string[] => definition.filters.flatMap((f) => (f.kind === "dimension" ? [f.dimension] : []));
