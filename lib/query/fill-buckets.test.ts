import { afterAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { bucketLabels, fillBuckets } from "@/lib/query/fill-buckets";
import type { Granularity } from "@/lib/query/catalog";

afterAll(() => closeAnalytics());

const BUCKET_SQL: Record<Granularity, string> = { hour: "toStartOfHour", day: "toStartOfDay", week: "toMonday", month: "toStartOfMonth" };

/** The engine's own labels: every 15 minutes of [from, to), bucketed as the compiled SQL does. */
async function engineLabels(granularity: Granularity, tz: string, from: string, to: string): Promise<string[]> {
  const rows = await queryRows<{ bucket: string }>(
    getAnalytics(),
    `SELECT toString(${BUCKET_SQL[granularity]}(t, {tz:String})) AS bucket, min(t) AS first
     FROM (SELECT toDateTime64({from:String}, 3, 'UTC') + toIntervalMinute(number * 15) AS t FROM numbers(toUInt64(dateDiff('minute', toDateTime64({from:String}, 3, 'UTC'), toDateTime64({to:String}, 3, 'UTC')) / 15)))
     GROUP BY bucket ORDER BY first`,
    { params: { tz, from, to } },
  );
  // A repeated local hour (clocks going back) is two buckets with one label: fill needs the label once.
  return rows.map((r) => r.bucket).filter((b, i, all) => b !== all[i - 1]);
}

describe("bucket labels agree with the engine's", () => {
  const cases: [Granularity, string, string, string][] = [
    ["day", "UTC", "2026-05-01 00:00:00", "2026-06-01 00:00:00"],
    ["day", "Europe/Berlin", "2026-03-20 23:00:00", "2026-04-05 22:00:00"], // spring forward
    ["day", "America/New_York", "2026-10-25 04:00:00", "2026-11-10 05:00:00"], // fall back
    ["hour", "Asia/Kolkata", "2026-05-01 18:30:00", "2026-05-03 18:30:00"],
    ["hour", "Asia/Kathmandu", "2026-05-01 00:07:00", "2026-05-02 00:00:00"],
    ["hour", "Europe/Berlin", "2026-10-24 22:00:00", "2026-10-26 00:00:00"], // a repeated local hour
    ["hour", "Australia/Adelaide", "2026-04-04 10:00:00", "2026-04-05 20:00:00"],
    ["week", "UTC", "2026-03-03 00:00:00", "2026-06-01 00:00:00"],
    ["week", "Australia/Adelaide", "2026-03-01 13:30:00", "2026-05-31 14:30:00"],
    ["month", "America/New_York", "2026-01-15 05:00:00", "2026-06-01 04:00:00"],
    ["month", "Asia/Kathmandu", "2025-12-31 18:15:00", "2026-03-31 18:15:00"],
  ];
  it.each(cases)("%s in %s from %s", async (granularity, tz, from, to) => {
    const iso = (s: string) => Date.parse(`${s.replace(" ", "T")}Z`);
    expect(bucketLabels(granularity, tz, iso(from), iso(to))).toEqual(await engineLabels(granularity, tz, from, to));
  });
});

describe("fillBuckets", () => {
  const fill = { granularity: "day" as const, timezone: "UTC", from: "2026-05-01T00:00:00.000Z", to: "2026-05-04T00:00:00.000Z", empty: { m0: 0 as const, m1: null } };
  it("adds the missing buckets with the metrics' empty values, in order", () => {
    expect(fillBuckets([{ bucket: "2026-05-02 00:00:00", m0: 3, m1: 1.5 }], { ...fill, byDimension: false })).toEqual([
      { bucket: "2026-05-01 00:00:00", m0: 0, m1: null },
      { bucket: "2026-05-02 00:00:00", m0: 3, m1: 1.5 },
      { bucket: "2026-05-03 00:00:00", m0: 0, m1: null },
    ]);
  });
  it("gives each dimension value every bucket and adds no value of its own", () => {
    const rows = [
      { bucket: "2026-05-01 00:00:00", dimension: "DE", m0: 1, m1: 1 },
      { bucket: "2026-05-03 00:00:00", dimension: "Ö", m0: 2, m1: 2 },
    ];
    const filled = fillBuckets(rows, { ...fill, byDimension: true });
    expect(filled.length).toBe(6);
    expect(new Set(filled.map((r) => r.dimension))).toEqual(new Set(["DE", "Ö"]));
    expect(filled.map((r) => `${String(r.bucket).slice(8, 10)}${String(r.dimension)}`)).toEqual(["01DE", "01Ö", "02DE", "02Ö", "03DE", "03Ö"]);
    expect(fillBuckets([], { ...fill, byDimension: true })).toEqual([]);
  });
});
