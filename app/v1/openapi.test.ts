import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import { createApiKey } from "@/lib/auth/api-keys";
import { ensureDemoDashboard } from "@/lib/dashboards/demo-dashboard";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { documentedStatuses, OPERATIONS, type Operation } from "@/lib/openapi/operations";
import { ErrorResponse } from "@/lib/openapi/response-schemas";
import { loadDemoFixture } from "@/lib/testing/analytics-fixture";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// The OpenAPI document is kept true by calling every route: the set of routes
// under app/v1 must equal the documented set, and each documented example must
// get the documented status with a body the documented schema accepts.

type Handler = (req: Request, route: { params: Promise<Record<string, string>> }) => Promise<Response>;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const modules = import.meta.glob<Record<string, Handler>>("./**/route.ts");

/** app/v1/dashboards/[id]/route.ts → /v1/dashboards/{id} */
function apiPath(file: string): string {
  return `/v1/${file.replace(/^\.\//, "").replace(/\/?route\.ts$/, "")}`.replace(/\[(\w+)\]/g, "{$1}").replace(/\/$/, "");
}
const fileFor = (op: Operation) => Object.keys(modules).find((f) => apiPath(f) === op.path)!;

const keys: Record<string, string> = {};
let sessionId = "";

async function send(op: Operation, options: { key?: string; body?: string; query?: string } = {}) {
  const handler = (await modules[fileFor(op)]())[op.method.toUpperCase()];
  const params = Object.fromEntries(Object.entries(op.example.params ?? {}).map(([k, v]) => [k, v === "$session" ? sessionId : v]));
  const url = `http://test${op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]))}${options.query ?? op.example.query ?? ""}`;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  const body = options.body ?? (op.example.body === undefined ? undefined : JSON.stringify(op.example.body));
  const res = await handler(new Request(url, { method: op.method.toUpperCase(), headers, body }), { params: Promise.resolve(params) });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  migrateTestDatabase();
  await loadDemoFixture(3_000);
  await ensureDemoDashboard();
  keys.admin = (await createApiKey({ name: "admin", scopes: ["admin"] }, "test")).secret;
  keys.embed = (await createApiKey({ name: "embed", scopes: ["embed"] }, "test")).secret;
  keys.ingest = (await createApiKey({ name: "ingest", scopes: ["ingest"] }, "test")).secret;
  keys.any = keys.ingest;
});
afterAll(() => closeAnalytics());

describe("the OpenAPI document", () => {
  it("documents exactly the routes under app/v1, method by method", async () => {
    const served: string[] = [];
    for (const [file, load] of Object.entries(modules)) {
      const mod = await load();
      for (const method of METHODS) if (typeof mod[method] === "function") served.push(`${method} ${apiPath(file)}`);
    }
    const documented = OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path}`);
    expect(served.sort()).toEqual([...documented].sort());
    expect(new Set(documented).size).toBe(documented.length);
  });

  it("is served at /v1/openapi.json with every operation and its responses", async () => {
    const op = OPERATIONS.find((o) => o.path === "/v1/openapi.json")!;
    const { status, body } = await send(op);
    expect(status).toBe(200);
    expect(body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(body.servers[0].url))));
    for (const o of OPERATIONS) {
      const doc = body.paths[o.path][o.method];
      expect(Object.keys(doc.responses).map(Number).sort(), `${o.method} ${o.path}`).toEqual(documentedStatuses(o));
      expect(Boolean(doc.requestBody), `${o.method} ${o.path}`).toBe(Boolean(o.body));
    }
  });

  it("answers each documented example with the documented status and a body the documented schema accepts", async () => {
    for (const op of OPERATIONS) {
      const name = `${op.method.toUpperCase()} ${op.path}`;
      const key = op.scope === null ? undefined : keys[op.scope === "any" ? "any" : op.scope];
      const { status, body } = await send(op, { key });
      expect(status, `${name}: ${JSON.stringify(body)}`).toBe(op.success.status);
      const parsed = op.success.schema.safeParse(body);
      expect(parsed.success, `${name}: ${parsed.error?.message}`).toBe(true);
      if (op.path === "/v1/embed-sessions") sessionId = body.session_id;
    }
  });

  it("documents the errors each route answers with, in the documented error shape", async () => {
    for (const op of OPERATIONS) {
      const name = `${op.method.toUpperCase()} ${op.path}`;
      const problems: Array<{ key?: string; body?: string; query?: string }> = [];
      if (op.scope !== null) problems.push({}, { key: "enc_unknown" });
      if (op.scope !== null && op.scope !== "any") problems.push({ key: keys[op.scope === "admin" ? "embed" : "admin"] });
      if (op.body && !op.rowLevelErrors) problems.push({ key: keys[op.scope as string], body: JSON.stringify({ undocumented_field: 1 }) });
      if (op.body) problems.push({ key: keys[op.scope as string], body: "{not json" });
      if (op.query) problems.push({ key: keys[op.scope as string], query: "?undocumented_param=1" });
      for (const problem of problems) {
        const { status, body } = await send(op, problem);
        expect(documentedStatuses(op), `${name} ${JSON.stringify(problem)} → ${status}`).toContain(status);
        expect(status, name).toBeGreaterThanOrEqual(400);
        expect(ErrorResponse.safeParse(body).success, `${name}: ${JSON.stringify(body)}`).toBe(true);
      }
    }
  });

  it("lists every operation in the README's endpoint table", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");
    const missing = OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path.replace(/\{(\w+)\}/g, ":$1")}`).filter((line) => !readme.includes(line));
    expect(missing).toEqual([]);
  });
});
