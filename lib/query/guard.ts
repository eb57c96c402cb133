import "server-only";
import { getAnalytics, type AnalyticsEngine } from "@/lib/analytics/engine";
import { getCatalog, type Catalog } from "@/lib/query/catalog-tables";
import { dimensionUse } from "@/lib/query/guard-dimensions";
import { ALLOWED_FUNCTIONS } from "@/lib/query/guard-functions";

// The SQL guard for admin-written SQL (custom-SQL widgets, admin AI drafts).
// It fails closed: anything it does not positively understand is rejected.
// Text checks come first (they must not depend on a lexer agreeing with the
// engine), then the engine's own parser (EXPLAIN AST) and a walk of its tree.

/**
 * `dimensions`: the catalog dimensions the SQL reads (`name` → event, a constant
 * map key → its dimension or property:<key>); `unnamedMapKeys`: it reads the
 * properties map some other way, so it can reach keys no one can name.
 */
export type GuardVerdict = { ok: true; tables: string[]; dimensions: string[]; unnamedMapKeys: boolean } | { ok: false; reason: string; at?: GuardLocation };

/**
 * Where a refusal points, for the SQL editor: `offset` (0-based, in the SQL as
 * written) for what the text checks and the engine's parser report by
 * position; `identifier` for a name the tree walk refused (the editor marks
 * its first occurrence).
 */
export type GuardLocation = { offset: number } | { identifier: string };

export const GUARD_LIMITS = { maxLength: 20_000, maxNodes: 5_000, maxDepth: 200 };

const ALLOWED_KINDS = new Set([
  "SelectWithUnionQuery",
  "SelectIntersectExceptQuery",
  "SelectQuery",
  "ExpressionList",
  "TablesInSelectQuery",
  "TablesInSelectQueryElement",
  "TableExpression",
  "TableIdentifier",
  "TableJoin",
  "Identifier",
  "Literal",
  "Function",
  "Asterisk",
  "OrderByElement",
  "Subquery",
  "WindowDefinition",
]);

const IN_FUNCTIONS = new Set(["in", "notin", "globalin", "globalnotin", "nullin", "notnullin", "globalnullin", "globalnotnullin"]);

const reject = (reason: string, at?: GuardLocation): GuardVerdict => ({ ok: false, reason, ...(at ? { at } : {}) });

