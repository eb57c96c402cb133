import "server-only";
import { z } from "zod";
import type { ApiScope } from "@/lib/auth/api-keys";
import { DashboardCreateInput, DashboardListQuery, DashboardUpdateInput, PublishInput, RollbackInput } from "@/lib/dashboards/dashboards-api";
import { AllowedOriginsInput } from "@/lib/dashboards/allowed-origins";
import { DashboardExport, ExportQuery } from "@/lib/dashboards/export-import";
import { CreateSessionInput } from "@/lib/embed/sessions";
import { EventInput } from "@/lib/analytics/event-row";
import { PreviewInput, ValidateInput } from "@/lib/query/preview";
import * as R from "@/lib/openapi/response-schemas";
import { RetentionInput } from "@/lib/tenants/retention";

// Every /v1 operation, described once. The OpenAPI document is built from
// this table, and the contract test calls each route with its example and
// checks the answer against the documented schema.

export type Operation = {
  method: "get" | "post" | "put" | "delete";
  /** OpenAPI path, e.g. /v1/dashboards/{id}. */
  path: string;
  summary: string;
  tag: "Keys" | "Ingest" | "Embedding" | "Queries" | "Dashboards" | "Tenants" | "Meta";
  /** The API key scope needed; "any" = any valid key; null = no key. */
  scope: ApiScope | "any" | null;
  /** Dashboards are shared by all tenants: tenant-restricted keys get 403. */
  unrestrictedOnly?: boolean;
  query?: z.ZodType;
  body?: z.ZodType;
  success: { status: number; description: string; schema: z.ZodType };
  /** Error statuses this operation answers besides 400/401/403 (added from scope, query and body). */
  errors?: number[];
  /** Bad rows are reported in a 200 answer rather than refused. */
  rowLevelErrors?: boolean;
  /** A call the contract test makes; `$session` stands for a session the test created. */
  example: { params?: Record<string, string>; query?: string; body?: unknown };
};

const dashboardId = { id: "dash_demo" };

