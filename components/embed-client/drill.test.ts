import { describe, expect, it } from "vitest";
import { bucketRange, drilledFilters } from "./drill";

// What a click on a chart turns into: the state the server is asked to render.

describe("drilling into a time bucket sets the period to that bucket", () => {
  it("covers the bucket's days at its granularity, month ends and leap years included", () => {
    expect(bucketRange("2026-11-02 00:00:00", "day")).toEqual({ from: "2026-11-02", to: "2026-11-02" });
    expect(bucketRange("2026-11-02 14:00:00", "hour")).toEqual({ from: "2026-11-02", to: "2026-11-02" });
    expect(bucketRange("2026-12-28 00:00:00", "week")).toEqual({ from: "2026-12-28", to: "2027-01-03" });
    expect(bucketRange("2028-02-01 00:00:00", "month")).toEqual({ from: "2028-02-01", to: "2028-02-29" });
    expect(bucketRange("not a date", "day")).toBeUndefined();
  });
});

describe("drilling into a category adds one equals filter on its dimension", () => {
  const base = { time_range: { kind: "last_30_days" }, filters: [{ field: "country", op: "equals", value: "US" }, { field: "plan", op: "equals", value: "pro" }] };

  it("replaces a filter on the same dimension and keeps the others and the period", () => {
    expect(drilledFilters(base, { axis: "category", field: "country", value: "DE" })).toEqual({
      time_range: { kind: "last_30_days" },
      filters: [{ field: "plan", op: "equals", value: "pro" }, { field: "country", op: "equals", value: "DE" }],
    });
  });

  it("a time drill keeps the filters; a category without a dimension does not drill", () => {
    expect(drilledFilters(base, { axis: "time", value: "2026-11-02 00:00:00", granularity: "day" })).toEqual({ ...base, time_range: { kind: "absolute", from: "2026-11-02", to: "2026-11-02" } });
    expect(drilledFilters(base, { axis: "category", value: "DE" })).toBeUndefined();
  });
});
