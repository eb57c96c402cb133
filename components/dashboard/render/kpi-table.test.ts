import { describe, expect, it } from "vitest";
import { renderWidgetBody } from "./render-widget-body";
import { MAX_TABLE_ROWS } from "./table";
import { chartView, sqlView, tags, textOf, withClass } from "./testing";

const render = (...args: Parameters<typeof renderWidgetBody>) => renderWidgetBody(...args).__html;

describe("KPI", () => {
  const kpi = chartView({ id: "signups", chart: "kpi" });

  it("shows the value under kpi-<id> and a rise as ▲ with class up", () => {
    const out = render(kpi, [{ m0: 1234.567, m0_previous: 1000 }], { height: 90 });
    const value = tags(out).find((t) => t.attrs["data-testid"] === "kpi-signups");
    expect(value?.attrs.class).toBe("kpi-value");
    expect(out).toContain('data-testid="kpi-signups">1,234.57</div>');
    expect(withClass(out, "kpi-delta")[0].attrs.class).toBe("kpi-delta up");
    expect(textOf(out)).toBe("1,234.57 ▲ 23.5% vs previous period");
  });

  it("shows a fall as ▼ with class down, and no change as ▲ 0.0%", () => {
    expect(textOf(render(kpi, [{ m0: 50, m0_previous: 200 }], { height: 90 }))).toBe("50 ▼ 75.0% vs previous period");
    expect(withClass(render(kpi, [{ m0: 50, m0_previous: 200 }], { height: 90 }), "down")).toHaveLength(1);
    expect(textOf(render(kpi, [{ m0: 7, m0_previous: 7 }], { height: 90 }))).toBe("7 ▲ 0.0% vs previous period");
  });

  it('shows null as "—" (saying there is no data) and no delta when there is nothing to compare with', () => {
    expect(textOf(render(kpi, [{ m0: null, m0_previous: 10 }], { height: 90 }))).toBe("— No data for this period.");
    expect(textOf(render(kpi, [{ m0: 10, m0_previous: 0 }], { height: 90 }))).toBe("10");
    expect(textOf(render(kpi, [{ m0: 10, m0_previous: null }], { height: 90 }))).toBe("10");
  });

  it("shows a custom-SQL KPI's first number when the query has no m0 column", () => {
    expect(textOf(render(sqlView("kpi"), [{ label: "total", "count()": 4321 }], { height: 90 }))).toBe("4,321");
  });
});

describe("table", () => {
  const table = chartView({ id: "top-pages", chart: "table", metricLabels: ["Page views", "Unique users"], breakdown: { id: "page", label: "Page" } });

  it("names columns by metric and breakdown labels, right-aligns numbers and shows null as —", () => {
    const out = render(
      table,
      [
        { dimension: "/pricing", m0: 12345, m1: 10.5 },
        { dimension: "/docs", m0: 3, m1: null },
      ],
      { height: 240 },
    );
    expect(tags(out).find((t) => t.name === "table")?.attrs["data-testid"]).toBe("table-top-pages");
    const th = out.match(/<th[^>]*>[^<]*<\/th>/g) ?? [];
    expect(th).toEqual(["<th>Page</th>", '<th class="num">Page views</th>', '<th class="num">Unique users</th>']);
    const rows = (out.match(/<tr[^>]*>.*?<\/tr>/g) ?? []).slice(1).map(textOf);
    expect(rows).toEqual(["/pricing 12,345 10.5", "/docs 3 —"]);
    expect(out).toContain('<td class="num">12,345</td>');
    expect(out).toContain("<td>—</td>");
  });

  it('heads a time column "Period" and shows day buckets without their midnight', () => {
    const out = render(chartView({ chart: "table" }), [{ bucket: "2026-05-03 00:00:00", m0: 4 }], { height: 240 });
    expect(textOf(out)).toBe("Period Page views 2026-05-03 4");
  });

  it("uses a custom-SQL widget's own column names", () => {
    const out = render(sqlView("table"), [{ country: "DE", "count()": 9 }], { height: 240 });
    expect(textOf(out)).toBe("country count() DE 9");
  });

  it(`renders at most ${MAX_TABLE_ROWS} rows and says so`, () => {
    const rows = Array.from({ length: MAX_TABLE_ROWS + 5 }, (_, i) => ({ dimension: `p${i}`, m0: i }));
    const out = render(table, rows, { height: 240 });
    expect(tags(out).filter((t) => t.name === "tr")).toHaveLength(MAX_TABLE_ROWS + 1);
    expect(textOf(out)).toContain("Showing the first 2,000 of 2,005 rows.");
  });
});

describe("no rows", () => {
  it.each(["kpi", "table", "line", "pie"] as const)("%s says there is no data for the period", (chart) => {
    expect(render(chartView({ chart }), [], { height: 240 })).toBe('<div class="empty">No data for this period.</div>');
  });
});
