import "server-only";
import { z } from "zod";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import { createDashboard, DashboardDescription, DashboardName, getDraft, listDashboards, saveDraft } from "@/lib/dashboards/drafts";
import { publishVersion } from "@/lib/dashboards/publish-version";
import { listVersions, rollbackTo, type VersionSummary } from "@/lib/dashboards/versions";
import { AppError } from "@/lib/errors";

// Dashboards as code: the /v1 shapes over the same functions (and the same
// schemas) the admin UI uses. `draft_version` is the draft's revision; a PUT
// based on an older one is refused with 409 so nobody's edit is overwritten.

export const DraftVersion = z.number().int().min(1);

export const DashboardCreateInput = z
  .object({ name: DashboardName, description: DashboardDescription.optional(), definition: DashboardDefinition.optional() })
  .strict();

export const DashboardUpdateInput = z
  .object({ draft_version: DraftVersion, name: DashboardName.optional(), description: DashboardDescription.optional(), definition: DashboardDefinition })
  .strict();

export const PublishInput = z.object({ note: z.string().trim().max(500).optional(), draft_version: DraftVersion.optional() }).strict();

export const RollbackInput = z.object({ version: z.number().int().min(1) }).strict();

export const DashboardListQuery = z.object({ search: z.string().max(120).optional(), archived: z.enum(["true", "false"]).optional() }).strict();

export type ApiDashboardSummary = { id: string; name: string; description: string; draft_version: number; live_version: number | null; widgets: number; archived: boolean; updated_at: string; updated_by: string };
export type ApiDashboard = Omit<ApiDashboardSummary, "widgets"> & { definition: DashboardDefinition };
export type ApiVersion = { number: number; note: string; created_by: string; created_at: string; live: boolean };

export async function listDashboardsForApi(query: z.infer<typeof DashboardListQuery>): Promise<ApiDashboardSummary[]> {
  const rows = await listDashboards({ search: query.search, archived: query.archived === "true" });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    draft_version: r.draftRevision,
    live_version: r.liveVersion,
    widgets: r.widgets,
    archived: r.archivedAt !== null,
    updated_at: r.updatedAt.toISOString(),
    updated_by: r.updatedBy,
  }));
}

export async function getDashboardForApi(id: string): Promise<ApiDashboard> {
  const d = await getDraft(id);
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    draft_version: d.revision,
    live_version: d.liveVersion,
    archived: d.archivedAt !== null,
    updated_at: d.updatedAt.toISOString(),
    updated_by: d.updatedBy,
    definition: d.definition,
  };
}

export async function createDashboardFromApi(input: z.infer<typeof DashboardCreateInput>, actor: string): Promise<ApiDashboard> {
  return getDashboardForApi(await createDashboard({ ...input, actor }));
}

export async function updateDashboardFromApi(id: string, input: z.infer<typeof DashboardUpdateInput>, actor: string): Promise<ApiDashboard> {
  const current = await getDraft(id);
  const result = await saveDraft({ id, revision: input.draft_version, name: input.name ?? current.name, description: input.description, definition: input.definition, actor });
  if (!result.ok && result.conflict) {
    throw new AppError(
      "conflict",
      `The draft was saved by ${result.updatedBy} since version ${input.draft_version}; it is now at version ${result.revision}. GET it, merge your change and PUT again with that draft_version.`,
      { draft_version: result.revision, updated_by: result.updatedBy },
    );
  }
  if (!result.ok) throw new AppError("validation_failed", result.error);
  return getDashboardForApi(id);
}

export async function publishFromApi(id: string, input: z.infer<typeof PublishInput>, actor: string): Promise<ApiVersion> {
  const { number } = await publishVersion({ dashboardId: id, note: input.note, draftRevision: input.draft_version, actor });
  return toApiVersion((await listVersions(id)).find((v) => v.number === number)!);
}

export async function listVersionsForApi(id: string): Promise<ApiVersion[]> {
  return (await listVersions(id)).map(toApiVersion);
}

export async function rollbackFromApi(id: string, input: z.infer<typeof RollbackInput>, actor: string): Promise<ApiVersion> {
  return toApiVersion(await rollbackTo({ dashboardId: id, number: input.version, actor }));
}

function toApiVersion(v: VersionSummary): ApiVersion {
  return { number: v.number, note: v.note, created_by: v.createdBy, created_at: v.createdAt.toISOString(), live: v.live };
}
