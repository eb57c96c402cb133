import { describe, expect, it } from "vitest";
import { formatBucket } from "./format";
import { renderWidgetBody } from "./render-widget-body";
import { chartView, withClass } from "./testing";

// Tooltips name a time bucket at the chart's granularity; the axis keeps its short labels.

const render = (...args: Parameters<typeof renderWidgetBody>) => renderWidgetBody(...args).__html;

describe("dates at the chart's granularity", () => {
  it("formats a bucket per granularity", () => {
    expect(formatBucket("2026-04-06 14:00:00", "hour")).toBe("6 Apr 2026, 14:00");
    expect(formatBucket("2026-04-06 00:00:00", "day")).toBe("6 Apr 2026");
    expect(formatBucket("2026-04-06 00:00:00", "week")).toBe("Week of 6 Apr 2026");
    expect(formatBucket("2026-04-01 00:00:00", "month")).toBe("April 2026");
    expect(formatBucket("2026-04-06 00:00:00", undefined)).toBe("2026-04-06");
    expect(formatBucket("mobile", "day")).toBe("mobile");
  });

  it("puts them in line and bar tooltips", () => {
    const weekly = chartView({ id: "w", title: "Orders per week", chart: "line", granularity: "week" });
    const hits = withClass(render(weekly, [{ bucket: "2026-03-30 00:00:00", m0: 4 }, { bucket: "2026-04-06 00:00:00", m0: 7 }], { height: 200 }), "hit");
    expect(hits.map((h) => h.attrs["data-tip"])).toEqual(["Week of 30 Mar 2026 — Page views: 4", "Week of 6 Apr 2026 — Page views: 7"]);
    // The raw bucket stays the mark's value (what drilling and tests read).
    expect(hits[1].attrs["data-value"]).toBe("2026-04-06 00:00:00");
    const monthly = chartView({ id: "m", title: "Signups per month", chart: "bar", granularity: "month" });
    const bars = withClass(render(monthly, [{ bucket: "2026-03-01 00:00:00", m0: 1 }, { bucket: "2026-04-01 00:00:00", m0: 2 }], { height: 200 }), "bar");
    expect(bars.map((b) => b.attrs["data-tip"])).toEqual(["March 2026 — Page views: 1", "April 2026 — Page views: 2"]);
  });
});
