import type { components, operations } from "./generated/openapi.js";

// Names for the request and response bodies of the API, taken from the types
// generated from its OpenAPI document (src/generated/openapi.ts).

type JsonOf<T> = T extends { content: { "application/json": infer B } } ? B : never;
type OperationId = keyof operations;

/** The JSON body an operation takes. */
export type RequestBody<Op extends OperationId> = JsonOf<NonNullable<operations[Op]["requestBody"]>>;
/** The JSON body of an operation's answer with status `S`. */
export type ResponseBody<Op extends OperationId, S extends keyof operations[Op]["responses"]> = JsonOf<operations[Op]["responses"][S]>;
/** The query parameters an operation takes. */
export type QueryOf<Op extends OperationId> = NonNullable<operations[Op]["parameters"]["query"]>;

/** `{ error: { code, message, request_id?, details? } }`, as every error answer is. */
export type ApiErrorBody = components["schemas"]["Error"];
export type ApiErrorCode = ApiErrorBody["error"]["code"];

export type KeyInfo = ResponseBody<"getMe", 200>;

export type EmbedSessionInput = RequestBody<"postEmbedSessions">;
export type EmbedSessionCreated = ResponseBody<"postEmbedSessions", 201>;
export type EmbedSession = ResponseBody<"getEmbedSessionsId", 200>;
export type TenantSessionsRevoked = ResponseBody<"postTenantsTenant_idRevokeSessions", 200>;
export type TenantDeletion = ResponseBody<"deleteTenantsTenant_idData", 200>;

export type EventInput = RequestBody<"postEvents">[number];
export type IngestResult = ResponseBody<"postEvents", 200>;
export type IngestRejection = IngestResult["rejected"][number];

export type DashboardListQuery = QueryOf<"getDashboards">;
export type DashboardSummary = ResponseBody<"getDashboards", 200>["dashboards"][number];
export type Dashboard = ResponseBody<"getDashboardsId", 200>;
/** A definition as the server answers it, defaults filled in. */
export type DashboardDefinition = Dashboard["definition"];
export type DashboardCreateInput = RequestBody<"postDashboards">;
/** A definition as you send it (fields with defaults may be left out). */
export type DashboardDefinitionInput = NonNullable<DashboardCreateInput["definition"]>;
export type DashboardUpdateInput = RequestBody<"putDashboardsId">;
export type PublishInput = RequestBody<"postDashboardsIdPublish">;
export type Version = ResponseBody<"postDashboardsIdPublish", 201>;
export type RollbackInput = RequestBody<"postDashboardsIdRollback">;
export type ExportQuery = QueryOf<"getDashboardsIdExport">;
export type DashboardExport = ResponseBody<"getDashboardsIdExport", 200>;
export type AllowedOrigins = ResponseBody<"getDashboardsIdAllowedOrigins", 200>;
