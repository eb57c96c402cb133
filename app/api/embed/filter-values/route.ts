import { withDashboardReader } from "@/lib/embed/with-embed-session";
import { readJson } from "@/lib/http";
import { FilterValuesInput } from "@/lib/query/filter-values";
import { dashboardFilterValues } from "@/lib/query/run-dashboard";

// Values for the page's filter dropdowns, scoped like every other read.
export const POST = withDashboardReader(async (req, { reader }) => {
  const input = await readJson(req, FilterValuesInput);
  const { values } = await dashboardFilterValues(reader, input);
  return Response.json({ dimension: input.dimension, values });
});
