import { EVENT_LIMITS } from "@/lib/analytics/event-row";
import { AppError } from "@/lib/errors";
import { EVENT_FIELDS, type EventField, type ImportSpec } from "@/lib/import/import-spec";

// CSV and Parquet rows reach the event rules as text: the engine turns every
// column into a string (lib/query/import-sql.ts, `projection`), and this file
// says how those texts become an event — the one conversion both the SQL fast
// path and the JavaScript path (lib/ingest/check-row.ts) start from.
//   - an empty CSV field, or a null, is an absent field (a missing event_id is
//     generated, a missing ts is now, as in POST /v1/events);
//   - `value` text that is a decimal number becomes that number;
//   - `ts` text of digits only is epoch milliseconds; other text is an ISO time;
//   - every other field, and every property, stays text.

/** A decimal number, as JSON writes one (plus a leading "." or a trailing one). */
export const NUMBER_TEXT = /^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
export const EPOCH_MS_TEXT = /^[0-9]{1,15}$/;

/** Which file column feeds which event field or property. */
export type ColumnPlan = {
  fields: Partial<Record<EventField, string>>;
  properties: { key: string; column: string }[];
};

/** The engine's projected row: `f_<field>` and `p<i>` texts (null when absent). */
export type ProjectedRow = Record<string, string | null | number | undefined>;

/** Column types a text conversion exists for; anything nested (Array, Map, Tuple, JSON…) is refused. */
const SCALAR = /^(String|FixedString\(\d+\)|U?Int(8|16|32|64|128|256)|Float(32|64)|BFloat16|Decimal(32|64|128|256)?\(.*\)|Bool|Date|Date32|DateTime(\(.*\))?|DateTime64\(.*\)|UUID|Enum(8|16)?\(.*\)|IPv4|IPv6)$/;

export function baseType(type: string): string {
  let t = type.trim();
  for (;;) {
    const m = /^(Nullable|LowCardinality)\((.*)\)$/.exec(t);
    if (!m) return t;
    t = m[2];
  }
}

/**
 * Maps the file's columns to event fields: `--map` first, then a column named
 * like a field (`tenant_id`, `name`, …) or `properties.<key>`. Any other column
 * is refused before anything is stored, so no column is imported by accident:
 * map it (`--map plan=properties.plan`) or skip it (`--map plan=-`).
 */
export function planColumns(columns: { name: string; type: string }[], spec: ImportSpec): ColumnPlan {
  const plan: ColumnPlan = { fields: {}, properties: [] };
  const names = new Set(columns.map((c) => c.name));
  const missing = Object.keys(spec.map).filter((src) => !names.has(src));
  if (missing.length) throw new AppError("bad_request", `--map names ${missing.map((m) => `"${m}"`).join(", ")}, not a column of the file (its columns: ${columns.map((c) => c.name).join(", ")}).`);
  const unmapped: string[] = [];
  const used = new Set<string>();
  for (const { name, type } of columns) {
    const dest = (Object.hasOwn(spec.map, name) ? spec.map[name] : undefined) ?? ((EVENT_FIELDS as readonly string[]).includes(name) || name.startsWith("properties.") ? name : undefined);
    if (dest === "-") continue;
    if (dest === undefined) {
      unmapped.push(name);
      continue;
    }
    if (/[\u0000-\u001f]/.test(name)) throw new AppError("bad_request", `The column name ${JSON.stringify(name)} holds control characters: rename it in the file.`);
    if (!SCALAR.test(baseType(type))) throw new AppError("bad_request", `Column "${name}" is of type ${type}: only text, number, boolean and time columns can be imported (skip it with --map ${name}=-).`);
    if (used.has(dest)) throw new AppError("bad_request", `Two columns feed ${dest}: map one of them elsewhere or skip it with --map COLUMN=-.`);
    used.add(dest);
    if (dest.startsWith("properties.")) plan.properties.push({ key: dest.slice("properties.".length), column: name });
    else plan.fields[dest as EventField] = name;
  }
  if (unmapped.length) {
    const list = unmapped.map((u) => `"${u}"`).join(", ");
    throw new AppError("bad_request", `The file has columns that are not event fields: ${list}. Map each one (--map ${unmapped[0]}=properties.${unmapped[0]}, or to tenant_id, name, ts, user_id, value, event_id) or skip it (--map ${unmapped[0]}=-). Nothing was imported.`);
  }
  if (!plan.fields.tenant_id) throw new AppError("bad_request", `No column holds tenant_id: name it with --tenant-column NAME (columns: ${columns.map((c) => c.name).join(", ")}).`);
  if (!plan.fields.name) throw new AppError("bad_request", `No column holds the event name: map one with --map COLUMN=name.`);
  return plan;
}

/** Whether a property key can be stored at all (the rules refuse every non-null value of a column whose key cannot). */
export function isStorableKey(key: string): boolean {
  return key.length > 0 && key.length <= EVENT_LIMITS.propertyKeyLength && key !== "__proto__";
}

/** The event a projected row stands for, as POST /v1/events would have received it. */
export function tabularInput(row: ProjectedRow, plan: ColumnPlan): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of EVENT_FIELDS) {
    if (!plan.fields[field]) continue;
    const text = row[`f_${field}`];
    if (text === null || text === undefined) continue;
    const s = String(text);
    input[field] = field === "value" && NUMBER_TEXT.test(s) ? Number(s) : field === "ts" && EPOCH_MS_TEXT.test(s) ? Number(s) : s;
  }
  if (plan.properties.length) {
    const properties: Record<string, unknown> = {};
    plan.properties.forEach(({ key }, i) => {
      const text = row[`p${i}`];
      // defineProperty: a key like "__proto__" stays a key (and the rules refuse it), never a prototype.
      if (text !== null && text !== undefined) Object.defineProperty(properties, key, { value: String(text), enumerable: true, writable: true, configurable: true });
    });
    input.properties = properties;
  }
  return input;
}
