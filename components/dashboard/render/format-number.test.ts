import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatBucket, formatBucketLabel, formatCount, formatTick, formatValue } from "./format";
import { formatDuration, heldFormatters } from "./format-number";

// Metric formats and the viewer's locale, as the embed shows them. Intl puts
// no-break spaces (U+00A0) before "€", "%" and "Mio." in German.

const EUR = { kind: "currency", currency: "EUR" } as const;
const PERCENT = { kind: "percent" } as const;
const DURATION = { kind: "duration" } as const;

describe("metric formats", () => {
  it("writes a currency with its code's symbol, in the locale's way", () => {
    expect(formatValue(1234.5, { format: EUR, locale: "de-DE" })).toBe("1.234,50\u00a0€");
    expect(formatValue(1234.5, { format: EUR, locale: "en" })).toBe("€1,234.50");
    expect(formatValue(99, { format: { kind: "currency", currency: "USD" }, locale: "en" })).toBe("$99.00");
  });

  it("reads percent as a ratio (conversion_rate's 0.253 is 25.3%)", () => {
    expect(formatValue(0.253, { format: PERCENT, locale: "en" })).toBe("25.3%");
    expect(formatValue(0.253, { format: PERCENT, locale: "de" })).toBe("25,3\u00a0%");
    expect(formatValue(1, { format: PERCENT })).toBe("100%");
  });

  it("reads a duration in seconds as its two largest units", () => {
    expect([4.5, 45, 59.4, 60, 725, 3900, 3600, 90_000, -3900].map((s) => formatDuration(s, "en"))).toEqual(["4.5s", "45s", "59s", "1m", "12m 5s", "1h 5m", "1h", "1d 1h", "-1h 5m"]);
    expect(formatValue(4.5, { format: DURATION, locale: "de" })).toBe("4,5s");
    expect(formatValue(null, { format: DURATION })).toBe("—");
  });

  it("keeps a plain number plain, and null as —", () => {
    expect(formatValue(1234.5, { format: { kind: "number" }, locale: "en" })).toBe("1,234.5");
    expect(formatValue(null, { format: EUR, locale: "de" })).toBe("—");
  });
});

describe("locales", () => {
  it('groups and marks decimals as the locale does: "1.234,5" in de', () => {
    expect(formatValue(1234.5, { locale: "de" })).toBe("1.234,5");
    expect(formatValue(1234567, { locale: "de" })).toBe("1.234.567");
    expect(formatCount(2000, "de")).toBe("2.000");
    expect(formatValue(1234567, { locale: "en" })).toBe("1,234,567");
  });

  it("reads exactly as Intl for whole numbers in locales that group otherwise (the shortcut never guesses)", () => {
    for (const locale of ["de", "fr", "es", "en-IN", "ar-EG", "de-CH"]) {
      const intl = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
      fc.assert(fc.property(fc.oneof(fc.integer({ min: -1e12, max: 1e12 }), fc.double({ noNaN: true, min: -1e9, max: 1e9 })), (n) => formatValue(n, { locale }) === intl.format(n)));
    }
  });

  it("keeps y ticks short in every format", () => {
    expect([2500, 125_000, 3_000_000].map((n) => formatTick(n, { locale: "de" }))).toEqual(["2.500", "125.000", "3\u00a0Mio."]);
    expect(formatTick(3_000_000, { format: EUR, locale: "de" })).toBe("3\u00a0Mio.\u00a0€");
    expect(formatTick(2500, { format: { kind: "currency", currency: "USD" }, locale: "en" })).toBe("$2,500");
    expect(formatTick(0.25, { format: PERCENT, locale: "en" })).toBe("25%");
    expect(formatTick(3600, { format: DURATION, locale: "en" })).toBe("1h");
  });

  it("writes dates at the chart's granularity in the locale, English keeping its own forms", () => {
    expect(formatBucket("2026-04-06 00:00:00", "day", "de")).toBe("6. Apr. 2026");
    expect(formatBucket("2026-04-06 00:00:00", "week", "de")).toBe("Woche vom 6. Apr. 2026");
    expect(formatBucket("2026-04-01 00:00:00", "month", "de")).toBe("April 2026");
    expect(formatBucket("2026-04-06 00:00:00", "week", "en")).toBe("Week of 6 Apr 2026");
    expect(formatBucketLabel("2026-04-06 00:00:00", "de")).toBe("06.04.2026");
    expect(formatBucketLabel("2026-04-06 00:00:00", "en")).toBe("2026-04-06");
    expect(formatBucketLabel("mobile", "de")).toBe("mobile");
  });

  it("builds one formatter per locale and format, not one per value", () => {
    for (let i = 0; i < 2_000; i++) formatValue(i + 0.5, { format: i % 2 ? EUR : PERCENT, locale: i % 3 ? "de" : "fr" });
    const held = heldFormatters();
    for (let i = 0; i < 2_000; i++) formatValue(i + 0.25, { format: i % 2 ? EUR : PERCENT, locale: i % 3 ? "de" : "fr" });
    expect(heldFormatters()).toBe(held);
  });

  it("falls back to English for a locale the runtime cannot format in (sessions are validated at mint)", () => {
    expect(formatValue(1234.5, { locale: "not a locale" })).toBe("1,234.5");
  });
});