/** Checks that need no parser. Each is deliberately blunt. */
export function textVerdict(sql: string): GuardVerdict | undefined {
  if (sql.trim().length === 0) return reject("The query is empty.");
  if (sql.length > GUARD_LIMITS.maxLength) return reject(`The query is longer than ${GUARD_LIMITS.maxLength} characters.`);
  if (sql.includes(";")) return reject("Semicolons are not allowed anywhere, not even in strings or comments: send one SELECT statement without a trailing ';'.", { offset: sql.indexOf(";") });
  if (sql.includes("\0")) return reject("The query contains a NUL character.", { offset: sql.indexOf("\0") });
  if (/prewhere/i.test(sql)) return reject("PREWHERE is not allowed; use WHERE.", { offset: sql.search(/prewhere/i) });
  // Quoted identifiers: only plain names, so no quoting trick can hide a name or a line from the checks below.
  for (const quote of ["`", '"']) {
    const count = sql.split(quote).length - 1;
    if (count % 2 !== 0) return reject(`Unbalanced ${quote} quote.`, { offset: sql.lastIndexOf(quote) });
    const re = quote === "`" ? /`([^`]*)`/g : /"([^"]*)"/g;
    for (const m of sql.matchAll(re)) {
      if (!/^[A-Za-z0-9_]+$/.test(m[1])) return reject(`Quoted identifiers may contain only letters, digits and _ (found ${quote}${m[1].slice(0, 40)}${quote}).`, { offset: m.index });
    }
  }
  return undefined;
}

export type AstNode = { kind: string; name: string; alias?: string; declared: number; children: AstNode[]; depth: number };

const LINE = /^( *)([A-Za-z]+)(?: ([^(].*?))?(?: \(alias ([^()\s]+)\))?(?: \(children (\d+)\))?$/;

/** Parses EXPLAIN AST output; verifies each node's declared child count so no forged line can hide. */
export function parseAst(lines: string[]): AstNode | string {
  const stack: AstNode[] = [];
  let root: AstNode | undefined;
  if (lines.length > GUARD_LIMITS.maxNodes) return `The query is too large (${lines.length} syntax nodes, the limit is ${GUARD_LIMITS.maxNodes}).`;
  for (const line of lines) {
    const m = LINE.exec(line);
    if (!m) return "The query could not be analysed.";
    const depth = m[1].length;
    const node: AstNode = { kind: m[2], name: m[3] ?? "", alias: m[4], declared: m[5] ? Number(m[5]) : 0, children: [], depth };
    if (depth > GUARD_LIMITS.maxDepth) return "The query is nested too deeply.";
    if (!root) {
      if (depth !== 0) return "The query could not be analysed.";
      root = node;
      stack.push(node);
      continue;
    }
    while (stack.length > 0 && stack[stack.length - 1].depth >= depth) stack.pop();
    const parent = stack[stack.length - 1];
    if (!parent || parent.depth !== depth - 1) return "The query could not be analysed.";
    parent.children.push(node);
    stack.push(node);
  }
  if (!root) return "The query could not be analysed.";
  const verify = (n: AstNode): boolean => n.children.length === n.declared && n.children.every(verify);
  return verify(root) ? root : "The query could not be analysed (its syntax tree is inconsistent).";
}

function walk(node: AstNode, visit: (n: AstNode, parent?: AstNode) => string | undefined, parent?: AstNode): string | undefined {
  return visit(node, parent) ?? node.children.reduce<string | undefined>((found, c) => found ?? walk(c, visit, node), undefined);
}

/** Functions whose listed arguments must be literals: with a value from data they can throw. */
const LITERAL_ARGS: Record<string, number[]> = {
  like: [1], notlike: [1], ilike: [1], notilike: [1],
  formatdatetime: [1], datediff: [0],
  tointervalhour: [0], tointervalday: [0], tointervalweek: [0], tointervalmonth: [0], tointervalminute: [0],
};

/** The tree checks, given the parsed root (of the query exactly as written: no FORMAT was appended to parse it). */
export function treeVerdict(root: AstNode, catalog: Catalog): GuardVerdict {
  if (root.kind !== "SelectWithUnionQuery") return reject("Only SELECT queries are allowed.");
  // Child 1 is the query. Anything after it is a trailing clause the executor does not run:
  // FORMAT (an Identifier), INTO OUTFILE and COMPRESSION (Literals), SETTINGS (Set).
  const extra = root.children[1];
  if (extra) {
    if (extra.kind === "Set") return reject("SETTINGS clauses are not allowed.", { identifier: "SETTINGS" });
    if (extra.kind === "Identifier") return reject(`FORMAT ${extra.name} is not allowed: Enclave picks the output format itself; remove the FORMAT clause.`, { identifier: "FORMAT" });
    return reject("FORMAT, INTO OUTFILE and other trailing clauses are not allowed.");
  }
  const tableNames = new Set(catalog.tables.map((t) => t.name.toLowerCase()));
  const tenantColumns = new Set(catalog.tables.map((t) => t.tenantColumn.toLowerCase()));
  const columns = new Set(catalog.tables.flatMap((t) => Object.keys(t.columns).map((c) => c.toLowerCase())));
  const aliases = new Set<string>();
  const tableAliases = new Set<string>();
  const reasons: [reason: string, identifier: string][] = [];
  walk(root.children[0], (n, parent) => {
    if (n.alias) {
      const a = n.alias.toLowerCase();
      if (tableNames.has(a) || columns.has(a)) reasons.push([`The alias "${n.alias}" is a catalog name; pick another alias.`, n.alias]);
      // Names starting with _ are the engine's virtual columns (_part, _part_offset…): never as aliases either.
      if (a.startsWith("_")) reasons.push([`Aliases may not start with "_" (found "${n.alias}").`, n.alias]);
      (n.kind === "TableIdentifier" || (n.kind === "Subquery" && parent?.kind === "TableExpression") ? tableAliases : aliases).add(a);
    }
    return undefined;
  });
  if (reasons.length) return reject(reasons[0][0], { identifier: reasons[0][1] });
  const used = new Set<string>();

  // The name a refusal is about, for the editor to mark (the walk's visitor returns only the reason).
  let offending: string | undefined;
  const problem = walk(root.children[0], (n) => {
    offending = ["TableIdentifier", "Function", "Identifier"].includes(n.kind) ? n.name : undefined;
    if (!ALLOWED_KINDS.has(n.kind)) {
      if (n.kind === "Set") return "SETTINGS clauses are not allowed.";
      if (n.kind === "WithElement") return "WITH name AS (subquery) is not supported; use a subquery in FROM instead.";
      return `"${n.kind}" is not allowed in Enclave SQL.`;
    }
    if (n.kind === "TableExpression") {
      const child = n.children[0];
      if (!child || !["TableIdentifier", "Subquery"].includes(child.kind)) {
        offending = child?.name;
        return "Table functions (such as numbers(), merge(), url(), remote()) are not allowed; read from catalog tables.";
      }
    }
    if (n.kind === "TableIdentifier") {
      const parts = n.name.split(".");
      const table = parts[parts.length - 1].toLowerCase();
      if (parts.length > 2) return `"${n.name}" is not a table you can read.`;
      if (parts.length === 2 && parts[0] !== catalog.database) return `The database "${parts[0]}" is not readable; use the catalog tables (${[...tableNames].join(", ")}).`;
      if (!tableNames.has(table)) return `"${n.name}" is not a catalog table; readable tables: ${[...tableNames].join(", ")}.`;
      used.add(table);
    }
    if (n.kind === "Function") {
      const fn = n.name.toLowerCase();
      if (!ALLOWED_FUNCTIONS.has(fn)) return `The function ${n.name}() is not allowed in Enclave SQL.`;
      for (const index of LITERAL_ARGS[fn] ?? []) {
        const arg = n.children[0]?.children[index];
        if (arg && arg.kind !== "Literal") return `The argument ${index + 1} of ${n.name}() must be a constant.`;
      }
      if (IN_FUNCTIONS.has(fn)) {
        const rhs = n.children[0]?.children[1];
        if (rhs?.kind === "Identifier") {
          offending = rhs.name;
          return `"IN ${rhs.name}" reads a table by name; use IN (SELECT …) instead.`;
        }
      }
    }
    if (n.kind === "Identifier") {
      const parts = n.name.split(".").map((p) => p.toLowerCase());
      const last = parts[parts.length - 1];
      if (parts.some((p) => tenantColumns.has(p))) return "The tenant column may not be referenced: every query is already scoped to one tenant.";
      if (parts.some((p) => p.startsWith("_"))) return `"${n.name}" is not a catalog column (names starting with _ are the engine's virtual columns).`;
      if (!columns.has(last) && !aliases.has(last)) return `"${n.name}" is not a catalog column (columns: ${[...columns].filter((c) => !tenantColumns.has(c)).join(", ")}).`;
      // a.b: a must be a table, a table alias or the catalog database — not an expression alias (no subcolumns).
      for (const prefix of parts.slice(0, -1)) {
        if (!tableNames.has(prefix) && !tableAliases.has(prefix) && prefix !== catalog.database.toLowerCase()) {
          return `"${n.name}" refers to something outside the catalog.`;
        }
      }
    }
    return undefined;
  });
  if (problem) return reject(problem, offending ? { identifier: offending } : undefined);
  if (!hasOnlyCountAsterisks(root)) return reject("SELECT * is not allowed (it includes the tenant column); list the columns you need.");
  return { ok: true, tables: [...used], ...dimensionUse(root, catalog) };
}

