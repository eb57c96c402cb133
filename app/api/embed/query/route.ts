import { z } from "zod";
import { withDashboardReader } from "@/lib/embed/with-embed-session";
import { ERROR_STATUS, type ErrorCode } from "@/lib/errors";
import { readJson } from "@/lib/http";
import { runDashboard } from "@/lib/query/run-dashboard";
import { FilterState, WidgetId } from "@/lib/query/widget-spec";

// One widget's rows as JSON, through the front door. No tenant field: the scope comes from the data token.
const WidgetQueryInput = z.object({ widget_id: WidgetId, filters: FilterState.optional() }).strict();

export const POST = withDashboardReader(async (req, { reader }) => {
  const input = await readJson(req, WidgetQueryInput);
  const { breakdown, ...filters } = input.filters ?? {};
  const { outcomes } = await runDashboard(reader, { filters, breakdowns: breakdown ? { [input.widget_id]: breakdown } : {} }, { only: [input.widget_id] });
  const outcome = outcomes[0];
  return Response.json(outcome, { status: "error" in outcome ? (ERROR_STATUS[outcome.error.code as ErrorCode] ?? 422) : 200 });
});
