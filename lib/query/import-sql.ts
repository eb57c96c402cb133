import "server-only";
import { EVENT_LIMITS, MAX_FUTURE_MS, MIN_TS } from "@/lib/analytics/event-row";
import { EVENT_FIELDS } from "@/lib/import/import-spec";
import { baseType, isStorableKey, type ColumnPlan } from "@/lib/import/tabular-input";
import { fileFunction, quoteColumn, rowRange, rowsFrom, type FileSource } from "@/lib/query/import-source";
import { TENANT_ID_PATTERN } from "@/lib/tenant-id";

// The bulk import's SQL (lib/import/import-chunk.ts). The engine reads the
// file (CSV or Parquet: no parser of ours), turns its columns into texts
// (lib/import/tabular-input.ts says how texts become an event), and checks
// them with `fastValid`: a row it passes is inserted by one INSERT … SELECT,
// with the stored values the JavaScript rules (lib/ingest/check-row.ts) would
// give it. `fastValid` is conservative — it only passes rows it can decide
// exactly (an ISO time in UTC, names without edge spaces, …); every other row
// is selected by `leftovers` and decided by checkRow, which words the
// rejections. lib/import/rules-corpus.test.ts holds both to the same answers.

/** One column as text: the same text whether it then meets SQL or JavaScript. */
function asText(column: string, type: string): string {
  const c = quoteColumn(column);
  const base = baseType(type);
  if (base === "String") return c;
  if (/^DateTime/.test(base)) return `concat(replaceOne(toString(toDateTime64(${c}, 3, 'UTC')), ' ', 'T'), 'Z')`;
  return `toString(${c})`;
}

/** `f_<field>` and `p<i>` texts of each row, plus its 0-based index in the file (`idx`). */
function projection(source: FileSource, plan: ColumnPlan, types: Record<string, string>): string {
  const cols = EVENT_FIELDS.map((f) => {
    const column = plan.fields[f];
    return `${column ? asText(column, types[column]) : "CAST(NULL, 'Nullable(String)')"} AS f_${f}`;
  });
  plan.properties.forEach(({ column }, i) => cols.push(`${asText(column, types[column])} AS p${i}`));
  // Parquet knows each row's number; a CSV chunk is read on one thread so rowNumberInAllBlocks() is its row order.
  const idx = source.stage ? source.stage.rowColumn : source.format === "parquet" ? "_row_number" : "rowNumberInAllBlocks()";
  return `SELECT toUInt64(${idx}) AS idx, ${cols.join(", ")} FROM ${rowsFrom(source)}${rowRange(source)}`;
}

/** JavaScript's String.prototype.trim set (WhiteSpace and LineTerminator), for RE2. */
const JS_SPACE = "[\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]";

const parsedTs = "parseDateTime64BestEffortOrNull(f_ts, 3, 'UTC')";

function fastValid(plan: ColumnPlan): string {
  const props = plan.properties.map(({ key }, i) => (isStorableKey(key) ? `(p${i} IS NULL OR (isValidUTF8(p${i}) AND length(p${i}) <= ${EVENT_LIMITS.propertyValueLength}))` : `p${i} IS NULL`));
  if (plan.properties.length > EVENT_LIMITS.propertyCount) props.push(`(${plan.properties.map((_, i) => `(p${i} IS NOT NULL)`).join(" + ")}) <= ${EVENT_LIMITS.propertyCount}`);
  return fieldsValid(props);
}

/** The event fields' checks on the `f_<field>` texts, and `more` (the properties'), as one condition. */
function fieldsValid(more: string[]): string {
  return [
    `f_tenant_id IS NOT NULL AND match(f_tenant_id, {tenant_re:String})`,
    `f_name IS NOT NULL AND isValidUTF8(f_name) AND lengthUTF8(f_name) BETWEEN 1 AND ${EVENT_LIMITS.nameLength} AND NOT match(f_name, {edge_re:String})`,
    `(f_ts IS NULL` +
      ` OR (match(f_ts, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,3})?Z$') AND ${parsedTs} IS NOT NULL` +
      ` AND formatDateTime(${parsedTs}, '%Y-%m-%dT%H:%i:%S', 'UTC') = substring(f_ts, 1, 19)` +
      ` AND toUnixTimestamp64Milli(${parsedTs}) BETWEEN ${MIN_TS} AND {horizon:Int64})` +
      ` OR (match(f_ts, '^[0-9]{1,15}$') AND toInt64(f_ts) BETWEEN ${MIN_TS} AND {horizon:Int64}))`,
    `(f_event_id IS NULL OR (f_event_id != '' AND isValidUTF8(f_event_id) AND lengthUTF8(f_event_id) <= ${EVENT_LIMITS.eventIdLength}))`,
    `(f_user_id IS NULL OR (isValidUTF8(f_user_id) AND lengthUTF8(f_user_id) <= ${EVENT_LIMITS.userIdLength}))`,
    `(f_value IS NULL OR (match(f_value, '^-?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$') AND isFinite(toFloat64OrZero(f_value))))`,
    ...more,
  ]
    .map((c) => `(${c})`)
    .join(" AND ");
}

