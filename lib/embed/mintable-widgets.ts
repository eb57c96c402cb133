import "server-only";
import { getVersionDefinition, listVersions } from "@/lib/dashboards/versions";

// A session shows the dashboard's live version, so the widgets a session can
// hide are that version's, not the draft's. None before the first publish.

export type MintableWidget = { id: string; title: string };

export async function mintableWidgets(dashboardId: string): Promise<MintableWidget[]> {
  const live = (await listVersions(dashboardId)).find((v) => v.live);
  if (!live) return [];
  const definition = await getVersionDefinition(dashboardId, live.number);
  return definition.widgets.map((w) => ({ id: w.id, title: w.title }));
}
