import fc from "fast-check";
import { MAX_FUTURE_MS, MIN_TS } from "@/lib/analytics/event-row";

// Tricky events for the row checks' oracles (check-row.test.ts: the compiled
// checker against the zod reference; row-text.test.ts: reading the text
// without parsing against both): every limit at and past its edge, every
// accepted and refused time, keys JS objects reorder, collisions.

export const now = Date.now();
export const DAY = 86_400_000;
const nest = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : { [`k${depth}`]: nest(depth - 1, leaf) });
const many = (n: number, value: (i: number) => unknown = () => "v") => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value(i)]));
export const base = { tenant_id: "acme", name: "signup", event_id: "e-1", ts: "2026-01-02T03:04:05.678Z" };

export const corpus: unknown[] = [
  // whole-row shapes
  null, 5, "event", true, [], [base], {}, base, { ...base, extra: 1 }, { ...base, Name: "x" }, { tenant_id: "acme" }, { name: "x" },
  // tenant ids (lib/tenant-id.ts)
  ...["a", "A".repeat(128), "a".repeat(129), "", "_a", "-a", ".a", "a_b.c:d@e-f", "a b", "ä", "a\n", "1", "a'; DROP TABLE events", "ACME", 123, null, ["a"]].map((tenant_id) => ({ ...base, tenant_id })),
  // names: trimmed, 1..200 after trimming
  ...["x", " x ", "  ", "", "x".repeat(200), "x".repeat(201), ` ${"x".repeat(200)} `, "\u00a0x\u00a0", "\ufeffx", "\u2028", "é".repeat(200), "😀".repeat(100), "😀".repeat(101), "😀".repeat(200), "😀".repeat(201), `${"x".repeat(199)}😀`, `${"x".repeat(200)}\ud800`, "\ud800".repeat(201), `${"😀".repeat(150)}${"x".repeat(51)}`, "a\"b\\c\n\t\u0001", "\ud800", 5, null, {}].map((name) => ({ ...base, name })),
  { tenant_id: "acme", event_id: "e" },
  // times of every accepted and refused form
  ...[
    "2026-01-02T03:04:05.678+02:00", "2026-01-02T03:04:05Z", "2026-01-02T03:04:05.1234567Z", "2026-01-02T03:04:05+0200", "2026-01-02T03:04:05-11:30", "2026-01-02T03:04Z",
    "2026-01-02T03Z", "2026-01-01", "2026-01-02 03:04:05Z", "2026-01-02T03:04:05z", " 2026-01-02T03:04:05Z", "2026-01-02T03:04:05Z\n", "2026-01-02T03:04:05", "2026-13-01T00:00:00Z",
    "2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "2024-02-29T23:59:59.999Z", "2026-01-02T24:00:00Z", "2026-01-02T23:60:00Z", "1999-12-31T23:59:59.999Z", "2000-01-01T00:00:00.000Z",
    "2000-01-01T00:00:00.000+00:01", "2000-01-01T00:00:00.000-00:01", "+02026-01-02T03:04:05Z", "20260-01-02T03:04:05Z", "2026-01-02Tgarbage+02:00", "2026-01-02T03:04:05.678+02:00:00",
    "2026-02-30T00:00:00.000Z", "2026-02-29T00:00:00.000Z", "2024-02-29T00:00:00.000Z", "2000-02-29T12:00:00.000Z", "2026-04-31T00:00:00.000Z", "2026-01-01T24:00:00.000Z",
    "2026-00-10T00:00:00.000Z", "2026-01-00T00:00:00.000Z", "2026-01-01T00:60:00.000Z", "2026-01-01T00:00:60.000Z", "2026-01-01T00:00:00.000z", "2026-01-01T00:00:00,000Z", "2026-0a-01T00:00:00.000Z",
    new Date(now + DAY - 60_000).toISOString(), new Date(now + DAY + 60_000).toISOString(), "",
    MIN_TS, MIN_TS - 1, MIN_TS + 0.5, MIN_TS - 0.5, now, now + DAY - 60_000, now + DAY + 60_000, 1767225600000.999, -1, 0, 1e20, 1.5e12,
    true, null, {}, [], ["2026-01-02T03:04:05Z"],
  ].map((ts) => ({ ...base, ts })),
  // event ids, user ids, values
  ...["", "e", "e".repeat(128), "e".repeat(129), "😀".repeat(64), "😀".repeat(65), "😀".repeat(128), "😀".repeat(129), `${"e".repeat(127)}\udc00\ud800`, 5, null, {}].map((event_id) => ({ ...base, event_id })),
  ...[null, "", "u".repeat(200), "u".repeat(201), "😀".repeat(200), "😀".repeat(201), "ü", 5, false, {}].map((user_id) => ({ ...base, user_id })),
  ...[0, -0, 1.5, -2, 1e308, -1e-300, 1e21, 1e-7, 12345678901234567890, 0.1 + 0.2, "12", null, true, [], {}].map((value) => ({ ...base, value })),
  // properties: types, flattening, nesting depth, limits
  ...[
    {}, null, [], ["a"], "x", 5, { a: 1 }, { a: 1.5e-7 }, { a: true }, { a: false }, { a: null }, { a: "" }, { a: [] }, { a: {} }, { a: [1, "b", null, { c: 1 }, [2]] },
    { plan: { tier: "pro", seats: 5 }, tags: ["a", "b"], gone: null }, nest(4, "x"), nest(5, "x"), nest(6, "x"), nest(5, {}), nest(4, {}), nest(5, null), nest(5, []), nest(6, null),
    { "": "x" }, { "": null }, { "": {} }, { "": { a: "x" } }, { a: { "": "x" } }, { ["k".repeat(100)]: "v" }, { ["k".repeat(101)]: "v" }, { ["k".repeat(101)]: null }, { ["k".repeat(98)]: { b: 1 } }, { ["k".repeat(99)]: { b: 1 } },
    { long: "x".repeat(1000) }, { long: "x".repeat(1001) }, { long: "😀".repeat(500) }, { long: "😀".repeat(501) }, { arr: Array.from({ length: 200 }, () => 1) }, { arr: Array.from({ length: 499 }, () => 1) }, { arr: Array.from({ length: 500 }, () => 1) },
    many(50), many(51), many(51, (i) => (i === 0 ? null : "v")), { group: many(50, (i) => i) }, { group: many(51, (i) => i) }, { a: "1", group: many(49) }, { a: "1", group: many(50) },
    // colliding flattened keys (the reference keeps the last value)
    { "a.b": "1", a: { b: "2" } }, { a: { b: "2" }, "a.b": "1" }, { "a.b": { c: 1 }, a: { "b.c": 2 } }, { "x.y": 1, x: { y: null } }, { ...many(50), "k0.x": null }, { ...many(49), a: { b: 1 }, "a.b": 2 },
    // integer-like keys (JS objects list them first), odd keys and values
    { b: "1", 2: "x", 1: "y", 10: "z" }, { a: { 2: "x", 1: "y" } }, { 4294967295: "x", 4294967294: "y", 1: "z" }, { "01": "a", 1: "b" }, { "-1": "a", 0: "b" },
    { 'q"uote': "a\"b", "back\\slash": "c\\d", "new\nline": "e\nf", "tab\t": "\u0000\u001f", ü: "é", "😀": "😀", lone: "\ud800x", "\udc00": "y" },
    { constructor: "x" }, { toString: 1 }, { hasOwnProperty: { a: 1 } }, { valueOf: null }, { 1e21: 1 }, { "a.": 1, ".b": 2, "..": 3 },
  ].map((properties) => ({ ...base, properties })),
  // defaults: no ts, no event id
  { tenant_id: "acme", name: "signup", properties: { a: 1 } },
  { tenant_id: "acme", name: "signup", user_id: null, value: null },
];

