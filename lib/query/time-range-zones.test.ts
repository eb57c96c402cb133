import { describe, expect, it } from "vitest";
import { isTimeZone, resolveTimeRange } from "@/lib/query/time-range";

// Formatters are cached per zone: a range must come out in its own zone
// whichever zones were resolved before it.
describe("time ranges in several zones", () => {
  const now = new Date("2026-01-15T12:00:00Z");
  const last7 = (tz: string) => {
    const { from, to } = resolveTimeRange({ kind: "last_7_days" }, tz, now);
    return [from.toISOString(), to.toISOString()];
  };

  it("resolves each zone with its own offset, in any order", () => {
    for (let round = 0; round < 2; round++) {
      expect(last7("UTC")).toEqual(["2026-01-09T00:00:00.000Z", "2026-01-16T00:00:00.000Z"]);
      expect(last7("Europe/Berlin")).toEqual(["2026-01-08T23:00:00.000Z", "2026-01-15T23:00:00.000Z"]);
      expect(last7("America/New_York")).toEqual(["2026-01-09T05:00:00.000Z", "2026-01-16T05:00:00.000Z"]);
    }
  });

  it("tells known zones from unknown ones, again and again", () => {
    for (let round = 0; round < 2; round++) {
      expect(isTimeZone("Europe/Berlin")).toBe(true);
      expect(isTimeZone("Not/AZone")).toBe(false);
    }
  });
});
