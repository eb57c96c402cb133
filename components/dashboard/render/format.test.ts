import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatLabel, formatTick, formatValue, toNumber } from "./format";

const intl = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });

describe("formatValue", () => {
  it("reads exactly as Intl.NumberFormat for every number (the whole-number shortcut included)", () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: -1e15, max: 1e15 }), fc.maxSafeInteger(), fc.double({ noNaN: true }), fc.constant(-0)), (n) => formatValue(n) === intl.format(n)));
    for (const n of [0, 7, -7, 999, 1000, -1000, 12345, 1234567, -987654321, 2 ** 53 + 2, 1.005, 0.125]) expect(formatValue(n)).toBe(intl.format(n));
  });

  it('shows null and undefined as "—", and other values as text', () => {
    expect(formatValue(null)).toBe("—");
    expect(formatValue(undefined)).toBe("—");
    expect(formatValue("DE")).toBe("DE");
    expect(formatValue(true)).toBe("true");
  });
});

describe("labels and ticks", () => {
  it("drops a day bucket's midnight but keeps other times", () => {
    expect(formatLabel("2026-05-03 00:00:00")).toBe("2026-05-03");
    expect(formatLabel("2026-05-03 13:00:00")).toBe("2026-05-03 13:00:00");
    expect(formatLabel(null)).toBe("—");
  });

  it("keeps y ticks short enough for the axis", () => {
    expect([0, 250, 2500, 10_000, 125_000, 3_000_000, -20_000].map((n) => formatTick(n))).toEqual(["0", "250", "2,500", "10K", "125K", "3M", "-20K"]);
  });

  it("plots finite numbers only: anything else is a gap", () => {
    expect([1, 0, -2.5, null, undefined, "3", NaN, Infinity].map(toNumber)).toEqual([1, 0, -2.5, null, null, null, null, null]);
  });
});
