import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { createApiKey } from "@/lib/auth/api-keys";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { POST as ingest } from "./route";

vi.hoisted(() => {
  process.env.INGEST_MAX_BODY_BYTES = "300000";
});

const route = { params: Promise.resolve({}) };
let key: string;
let otherKey: string;
let acmeKey: string;
let embedKey: string;

type Options = { key?: string; type?: string; gzip?: boolean; idempotency?: string; encoding?: string };

async function post(body: string | Buffer, options: Options = {}) {
  const headers: Record<string, string> = { "content-type": options.type ?? "application/json" };
  const auth = options.key ?? key;
  if (auth) headers.authorization = `Bearer ${auth}`;
  let payload: Buffer = Buffer.from(body);
  if (options.gzip) {
    payload = zlib.gzipSync(payload);
    headers["content-encoding"] = "gzip";
  }
  if (options.encoding) headers["content-encoding"] = options.encoding;
  if (options.idempotency) headers["idempotency-key"] = options.idempotency;
  const res = await ingest(new Request("http://test/v1/events", { method: "POST", headers, body: new Uint8Array(payload) }), route);
  return { status: res.status, body: await res.json(), replayed: res.headers.get("idempotent-replayed") };
}

const count = async (tenant: string) => (await queryRows<{ n: number }>(getAnalytics(), "SELECT count() AS n FROM enclave.events WHERE tenant_id = {t:String}", { params: { t: tenant } }))[0].n;
const ev = (tenant: string, i: number, extra: object = {}) => ({ tenant_id: tenant, name: "signup", event_id: `${tenant}-${i}`, ...extra });
const ndjson = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";

beforeAll(async () => {
  migrateTestDatabase();
  await ensureAnalyticsSchema(getAnalytics());
  const k = await createApiKey({ name: "backend", scopes: ["ingest"] }, "test");
  key = k.secret;
  otherKey = (await createApiKey({ name: "backend 2", scopes: ["ingest"] }, "test")).secret;
  acmeKey = (await createApiKey({ name: "acme only", scopes: ["ingest"], tenant_id: "acme" }, "test")).secret;
  embedKey = (await createApiKey({ name: "embed", scopes: ["embed"] }, "test")).secret;
});
afterAll(() => closeAnalytics());

