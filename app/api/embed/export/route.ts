import { z } from "zod";
import { csvHeaders, toCsv } from "@/lib/embed/csv";
import { resolveDimension } from "@/lib/query/catalog";
import { withDashboardReader } from "@/lib/embed/with-embed-session";
import { readJson } from "@/lib/http";
import { exportDashboardWidget } from "@/lib/query/run-dashboard";
import { FilterState, WidgetId } from "@/lib/query/widget-spec";

// CSV export of one widget, only when the session's permissions allow it (the front door checks).
const ExportInput = z.object({ widget_id: WidgetId, filters: FilterState.optional() }).strict();

export const POST = withDashboardReader(async (req, { reader, session }) => {
  const input = await readJson(req, ExportInput);
  const { breakdown, ...filters } = input.filters ?? {};
  const { widget, rows, columns } = await exportDashboardWidget(reader, input.widget_id, { filters, breakdowns: breakdown ? { [input.widget_id]: breakdown } : {} });
  const name = widget.title.replace(/[^A-Za-z0-9 _-]/g, "").trim().replace(/\s+/g, "-").toLowerCase() || "export";
  const names = columns.map((c) => c.name);
  const headers = csvHeaders(widget, names, breakdown ? (resolveDimension(breakdown)?.label ?? breakdown) : undefined, session?.locale);
  return new Response(toCsv(names, rows, headers), {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${name}.csv"` },
  });
});
