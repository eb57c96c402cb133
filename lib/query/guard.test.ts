import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { getCatalog } from "@/lib/query/catalog-tables";
import { guardSql, parseAst } from "@/lib/query/guard";
import corpus from "@/lib/query/guard-corpus.json";

export type CorpusEntry = { sql: string; verdict: "accept" | "reject"; category: string };

beforeAll(async () => {
  await ensureAnalyticsSchema(getAnalytics());
});
afterAll(() => closeAnalytics());

describe("SQL guard: adversarial corpus", () => {
  const entries = corpus as CorpusEntry[];

  it("has at least 150 payloads covering every family", () => {
    expect(entries.length).toBeGreaterThanOrEqual(150);
    const categories = new Set(entries.map((e) => e.category));
    for (const family of ["or-precedence", "tenant-column", "comment", "whitespace", "quoted-identifier", "quoted-identifier-newline", "alias", "cte", "cte-shadow", "union", "except", "intersect", "self-join", "subquery-select", "subquery-where", "subquery-from", "in-table", "other-database", "virtual-column", "table-function", "system", "information_schema", "function", "settings-subquery", "settings-cte", "settings-union", "format", "into-outfile", "prewhere", "multi-statement", "verb", "error-probe", "deep-nesting", "huge"]) {
      expect(categories, family).toContain(family);
    }
  });

  it("gives every payload its expected verdict, with a reason for each rejection", async () => {
    const catalog = getCatalog();
    const wrong: string[] = [];
    for (const entry of entries) {
      const sql = entry.sql.replaceAll("{db}", catalog.database);
      const verdict = await guardSql(sql, { catalog });
      const got = verdict.ok ? "accept" : "reject";
      if (got !== entry.verdict) wrong.push(`${entry.category}: expected ${entry.verdict}, got ${got}${verdict.ok ? "" : ` (${verdict.reason})`}: ${sql.slice(0, 160)}`);
      if (!verdict.ok) expect(verdict.reason.length, sql.slice(0, 80)).toBeGreaterThan(10);
    }
    expect(wrong).toEqual([]);
  });

  it("has a rejected entry for every output format the engine knows", async () => {
    // A format the engine gains in an upgrade must be added to the corpus (and refused).
    const formats = await getAnalytics().withConnection(async (client) => {
      const rs = await client.query({ query: "SELECT name FROM system.formats WHERE is_output", format: "JSONEachRow" });
      return (await rs.json<{ name: string }>()).map((r) => r.name);
    });
    expect(formats.length).toBeGreaterThan(50);
    const covered = new Set(entries.filter((e) => e.category === "format-name" && e.verdict === "reject").map((e) => e.sql.split(" FORMAT ")[1]));
    expect(formats.filter((f) => !covered.has(f))).toEqual([]);
  });

  it("keeps the engine up after the huge and deeply nested payloads", async () => {
    expect(await guardSql("SELECT count() FROM events")).toEqual({ ok: true, tables: ["events"], dimensions: [], unnamedMapKeys: false });
  });
});

describe("SQL guard: reasons an admin understands", () => {
  it.each([
    ["SELECT count() FROM events; DROP TABLE events", /Semicolons are not allowed/],
    ["SELECT tenant_id FROM events", /tenant column may not be referenced/],
    ["SELECT count() FROM numbers(10)", /Table functions/],
    ["SELECT count() FROM system.tables", /database "system" is not readable/],
    ["SELECT dictGet('d', 'a', 1) FROM events", /function dictGet\(\) is not allowed/],
    ["SELECT count() FROM events SETTINGS readonly = 0", /SETTINGS clauses are not allowed/],
    ["SELECT count() FROM events FORMAT JSON", /FORMAT JSON is not allowed/],
    ["SELECT count() FROM events FORMAT TabSeparatedRaw", /FORMAT TabSeparatedRaw is not allowed/],
    ["SELECT count() FROM events INTO OUTFILE 'x'", /FORMAT, INTO OUTFILE/],
    ["SELECT * FROM events", /SELECT \* is not allowed/],
    ["SELECT _part FROM events", /"_part" is not a catalog column/],
    ["INSERT INTO events (name) VALUES ('x')", /Only SELECT queries/],
    ["SELECT count( FROM events", /Syntax error/],
  ])("%s", async (sql, reason) => {
    const verdict = await guardSql(sql);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.reason).toMatch(reason);
  });
});

describe("parseAst", () => {
  it("refuses a tree whose declared child counts do not add up (a forged line)", () => {
    const forged = ["SelectWithUnionQuery (children 1)", " ExpressionList (children 1)", "  SelectQuery (children 1)", "   ExpressionList (children 1)", "    Literal 'x'", "    TableIdentifier system.tables"];
    expect(parseAst(forged)).toMatch(/inconsistent/);
    expect(parseAst(["SelectWithUnionQuery (children 1)", "   Identifier x"])).toMatch(/could not be analysed/);
  });
});

describe("SQL guard: the dimensions a query reads", () => {
  it.each([
    ["SELECT count() FROM events WHERE value > 10", [], false],
    ["SELECT e.name, e.properties['plan'] AS p FROM events AS e", ["event", "plan"], false],
    ["SELECT properties['country'] AS c, arrayElement(properties, 'custom_key') AS k FROM events", ["country", "property:custom_key"], false],
    ["SELECT count() FROM events WHERE properties[$$page$$] = '/'", ["page"], false],
    ["SELECT properties['it\\'s'] AS x FROM events", [], true],
    ["SELECT properties[name] AS x FROM events", ["event"], true],
    ["SELECT count() FROM events WHERE mapContains(properties, 'plan')", [], true],
    ["SELECT mapValues(properties) AS v FROM events", [], true],
    ["SELECT p FROM (SELECT properties AS p FROM events)", [], true],
  ])("%s", async (sql, dimensions, unnamedMapKeys) => {
    expect(await guardSql(sql)).toEqual({ ok: true, tables: ["events"], dimensions, unnamedMapKeys });
  });
});

describe("SQL guard: where a refusal points, for the editor", () => {
  it("a syntax error at the engine's position, in the SQL as written (line and column)", async () => {
    const sql = "SELECT name,\n  count( AS n\nFROM events";
    const verdict = await guardSql(sql);
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.at).toEqual({ offset: expect.any(Number) });
    const offset = (verdict.at as { offset: number }).offset;
    // The engine points at the parenthesis left open, on the second line.
    expect(sql[offset]).toBe("(");
    expect(verdict.reason).toBe("Syntax error at line 2, column 8, near: ( AS n.");
  });

  it.each([
    ["SELECT count() FROM events; SELECT 1", { offset: 26 }],
    ["SELECT count() FROM events PREWHERE 1", { offset: 27 }],
    ["SELECT count() FROM system.tables", { identifier: "system.tables" }],
    ["SELECT dictGet('d', 'a', 1) FROM events", { identifier: "dictGet" }],
    ["SELECT name,\n  tenant_id\nFROM events", { identifier: "tenant_id" }],
    ["SELECT count() FROM numbers(10)", { identifier: "numbers" }],
    ["SELECT nme FROM events", { identifier: "nme" }],
    ["SELECT count() AS name FROM events", { identifier: "name" }],
    ["SELECT count() FROM events FORMAT JSON", { identifier: "FORMAT" }],
  ])("%s", async (sql, at) => {
    const verdict = await guardSql(sql);
    expect(verdict).toMatchObject({ ok: false, at });
  });
});
