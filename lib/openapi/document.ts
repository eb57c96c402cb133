import "server-only";
import { z } from "zod";
import { ERROR_STATUS } from "@/lib/errors";
import { documentedStatuses, OPERATIONS, type Operation } from "@/lib/openapi/operations";
import { ErrorResponse } from "@/lib/openapi/response-schemas";

// Builds the OpenAPI 3.1 document from the operations table; schemas come
// from the same zod schemas the routes parse with and answer with.

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request: the message names each bad field",
  401: "Missing, unknown, revoked or expired API key",
  403: "The key lacks the scope, or is restricted to another tenant",
  404: "Not found",
  409: "Conflict: a stale draft_version, an unpublished dashboard, or an Idempotency-Key reused with another body",
  415: "Unsupported Content-Encoding",
  413: "The body is too large",
  422: "The query failed",
  500: "Something went wrong on our side; quote the request id",
  503: "The analytics store cannot write (store_unavailable) or the server is stopping (shutting_down): nothing was stored; retry after Retry-After with the same Idempotency-Key",
  504: "The query took longer than its time limit",
};

function jsonSchema(schema: z.ZodType, io: "input" | "output") {
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  delete json.$schema; // OpenAPI 3.1 documents are already JSON Schema 2020-12
  return json;
}

function queryParameters(op: Operation) {
  if (!op.query) return [];
  const schema = jsonSchema(op.query, "input") as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({ name, in: "query", required: schema.required?.includes(name) ?? false, schema: s }));
}

function pathParameters(op: Operation) {
  return [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
}

function operationObject(op: Operation) {
  const responses: Record<string, unknown> = {};
  for (const status of documentedStatuses(op)) {
    responses[String(status)] =
      status === op.success.status
        ? { description: op.success.description, content: { "application/json": { schema: jsonSchema(op.success.schema, "output") } } }
        : { description: ERROR_TEXT[status] ?? "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  }
  const description = [
    op.scope === null ? "No API key needed." : op.scope === "any" ? "Any valid API key." : `Needs an API key with the \`${op.scope}\` scope.`,
    op.unrestrictedOnly ? "Dashboards are shared by every tenant, so a key restricted to one tenant is refused (403)." : op.scope === null || op.scope === "any" ? "" : "A key restricted to one tenant may act for that tenant only.",
  ].filter(Boolean).join(" ");
  return {
    operationId: `${op.method}${op.path.replace(/^\/v1/, "").replace(/[{}]/g, "").split(/[/.-]/).map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join("")}`,
    summary: op.summary,
    description,
    tags: [op.tag],
    ...(op.scope === null ? { security: [] } : {}),
    parameters: [...pathParameters(op), ...queryParameters(op)],
    ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(op.body, "input"), example: op.example.body } } } } : {}),
    responses,
  };
}

export function buildOpenApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operationObject(op);
  return {
    openapi: "3.1.0",
    info: {
      title: "Enclave API",
      version: "1",
      description: "Ingest, embed sessions, dashboards as code and admin queries. Authenticate with `Authorization: Bearer <API key>`; create keys under Admin → API keys or with `npm run enclave -- keys create`. Errors are `{ error: { code, message, request_id } }`.",
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    tags: ["Keys", "Ingest", "Embedding", "Tenants", "Queries", "Dashboards", "Meta"].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An Enclave API key (enc_…)" } },
      schemas: { Error: { ...jsonSchema(ErrorResponse, "output"), description: `code is one of: ${Object.keys(ERROR_STATUS).join(", ")}` } },
    },
  };
}