describe("POST /v1/events", () => {
  it("inserts the valid rows of a mixed batch and names each bad row by index", async () => {
    const batch = [
      ev("mixed", 0, { ts: "2026-11-01T10:00:00Z", value: 12.5, user_id: "u1", properties: { plan: { tier: "pro" }, country: "DE" } }),
      { tenant_id: "bad tenant", name: "x" },
      ev("mixed", 2, { ts: 1761991200000 }),
      { tenant_id: "mixed", name: "" },
      ev("mixed", 4, { value: "12" }),
      "not an object",
      ev("mixed", 6),
    ];
    const res = await post(JSON.stringify(batch));
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(3);
    expect(res.body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([[1, "invalid_event"], [3, "invalid_event"], [4, "invalid_event"], [5, "invalid_event"]]);
    expect(res.body.rejected[0].message).toMatch(/^tenant_id: /);
    expect(res.body.rejected[2].message).toMatch(/^value: /);
    const stored = await queryRows<{ event_id: string; ts: string; value: number | null; plan: string }>(getAnalytics(), "SELECT event_id, toString(ts) AS ts, value, properties['plan.tier'] AS plan FROM enclave.events WHERE tenant_id = 'mixed' ORDER BY event_id");
    expect(stored.map((r) => r.event_id)).toEqual(["mixed-0", "mixed-2", "mixed-6"]);
    expect(stored[0]).toMatchObject({ ts: "2026-11-01 10:00:00.000", value: 12.5, plan: "pro" });
  });

  it("refuses a row whose text is not well-formed Unicode (a lone surrogate), and stores the rest of the batch", async () => {
    // JSON can carry "\ud800"; the engine cannot store it: once, one such row failed the whole batch.
    const body = `[${JSON.stringify(ev("lone", 0))},{"tenant_id":"lone","name":"x","event_id":"lone-1","properties":{"s":"a\\ud800"}},{"tenant_id":"lone","name":"x\\udc00","event_id":"lone-2"},{"tenant_id":"lone","name":"x","event_id":"lone-3","user_id":"\\ud800"},{"tenant_id":"lone","name":"x","event_id":"lone-4","properties":{"\\ud800k":"v"}},${JSON.stringify(ev("lone", 5, { properties: { ok: "😀", list: ["\ud800"] } }))}]`;
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([[1, "invalid_event"], [2, "invalid_event"], [3, "invalid_event"], [4, "invalid_event"]]);
    expect(res.body.rejected[0].message).toMatch(/well-formed Unicode/);
    const stored = await queryRows<{ event_id: string; ok: string; list: string }>(getAnalytics(), "SELECT event_id, properties['ok'] AS ok, properties['list'] AS list FROM enclave.events WHERE tenant_id = 'lone' ORDER BY event_id");
    expect(stored).toEqual([{ event_id: "lone-0", ok: "", list: "" }, { event_id: "lone-5", ok: "😀", list: '["\\ud800"]' }]);
  });

  it("reads NDJSON (a bad line is one rejected row) and gzip bodies of both kinds", async () => {
    const lines = ndjson([ev("nd", 0), ev("nd", 1)]) + "{oops\n\n" + JSON.stringify(ev("nd", 2)) + "\r\n";
    const res = await post(lines, { type: "application/x-ndjson" });
    expect(res.body).toEqual({ accepted: 3, rejected: [{ index: 2, code: "invalid_json", message: "line 3 is not valid JSON" }] });
    expect((await post(ndjson([ev("gz", 0), ev("gz", 1)]), { type: "application/x-ndjson", gzip: true })).body).toEqual({ accepted: 2, rejected: [] });
    expect((await post(JSON.stringify([ev("gz", 2)]), { gzip: true })).body).toEqual({ accepted: 1, rejected: [] });
    // Without an NDJSON content type, a body starting with "{" is read as NDJSON.
    expect((await post(ndjson([ev("gz", 3)]), { type: "text/plain" })).body.accepted).toBe(1);
    expect(await count("nd")).toBe(3);
    expect(await count("gz")).toBe(4);
  });

  it("answers 400 to a body that is not JSON or NDJSON, and writes nothing", async () => {
    const cases: Array<[string | Buffer, Options, RegExp]> = [
      ["hello", {}, /not JSON or NDJSON: it starts with "h"/],
      ["", {}, /body is empty/],
      [JSON.stringify([ev("never", 0), ev("never", 1)]).slice(0, -5), {}, /not closed/],
      [`[${JSON.stringify(ev("never", 0))}, {oops}]`, {}, /element 1 is not valid JSON/],
      [`[${JSON.stringify(ev("never", 0))}] trailing`, {}, /after the end of the array/],
      ["{oops\n{still oops\n", { type: "application/x-ndjson" }, /No line of the body is valid JSON/],
      [Buffer.from("definitely not gzip"), { encoding: "gzip" }, /not valid gzip/],
    ];
    for (const [body, options, message] of cases) {
      const res = await post(body, options);
      expect(res.status, String(message)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    const br = await post(JSON.stringify([ev("never", 0)]), { encoding: "br" });
    expect([br.status, br.body.error.code]).toEqual([415, "unsupported_media_type"]);
    expect(await count("never")).toBe(0);
  });

  it("refuses a body over INGEST_MAX_BODY_BYTES with 413, also when it only grows that large when unzipped", async () => {
    const big = JSON.stringify(Array.from({ length: 4_000 }, (_, i) => ev("big", i, { properties: { page: `/pricing/${"x".repeat(40)}` } })));
    expect(big.length).toBeGreaterThan(300_000);
    const plain = await post(big);
    expect([plain.status, plain.body.error.code]).toEqual([413, "payload_too_large"]);
    const zipped = await post(big, { gzip: true });
    expect(zlib.gzipSync(big).length).toBeLessThan(300_000);
    expect(zipped.status).toBe(413);
    expect(await count("big")).toBe(0);
  });

  it("writes a retried batch once, per API key, and refuses the key with another body", async () => {
    const body = JSON.stringify([ev("idem", 0), ev("idem", 1), { tenant_id: "idem", name: "" }]);
    const first = await post(body, { idempotency: "batch-0001" });
    const retry = await post(body, { idempotency: "batch-0001" });
    expect(first.body).toMatchObject({ accepted: 2 });
    expect(retry.body).toEqual(first.body);
    expect([first.replayed, retry.replayed]).toEqual([null, "true"]);
    expect(await count("idem")).toBe(2);

    const reused = await post(JSON.stringify([ev("idem", 9)]), { idempotency: "batch-0001" });
    expect([reused.status, reused.body.error.code]).toEqual([409, "conflict"]);
    expect(reused.body.error.message).toContain("different body");
    // Another API key has its own namespace.
    expect((await post(JSON.stringify([ev("idem", 5)]), { key: otherKey, idempotency: "batch-0001" })).body.accepted).toBe(1);
    expect(await count("idem")).toBe(3);
    expect((await post(body, { idempotency: "has space" })).status).toBe(400);
  });

  it("stores a batch once when the answer was lost after the insert and the client retries", async () => {
    const body = JSON.stringify([ev("lost", 0), ev("lost", 1), ev("lost", 2)]);
    // The insert succeeds, then recording the answer fails: the client sees an error, not an acknowledgement.
    const spy = vi.spyOn(getDb().idempotencyKey, "upsert").mockRejectedValueOnce(new Error("simulated crash after insert"));
    const cut = await post(body, { idempotency: "lost-1" });
    expect(cut.status).toBe(500);
    spy.mockRestore();
    expect(await count("lost")).toBe(3);
    const retry = await post(body, { idempotency: "lost-1" });
    expect(retry.body).toEqual({ accepted: 3, rejected: [] });
    expect(await count("lost")).toBe(3);
  });

  it("acknowledges a retry only when its rows are stored, even when the engine remembers the batch but its rows are gone", async () => {
    // What a server killed mid-insert can leave: the claim unanswered, and the engine's deduplication
    // log holding the batch's token while the part it names never landed. Made here by storing the
    // batch, deleting its rows, and putting the claim back as a crash leaves it.
    const body = JSON.stringify([ev("ghost", 0), ev("ghost", 1), ev("ghost", 2)]);
    expect((await post(body, { idempotency: "ghost-1" })).body.accepted).toBe(3);
    await getAnalytics().withConnection((c) => c.command({ query: "ALTER TABLE enclave.events DELETE WHERE tenant_id = 'ghost'", clickhouse_settings: { mutations_sync: "2" } }));
    await getDb().idempotencyKey.updateMany({ where: { key: "ghost-1" }, data: { response: "" } });
    expect(await count("ghost")).toBe(0);
    const retry = await post(body, { idempotency: "ghost-1" });
    expect(retry.body).toEqual({ accepted: 3, rejected: [] });
    expect(await count("ghost")).toBe(3);
    // And once stored, a further retry is a replay: still three rows.
    expect((await post(body, { idempotency: "ghost-1" })).replayed).toBe("true");
    expect(await count("ghost")).toBe(3);
  });

  it("answers two requests with the same key at once from one insert", async () => {
    const body = JSON.stringify([ev("twice", 0), ev("twice", 1)]);
    const answers = await Promise.all([post(body, { idempotency: "twice-1" }), post(body, { idempotency: "twice-1" })]);
    expect(answers.map((a) => a.body)).toEqual([{ accepted: 2, rejected: [] }, { accepted: 2, rejected: [] }]);
    expect(answers.map((a) => a.replayed).sort()).toEqual([null, "true"]);
    expect(await count("twice")).toBe(2);
  });

  it("lets a tenant-restricted key write only its tenant, row by row", async () => {
    const res = await post(JSON.stringify([ev("acme", 100), ev("globex", 100), ev("acme2", 100), ev("ACME", 100)]), { key: acmeKey });
    expect(res.body.accepted).toBe(1);
    expect(res.body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([[1, "tenant_forbidden"], [2, "tenant_forbidden"], [3, "tenant_forbidden"]]);
    expect(await count("globex")).toBe(0);
    expect(await count("acme2")).toBe(0);
    // A repeated key: JSON.parse keeps the last tenant_id, and so does the check; as text, with escapes, spaced out.
    const sly = ['{"tenant_id":"acme","name":"x","tenant_id":"globex"}', '{"tenant_id":"acme","name":"x","tenant\\u005fid":"globex"}', '{ "tenant_id" : "glob\\u0065x" , "name" : "x" }', '{"tenant_id":"globex","name":"x","tenant_id":"acme"}'];
    const again = await post(`[${sly.join(",")}]`, { key: acmeKey });
    expect(again.body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([[0, "tenant_forbidden"], [1, "tenant_forbidden"], [2, "tenant_forbidden"]]);
    expect(again.body.accepted).toBe(1);
    expect(await count("globex")).toBe(0);
  });

  it("needs a key with the ingest scope", async () => {
    const body = JSON.stringify([ev("nokey", 0)]);
    expect((await post(body, { key: "" })).status).toBe(401);
    expect((await post(body, { key: "enc_wrong" })).status).toBe(401);
    expect((await post(body, { key: embedKey })).status).toBe(403);
    expect(await count("nokey")).toBe(0);
  });
});
