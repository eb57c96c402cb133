import { describe, expect, it } from "vitest";
import { boundTimeRange, rangeDays } from "@/lib/query/time-range";

// boundTimeRange: what a saved view or an AI answer's period becomes under a
// session's max_date_range_days.

const now = new Date("2026-03-15T12:00:00Z");

describe("boundTimeRange", () => {
  it("keeps a range that fits (the same object) and any range without a bound", () => {
    const r = { kind: "last_30_days" } as const;
    expect(boundTimeRange(r, 30, "UTC", now)).toBe(r);
    const abs = { kind: "absolute", from: "2025-01-01", to: "2025-12-31" } as const;
    expect(boundTimeRange(abs, undefined, "UTC", now)).toBe(abs);
  });

  it("turns a long preset into the longest preset that fits", () => {
    expect(boundTimeRange({ kind: "last_90_days" }, 30, "UTC", now)).toEqual({ kind: "last_30_days" });
    expect(boundTimeRange({ kind: "last_90_days" }, 29, "UTC", now)).toEqual({ kind: "last_7_days" });
    expect(boundTimeRange({ kind: "this_month" }, 30, "UTC", now)).toEqual({ kind: "last_30_days" });
  });

  it("keeps the end of an absolute range, and ends today when no preset is short enough", () => {
    expect(boundTimeRange({ kind: "absolute", from: "2026-01-01", to: "2026-02-28" }, 10, "UTC", now)).toEqual({ kind: "absolute", from: "2026-02-19", to: "2026-02-28" });
    expect(boundTimeRange({ kind: "last_30_days" }, 3, "UTC", now)).toEqual({ kind: "absolute", from: "2026-03-13", to: "2026-03-15" });
    // Today in Tokyo is already the 16th at 23:00 UTC on the 15th.
    expect(boundTimeRange({ kind: "last_30_days" }, 3, "Asia/Tokyo", new Date("2026-03-15T23:00:00Z"))).toEqual({ kind: "absolute", from: "2026-03-14", to: "2026-03-16" });
  });

  it("counts a day with a DST change as one day", () => {
    // Europe/Berlin moves its clocks on 2026-03-29: the 30 days before 2026-04-05 are 30 days minus an hour.
    expect(rangeDays({ kind: "last_30_days" }, "Europe/Berlin", new Date("2026-04-05T12:00:00Z"))).toBe(30);
    const r = { kind: "last_30_days" } as const;
    expect(boundTimeRange(r, 30, "Europe/Berlin", new Date("2026-04-05T12:00:00Z"))).toBe(r);
  });
});
