import "server-only";
import { z } from "zod";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import { createDashboard, DashboardDescription, DashboardName, getDraft } from "@/lib/dashboards/drafts";
import { getVersionDefinition } from "@/lib/dashboards/versions";
import { AppError, validationError } from "@/lib/errors";

// A dashboard as a file: the tenant-agnostic definition plus its name, so it
// can live in a repository and be imported on another Enclave. Import is
// checked with the same schema the designer saves with, and always creates a
// new draft: nothing published or live changes until someone publishes it.

export const EXPORT_FORMAT = "enclave.dashboard";
export const EXPORT_FORMAT_VERSION = 1;
export const MAX_IMPORT_BYTES = 1_000_000;

export const DashboardExport = z
  .object({
    format: z.literal(EXPORT_FORMAT),
    format_version: z.literal(EXPORT_FORMAT_VERSION),
    name: DashboardName,
    description: DashboardDescription.default(""),
    definition: DashboardDefinition,
    exported_from: z.object({ dashboard_id: z.string().max(100), version: z.number().int().nullable(), exported_at: z.string().max(40) }).strict().optional(),
  })
  .strict();
export type DashboardExport = z.infer<typeof DashboardExport>;

export const ExportQuery = z.object({ version: z.coerce.number().int().min(1).optional().meta({ description: "A published version; the draft when absent." }) }).strict();

/** The draft (no `version`) or a published version, as an import-ready document. */
export async function exportDashboard(id: string, version?: number): Promise<DashboardExport> {
  const draft = await getDraft(id);
  const definition = version === undefined ? draft.definition : await getVersionDefinition(id, version);
  return {
    format: EXPORT_FORMAT,
    format_version: EXPORT_FORMAT_VERSION,
    name: draft.name,
    description: draft.description,
    definition,
    exported_from: { dashboard_id: id, version: version ?? null, exported_at: new Date().toISOString() },
  };
}

export function exportFileName(doc: DashboardExport): string {
  const slug = doc.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "dashboard";
  const which = doc.exported_from?.version ? `v${doc.exported_from.version}` : "draft";
  return `${slug}-${which}.enclave.json`;
}

/** Parses an uploaded file's text; every problem is a 400 that says what to fix. */
export function parseDashboardFile(text: string): DashboardExport {
  if (Buffer.byteLength(text) > MAX_IMPORT_BYTES) throw new AppError("payload_too_large", `The file is larger than ${MAX_IMPORT_BYTES / 1_000_000} MB; a dashboard export is a few kB.`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AppError("bad_request", `The file is not valid JSON (${err instanceof Error ? err.message : "parse error"}). Use a file made by Export JSON or GET /v1/dashboards/:id/export.`);
  }
  return parseDashboardExport(raw);
}

export function parseDashboardExport(raw: unknown): DashboardExport {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || (raw as { format?: unknown }).format !== EXPORT_FORMAT) {
    throw new AppError("validation_failed", `This is not an Enclave dashboard export: it needs "format": "${EXPORT_FORMAT}". Use a file made by Export JSON or GET /v1/dashboards/:id/export.`);
  }
  const formatVersion = (raw as { format_version?: unknown }).format_version;
  if (typeof formatVersion === "number" && formatVersion > EXPORT_FORMAT_VERSION) {
    throw new AppError("validation_failed", `This file was exported by a newer Enclave (format_version ${formatVersion}); this server reads format_version ${EXPORT_FORMAT_VERSION}.`);
  }
  const parsed = DashboardExport.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error, "dashboard file");
  return parsed.data;
}

/** Creates a new dashboard whose draft is the file's definition; returns its id. */
export async function importDashboard(doc: DashboardExport, options: { actor: string; name?: string }): Promise<string> {
  return createDashboard({
    name: options.name ?? doc.name,
    description: doc.description,
    definition: doc.definition,
    actor: options.actor,
    auditAction: "dashboard.import",
  });
}