function storedColumns(plan: ColumnPlan): string {
  const values = `[${plan.properties.map((_, i) => `p${i}`).join(", ")}]`;
  const properties = plan.properties.length
    ? `mapFromArrays(arrayFilter((k, v) -> isNotNull(v), {keys:Array(String)}, ${values}), arrayMap(v -> assumeNotNull(v), arrayFilter(v -> isNotNull(v), ${values})))`
    : "CAST(map(), 'Map(String, String)')";
  return stored(properties);
}

function stored(properties: string): string {
  return [
    "assumeNotNull(f_tenant_id) AS tenant_id",
    "ifNull(f_event_id, toString(generateUUIDv4())) AS event_id",
    `multiIf(f_ts IS NULL, now64(3, 'UTC'), match(f_ts, '^[0-9]{1,15}$'), fromUnixTimestamp64Milli(toInt64(f_ts), 'UTC'), assumeNotNull(${parsedTs})) AS ts`,
    "assumeNotNull(f_name) AS name",
    "f_user_id AS user_id",
    // + 0: a -0 becomes 0, as JSON.stringify writes it on the JavaScript path.
    "toFloat64OrNull(f_value) + 0 AS value",
    `${properties} AS properties`,
    "{seq:UInt64} AS ingest_seq",
  ].join(", ");
}

export type ImportQueries = {
  /** Row count of the source. */
  count: string;
  /** INSERT of the rows `fastValid` passes. */
  insert: string;
  /** The rest, as projected texts with `idx`, for checkRow. */
  leftovers: string;
  /** Every row as projected texts: the all-JavaScript path, which rules-corpus.test.ts compares with. */
  all: string;
  params: Record<string, unknown>;
};

export function importQueries(options: { source: FileSource; plan: ColumnPlan; types: Record<string, string>; table: string; seq: number }): ImportQueries {
  const { source, plan, types } = options;
  const rows = projection(source, plan, types);
  const ok = `ifNull(${fastValid(plan)}, 0)`;
  return {
    count: source.rows ? `SELECT count() AS n FROM (SELECT 1 FROM ${rowsFrom(source)}${rowRange(source)})` : `SELECT count() AS n FROM ${fileFunction(source)}`,
    insert: `INSERT INTO ${options.table} (tenant_id, event_id, ts, name, user_id, value, properties, ingest_seq) SELECT ${storedColumns(plan)} FROM (${rows}) WHERE ${ok}`,
    leftovers: `SELECT * FROM (${rows}) WHERE NOT ${ok} ORDER BY idx`,
    all: `SELECT * FROM (${rows}) ORDER BY idx`,
    params: {
      tenant_re: TENANT_ID_PATTERN.source,
      edge_re: `^${JS_SPACE}|${JS_SPACE}$`,
      horizon: Date.now() + MAX_FUTURE_MS,
      keys: plan.properties.map((p) => p.key),
      seq: options.seq,
    },
  };
}

/** The file's columns and their types, as the engine reads them. */
export function describeQuery(source: FileSource): string {
  return `DESCRIBE TABLE ${fileFunction(source)}`;
}

/** The top-level keys of an event, as POST /v1/events takes it. */
const EVENT_KEYS = [...EVENT_FIELDS, "properties"];
const text = (r: string) => `if(startsWith(${r}, '"'), JSONExtractString(${r}), NULL)`;
/** A string literal for ClickHouse. */
const sqlString = (value: string) => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/**
 * Which keys of a line feed each top-level event key under `--map` (as
 * lib/import/ndjson-chunk.ts renames them: a mapped key takes its destination,
 * an unmapped one keeps its name), and which are skipped. Undefined when a
 * key is mapped into properties: those lines go to checkRow.
 */
function ndjsonSources(map: Record<string, string>): { sources: Record<string, string[]>; skipped: string[] } | undefined {
  const mapped = Object.keys(map);
  if (mapped.some((k) => map[k].startsWith("properties."))) return undefined;
  const sources = Object.fromEntries(EVENT_KEYS.map((key) => [key, [...mapped.filter((k) => map[k] === key), ...(Object.hasOwn(map, key) ? [] : [key])]]));
  return { sources, skipped: mapped.filter((k) => map[k] === "-") };
}

