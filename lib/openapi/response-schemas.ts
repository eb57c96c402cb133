import { z } from "zod";
import { API_SCOPES } from "@/lib/auth/api-keys";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import { ERROR_STATUS } from "@/lib/errors";
import { Permissions } from "@/lib/query/permissions";

// The shapes /v1 answers with, as zod schemas: the OpenAPI document is
// generated from them and the contract test parses real responses with them
// (strict, so an undocumented field fails the test).

export const ErrorResponse = z
  .object({
    error: z
      .object({
        code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]]),
        message: z.string().meta({ description: "What was wrong and what to do." }),
        request_id: z.string().optional(),
        details: z.unknown().optional(),
      })
      .strict(),
  })
  .strict();

const Timestamp = z.string().meta({ description: "ISO-8601, UTC" });

export const KeyInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.enum(API_SCOPES)),
    tenant_id: z.string().nullable(),
    created_at: Timestamp,
    expires_at: Timestamp.nullable().meta({ description: "From this instant on the key gets 401 api_key_expired; null: never expires." }),
  })
  .strict();

export const GuardVerdict = z.union([
  z.object({ ok: z.literal(true), tables: z.array(z.string()), dimensions: z.array(z.string()).describe("catalog dimensions the SQL reads (name → event, properties['k'] → k or property:k)"), unnamedMapKeys: z.boolean().describe("the SQL reads the properties map other than by a constant key") }).strict(),
  z
    .object({
      ok: z.literal(false),
      reason: z.string(),
      at: z
        .union([
          z.object({ offset: z.number().int().describe("0-based offset in the SQL as sent (syntax errors at the engine's position, semicolons, quotes)") }).strict(),
          z.object({ identifier: z.string().describe("the name the refusal is about, as the engine's parser read it") }).strict(),
        ])
        .optional()
        .describe("where the refusal points, when it can say"),
    })
    .strict(),
]);

export const PreviewResult = z
  .object({
    tenant_id: z.string(),
    rows: z.array(z.record(z.string(), z.unknown())),
    columns: z.array(z.object({ name: z.string(), type: z.string() }).strict()),
    stats: z
      .object({ elapsed_ms: z.number(), rows_read: z.number(), bytes_read: z.number() })
      .strict()
      .optional()
      .meta({ description: "Only for admin keys without a tenant restriction. The engine counts every row in the granules it read, other tenants' included, so a key restricted to a tenant gets no stats (and errors without the engine's detail)." }),
    effective_sql: z.string(),
    params: z.record(z.string(), z.unknown()),
    engine_filter: z.string().meta({ description: "The engine-level row filter applied to every table read." }),
    range: z.object({ from: Timestamp, to: Timestamp }).strict().optional(),
  })
  .strict();

export const EmbedSessionCreated = z
  .object({ embed_url: z.string().meta({ description: "Put this in an iframe." }), token: z.string(), session_id: z.string(), expires_at: Timestamp })
  .strict();

export const EmbedSession = z
  .object({
    session_id: z.string(),
    tenant_id: z.string(),
    dashboard_id: z.string(),
    user_id: z.string().nullable(),
    permissions: Permissions,
    single_use: z.boolean(),
    locale: z.string().meta({ description: "The viewer's locale (BCP 47): numbers, dates and the embed's own words follow it." }),
    created_at: Timestamp,
    expires_at: Timestamp,
    revoked_at: Timestamp.nullable(),
    consumed_at: Timestamp.nullable(),
    status: z.enum(["active", "expired", "revoked", "spent"]),
  })
  .strict();

export const TenantSessionsRevoked = z.object({ tenant_id: z.string(), revoked_before: Timestamp, sessions_revoked: z.number().int() }).strict();

export const AllowedOriginsResult = z.object({ dashboard_id: z.string(), origins: z.array(z.string()) }).strict();

const DashboardFields = {
  id: z.string(),
  name: z.string(),
  description: z.string(),
  draft_version: z.number().int().meta({ description: "The draft's revision; send it back with PUT." }),
  live_version: z.number().int().nullable(),
  archived: z.boolean(),
  updated_at: Timestamp,
  updated_by: z.string(),
};
export const DashboardSummary = z.object({ ...DashboardFields, widgets: z.number().int() }).strict();
export const DashboardList = z.object({ dashboards: z.array(DashboardSummary) }).strict();
export const Dashboard = z.object({ ...DashboardFields, definition: DashboardDefinition }).strict();

export const Version = z.object({ number: z.number().int(), note: z.string(), created_by: z.string(), created_at: Timestamp, live: z.boolean() }).strict();
export const VersionList = z.object({ versions: z.array(Version) }).strict();

export const OpenApiDocument = z.object({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }).passthrough(), paths: z.record(z.string(), z.unknown()) }).passthrough();

export const IngestResult = z
  .object({
    accepted: z.number().int().meta({ description: "Rows written" }),
    rejected: z.array(z.object({ index: z.number().int(), code: z.enum(["invalid_event", "invalid_json", "tenant_forbidden"]), message: z.string() }).strict()),
  })
  .strict();

export const UserErasure = z
  .object({ tenant_id: z.string(), user_id: z.string(), events_deleted: z.number().int(), saved_views_deleted: z.number().int(), ai_log_entries_deleted: z.number().int(), rollups_rebuilding: z.boolean() })
  .strict();

const RetentionFields = {
  tenant_id: z.string(),
  days: z.number().int().nullable(),
  source: z.enum(["tenant", "default", "none"]),
  keeps_events_since: Timestamp.nullable(),
};
export const Retention = z.object(RetentionFields).strict();
export const RetentionSet = z.object({ ...RetentionFields, events_deleted: z.number().int() }).strict();

export const TenantDeletion = z
  .object({ tenant_id: z.string(), events_deleted: z.number().int(), saved_views_deleted: z.number().int(), ai_log_entries_deleted: z.number().int(), sessions_revoked: z.number().int() })
  .strict();