export const OPERATIONS: Operation[] = [
  { method: "get", path: "/v1/openapi.json", summary: "This document", tag: "Meta", scope: null, success: { status: 200, description: "The OpenAPI 3.1 description of /v1", schema: R.OpenApiDocument }, example: {} },
  { method: "get", path: "/v1/me", summary: "Which key is this and what may it do", tag: "Keys", scope: "any", success: { status: 200, description: "The calling key", schema: R.KeyInfo }, example: {} },

  { method: "post", path: "/v1/embed-sessions", summary: "Mint an embed session for one tenant and one published dashboard", tag: "Embedding", scope: "embed", body: CreateSessionInput, success: { status: 201, description: "Put embed_url in an iframe", schema: R.EmbedSessionCreated }, errors: [404, 409], example: { body: { tenant_id: "acme", dashboard_id: "dash_demo", expires_in: 3600, locale: "de-DE", permissions: { locked_filters: { country: ["US"] } } } } },
  { method: "get", path: "/v1/embed-sessions/{id}", summary: "Read a session's state", tag: "Embedding", scope: "embed", success: { status: 200, description: "The session", schema: R.EmbedSession }, errors: [404], example: { params: { id: "$session" } } },
  { method: "delete", path: "/v1/embed-sessions/{id}", summary: "Revoke a session; its open embeds stop within 5 s", tag: "Embedding", scope: "embed", success: { status: 200, description: "The revoked session", schema: R.EmbedSession }, errors: [404], example: { params: { id: "$session" } } },
  { method: "post", path: "/v1/tenants/{tenant_id}/revoke-sessions", summary: "Revoke every session of a tenant minted until now", tag: "Tenants", scope: "embed", success: { status: 200, description: "How many sessions were revoked", schema: R.TenantSessionsRevoked }, example: { params: { tenant_id: "globex" } } },

  { method: "post", path: "/v1/events", summary: "Send events: a JSON array or NDJSON, optionally gzip; Idempotency-Key makes a retry write once", tag: "Ingest", scope: "ingest", body: z.array(EventInput).meta({ description: "Or NDJSON (one event per line, Content-Type: application/x-ndjson). Content-Encoding: gzip is accepted; the size limit (INGEST_MAX_BODY_BYTES) applies after decompression." }), rowLevelErrors: true, success: { status: 200, description: "Sent only after the valid rows were written; bad rows are listed by index", schema: R.IngestResult }, errors: [409, 415, 503], example: { body: [{ tenant_id: "acme", name: "signup", ts: "2026-11-20T10:00:00Z", user_id: "u-1", properties: { plan: "pro", country: "DE" } }, { tenant_id: "acme", name: "order_completed", value: 49.5 }] } },
  { method: "delete", path: "/v1/tenants/{tenant_id}/data", summary: "Erase a tenant's events, saved views and cached results, and revoke its sessions", tag: "Tenants", scope: "admin", success: { status: 200, description: "What was deleted", schema: R.TenantDeletion }, example: { params: { tenant_id: "tenant-048" } } },
  { method: "delete", path: "/v1/tenants/{tenant_id}/users/{user_id}/data", summary: "Erase one end user's events, saved views and AI questions within a tenant (rollups are rebuilt)", tag: "Tenants", scope: "admin", success: { status: 200, description: "What was deleted", schema: R.UserErasure }, example: { params: { tenant_id: "tenant-047", user_id: "u-1" } } },
  { method: "get", path: "/v1/tenants/{tenant_id}/retention", summary: "How long a tenant's events are kept", tag: "Tenants", scope: "admin", success: { status: 200, description: "The tenant's retention, the install's default, or none", schema: R.Retention }, example: { params: { tenant_id: "acme" } } },
  { method: "put", path: "/v1/tenants/{tenant_id}/retention", summary: "Set a tenant's retention in days (null: the install's default); older events are dropped at once", tag: "Tenants", scope: "admin", body: RetentionInput, success: { status: 200, description: "The retention now in force and how many events went", schema: R.RetentionSet }, example: { params: { tenant_id: "tenant-046" }, body: { days: 3650 } } },
  { method: "post", path: "/v1/query/validate", summary: "Check custom SQL against the guard", tag: "Queries", scope: "admin", body: ValidateInput, success: { status: 200, description: "The guard's verdict and reason", schema: R.GuardVerdict }, example: { body: { sql: "SELECT count() FROM events" } } },
  { method: "post", path: "/v1/query/preview", summary: "Run a spec or custom SQL as one tenant, with the effective SQL", tag: "Queries", scope: "admin", body: PreviewInput, success: { status: 200, description: "Rows, effective SQL and engine row filter; engine stats only for keys without a tenant restriction", schema: R.PreviewResult }, errors: [422, 504], example: { body: { tenant_id: "acme", sql: "SELECT count() AS n FROM events" } } },

  { method: "get", path: "/v1/dashboards", summary: "List dashboards", tag: "Dashboards", scope: "admin", unrestrictedOnly: true, query: DashboardListQuery, success: { status: 200, description: "Dashboards, most recently edited first", schema: R.DashboardList }, example: { query: "?search=Product" } },
  { method: "post", path: "/v1/dashboards", summary: "Create a dashboard (a draft)", tag: "Dashboards", scope: "admin", unrestrictedOnly: true, body: DashboardCreateInput, success: { status: 201, description: "The new dashboard", schema: R.Dashboard }, example: { body: { name: "Usage", definition: { widgets: [{ kind: "chart", id: "events", title: "Events", chart: "kpi", metrics: [{ id: "event_count" }] }] } } } },
  { method: "post", path: "/v1/dashboards/import", summary: "Create a dashboard from an export file", tag: "Dashboards", scope: "admin", unrestrictedOnly: true, body: DashboardExport, success: { status: 201, description: "The new dashboard; its draft is the file's definition", schema: R.Dashboard }, example: { body: { format: "enclave.dashboard", format_version: 1, name: "Imported", definition: { widgets: [] } } } },
  { method: "get", path: "/v1/dashboards/{id}", summary: "Read a dashboard and its draft", tag: "Dashboards", scope: "admin", unrestrictedOnly: true, success: { status: 200, description: "The dashboard", schema: R.Dashboard }, errors: [404], example: { params: dashboardId } },
  { method: "put", path: "/v1/dashboards/{id}", summary: "Replace the draft (send the draft_version you read)", tag: "Dashboards", scope: "admin", unrestrictedOnly: true, body: DashboardUpdateInput, success: { status: 200, description: "The saved dashboard with its new draft_version", schema: R.Dashboard }, errors: [404, 409], example: { params: dashboardId, body: { draft_version: 1, definition: { widgets: [{ kind: "chart", id: "signups", title: "Signups", chart: "kpi", metrics: [{ id: "event_count", event: "signup" }] }] } } } },
  { method: "post", path: "/v1/dashboards/{id}/publish", summary: "Publish the draft as a new immutable version", tag: "Dashboards", scope: "admin", unrestrictedOnly: true, body: PublishInput, success: { status: 201, description: "The new live version", schema: R.Version }, errors: [404, 409], example: { params: dashboardId, body: { note: "from CI", draft_version: 2 } } },
  { method: "get", path: "/v1/dashboards/{id}/versions", summary: "List published versions", tag: "Dashboards", scope: "admin", unrestrictedOnly: true, success: { status: 200, description: "Versions, newest first", schema: R.VersionList }, errors: [404], example: { params: dashboardId } },
  { method: "post", path: "/v1/dashboards/{id}/rollback", summary: "Make an earlier version live again", tag: "Dashboards", scope: "admin", unrestrictedOnly: true, body: RollbackInput, success: { status: 200, description: "The version that is now live", schema: R.Version }, errors: [404], example: { params: dashboardId, body: { version: 1 } } },
  { method: "get", path: "/v1/dashboards/{id}/export", summary: "Export the draft or a version as a file", tag: "Dashboards", scope: "admin", unrestrictedOnly: true, query: ExportQuery, success: { status: 200, description: "An import-ready file", schema: DashboardExport }, errors: [404], example: { params: dashboardId, query: "?version=1" } },
  { method: "get", path: "/v1/dashboards/{id}/allowed-origins", summary: "Origins that may frame this dashboard's embeds", tag: "Dashboards", scope: "admin", unrestrictedOnly: true, success: { status: 200, description: "The allowed origins", schema: R.AllowedOriginsResult }, errors: [404], example: { params: dashboardId } },
  { method: "put", path: "/v1/dashboards/{id}/allowed-origins", summary: "Replace the allowed origins", tag: "Dashboards", scope: "admin", unrestrictedOnly: true, body: AllowedOriginsInput, success: { status: 200, description: "The stored origins", schema: R.AllowedOriginsResult }, errors: [404], example: { params: dashboardId, body: { origins: ["https://app.example.com", "http://localhost:4000"] } } },
];

/** The statuses an operation may answer with. */
export function documentedStatuses(op: Operation): number[] {
  const statuses = new Set([op.success.status, ...(op.errors ?? [])]);
  if (op.body || op.query || op.path.includes("{")) statuses.add(400);
  if (op.body) statuses.add(413);
  if (op.scope !== null) {
    statuses.add(401);
    if (op.scope !== "any") statuses.add(403);
  }
  statuses.add(500);
  return [...statuses].sort();
}