/** `__proto__` cannot be written in an object literal as an own key: JSON.parse makes one. */
export const protoRows = ['{"tenant_id":"a","name":"x","__proto__":{"b":1}}', '{"tenant_id":"a","name":"x","properties":{"__proto__":"x"}}', '{"tenant_id":"a","name":"x","properties":{"__proto__":{"a":1}}}', '{"tenant_id":"a","name":"x","properties":{"a":{"__proto__":"x"}}}'];

/** Generated events: edge strings, every kind of time, nested and wide properties, unknown keys. */
export function eventRows(): fc.Arbitrary<Record<string, unknown>> {
  const edgeStrings = (n: number) => fc.constantFrom("", " ", "x".repeat(n), "x".repeat(n + 1), ` ${"x".repeat(n)}`, "😀".repeat(Math.ceil(n / 2)), "\u00a0", "a.b", "1", "é");
  const text = (n: number) => fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 6 }), fc.string({ unit: "binary", maxLength: 6 }), edgeStrings(n));
  const key = fc.oneof(fc.constantFrom("a", "b", "a.b", "b.c", "1", "0", "10", "", "k".repeat(99), "k".repeat(101), "x.y.z"), fc.string({ maxLength: 4 }));
  const { tree } = fc.letrec<{ tree: unknown; leaf: unknown }>((tie) => ({
    leaf: fc.oneof(text(1000), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), { maxLength: 4 })),
    tree: fc.oneof({ depthSize: "small", withCrossShrink: true }, tie("leaf"), tie("leaf"), fc.dictionary(key, tie("tree"), { maxKeys: 4 })),
  }));
  const tsArb = fc.oneof(
    fc.integer({ min: MIN_TS - 10, max: now + MAX_FUTURE_MS + 10_000 }),
    fc.double({ min: MIN_TS - 10, max: now + 2 * DAY, noNaN: true }),
    fc.date({ min: new Date(MIN_TS - DAY), max: new Date(now + 2 * DAY), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.tuple(fc.date({ min: new Date(MIN_TS), max: new Date(now), noInvalidDate: true }), fc.constantFrom("+02:00", "-0530", "Z", "", "+1", "z")).map(([d, zone]) => d.toISOString().replace("Z", zone)),
    fc.constantFrom("2026-02-30T00:00:00Z", "2026-01-01", null, true, {}),
  );
  return fc.record(
    {
      tenant_id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,130}$/), text(128), fc.constantFrom("acme", 5, null)),
      name: fc.oneof(text(200), fc.constantFrom(5, null)),
      ts: tsArb,
      event_id: fc.oneof(text(128), fc.constant(null)),
      user_id: fc.oneof(text(200), fc.constant(null), fc.constant(3)),
      value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constant(null), fc.constant("1")),
      properties: fc.oneof(fc.dictionary(key, tree, { maxKeys: 8 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { minKeys: 45, maxKeys: 55 }), fc.constantFrom(null, [], "x")),
      extra: fc.constant(1),
    },
    { requiredKeys: ["tenant_id", "name"] },
  );
}
