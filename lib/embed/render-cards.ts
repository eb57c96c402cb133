import "server-only";
import { layoutFor, widgetCard } from "@/components/dashboard/page/widget-card";
import { allowedDimensions } from "@/lib/dashboards/page-model";
import { runDashboard, type DashboardReader, type DashboardState } from "@/lib/query/run-dashboard";

// A filter change or a drill-down re-renders cards on the server, through the
// front door, with the page's own renderer: the browser swaps them in and
// never gets rows to draw itself, so no widget's data travels twice.

export async function renderCards(reader: DashboardReader, state: DashboardState, options: { only?: string[]; locale?: string } = {}): Promise<Record<string, string>> {
  const { only, locale } = options;
  const { widgets, layout, outcomes } = await runDashboard(reader, state, { only });
  const p = reader.permissions;
  const tools = { dimensions: allowedDimensions(p), allowDrillDown: p.allow_drill_down, allowExport: p.allow_export, locale };
  return Object.fromEntries(
    outcomes.map((outcome) => {
      const index = widgets.findIndex((w) => w.id === outcome.widget_id);
      return [outcome.widget_id, widgetCard(widgets[index], layoutFor(layout, outcome.widget_id, index), outcome, { ...tools, breakdown: state.breakdowns[outcome.widget_id] }).__html];
    }),
  );
}