/**
 * An NDJSON chunk read by the engine, line by line (LineAsString): each line's
 * top-level keys and raw values are parsed once (JSONExtractKeysAndValuesRaw,
 * strict JSON and UTF-8: anything else gives none), then the same `f_<field>`
 * texts the CSV path checks. The fast path takes only the API's common shape
 * — the known keys (or the keys `--map` renames to them) once each, strings
 * where strings go, `ts` a string or whole milliseconds, `value` a number or
 * null, `properties` absent or a flat object of strings; every other line
 * goes to checkRow (nested properties, numbers as property values, a key
 * mapped into properties, two keys for one field, …), which decides and words it.
 */
export function ndjsonQueries(options: { source: FileSource; table: string; seq: number; map: Record<string, string> }): Pick<ImportQueries, "count" | "insert" | "params"> & { leftovers: string; fastPath: boolean } {
  const { source } = options;
  const plan = ndjsonSources(options.map);
  const sources = plan?.sources ?? Object.fromEntries(EVENT_KEYS.map((k) => [k, [k]]));
  const allowed = [...new Set([...Object.values(sources).flat(), ...(plan?.skipped ?? [])])];
  const raw = (key: string) => (sources[key].length ? `concat(${sources[key].map((k) => `kvm[${sqlString(k)}]`).join(", ")}, '')` : "''");
  const once = Object.values(sources)
    .filter((list) => list.length > 1)
    .map((list) => `(${list.map((k) => `has(ks, ${sqlString(k)})`).join(" + ")}) <= 1`);
  const shape = [
    "notEmpty(kv)",
    `arrayAll(k -> has([${allowed.map(sqlString).join(", ")}], k), ks)`,
    "length(ks) = length(arrayDistinct(ks))",
    ...once,
    `startsWith(r_tenant_id, '"')`,
    `startsWith(r_name, '"')`,
    // A time is a string (then ISO-8601: digits in a string are not milliseconds, as in the API) or whole milliseconds.
    `(r_ts = '' OR (startsWith(r_ts, '"') AND NOT match(r_ts, '^"[0-9]*"$')) OR match(r_ts, '^[0-9]{1,15}$'))`,
    `(r_event_id = '' OR startsWith(r_event_id, '"'))`,
    `(r_user_id IN ('', 'null') OR startsWith(r_user_id, '"'))`,
    `(r_value IN ('', 'null') OR match(r_value, '^-?[0-9]'))`,
    `(r_properties = '' OR (startsWith(r_properties, '{') AND arrayAll(x -> startsWith(x.2, '"'), pkv) AND length(pkv) = length(arrayDistinct(arrayMap(x -> x.1, pkv)))))`,
  ].join(" AND ");
  const rows = [
    "SELECT toUInt64(rowNumberInAllBlocks()) AS idx, line",
    "JSONExtractKeysAndValuesRaw(line) AS kv",
    "arrayMap(x -> x.1, kv) AS ks",
    "CAST(kv, 'Map(String, String)') AS kvm",
    ...EVENT_KEYS.map((k) => `${raw(k)} AS r_${k}`),
    "if(startsWith(r_properties, '{'), JSONExtractKeysAndValuesRaw(r_properties), []) AS pkv",
    `${shape} AS shaped`,
    `${text("r_tenant_id")} AS f_tenant_id`,
    `${text("r_name")} AS f_name`,
    `multiIf(startsWith(r_ts, '"'), JSONExtractString(r_ts), r_ts != '', r_ts, NULL) AS f_ts`,
    `${text("r_user_id")} AS f_user_id`,
    `if(r_value IN ('', 'null'), NULL, r_value) AS f_value`,
    `${text("r_event_id")} AS f_event_id`,
    "mapFromArrays(arrayMap(x -> x.1, pkv), arrayMap(x -> JSONExtractString(x.2), pkv)) AS props",
  ].join(", ");
  const props = [
    `length(pkv) <= ${EVENT_LIMITS.propertyCount}`,
    `arrayAll((k, v) -> k != '' AND k != '__proto__' AND length(k) <= ${EVENT_LIMITS.propertyKeyLength} AND length(v) <= ${EVENT_LIMITS.propertyValueLength}, mapKeys(props), mapValues(props))`,
  ];
  const fastPath = plan !== undefined;
  const ok = fastPath ? `ifNull(shaped AND ${fieldsValid(props)}, 0)` : "0";
  const projected = `${rows} FROM ${fileFunction(source)}`;
  return {
    count: `SELECT count() AS n FROM ${fileFunction(source)}`,
    insert: `INSERT INTO ${options.table} (tenant_id, event_id, ts, name, user_id, value, properties, ingest_seq) SELECT ${stored("props")} FROM (${projected}) WHERE ${ok}`,
    leftovers: `SELECT idx, line FROM (${projected}) WHERE NOT ${ok} ORDER BY idx`,
    params: { tenant_re: TENANT_ID_PATTERN.source, edge_re: `^${JS_SPACE}|${JS_SPACE}$`, horizon: Date.now() + MAX_FUTURE_MS, seq: options.seq },
    fastPath,
  };
}