/** `*` is allowed only as count(*). */
function hasOnlyCountAsterisks(root: AstNode): boolean {
  let ok = true;
  const visit = (n: AstNode, parent?: AstNode, grand?: AstNode) => {
    if (n.kind === "Asterisk" && !(grand?.kind === "Function" && grand.name.toLowerCase() === "count" && parent?.children.length === 1)) ok = false;
    n.children.forEach((c) => visit(c, n, parent));
  };
  visit(root);
  return ok;
}

const EXPLAIN_PREFIX = "EXPLAIN AST ";

/** "line 2, column 7" of a 0-based offset. */
export function lineAndColumn(sql: string, offset: number): string {
  const before = sql.slice(0, offset).split("\n");
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/** The full guard: text checks, then the engine's parser on a fresh read-only connection. */
export async function guardSql(sql: string, options: { engine?: AnalyticsEngine; catalog?: Catalog } = {}): Promise<GuardVerdict> {
  const catalog = options.catalog ?? getCatalog();
  const early = textVerdict(sql);
  if (early) return early;
  const engine = options.engine ?? getAnalytics();
  let lines: string[];
  try {
    // exec sends the text as it is: query() would append its own FORMAT clause, which the
    // parser attaches to the admin's SELECT, and a FORMAT the admin wrote would then look
    // like ours. The output format comes from a setting instead, so every trailing clause
    // in the tree is the admin's own. Settings apply in order: readonly last.
    lines = await engine.withConnection(async (client) => {
      const result = await client.exec({ query: `${EXPLAIN_PREFIX}${sql}`, clickhouse_settings: { default_format: "TabSeparatedRaw", readonly: "1" } });
      const chunks: Buffer[] = [];
      for await (const chunk of result.stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks).toString("utf8").split("\n").filter((line) => line.length > 0);
    });
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    if (/max_parser_depth|too deep|Maximum parse depth/i.test(text)) return reject("The query is nested too deeply.");
    if (/readonly/i.test(text)) return reject("SETTINGS clauses are not allowed.");
    if (!/Syntax error/.test(text)) return reject(`The query could not be parsed: ${text.split("\n")[0].slice(0, 200)}`);
    // Admin-facing: what the engine could not parse ("Syntax error: failed at position 33 (…) (line 2,
    // col 8): ( AS n …"), and where. Its position (1-based) counts the EXPLAIN AST in front; the
    // admin's is in their own text, as line and column.
    const position = /failed at position (\d+)/.exec(text)?.[1];
    const near = (/\(line \d+, col \d+\): ([^.\n]{0,80})/.exec(text) ?? /Syntax error[^:]*: ([^.\n]{0,80})/.exec(text))?.[1]?.trim();
    const offset = position === undefined ? undefined : Math.min(sql.length, Math.max(0, Number(position) - 1 - EXPLAIN_PREFIX.length));
    return reject(`Syntax error${offset === undefined ? "" : ` at ${lineAndColumn(sql, offset)}`}${near ? `, near: ${near}` : ""}.`, offset === undefined ? undefined : { offset });
  }
  const root = parseAst(lines);
  if (typeof root === "string") return reject(root);
  return treeVerdict(root, catalog);
}
