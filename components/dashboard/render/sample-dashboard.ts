import type { WidgetView } from "@/lib/dashboards/describe-widget";
import type { Row } from "./chart-data";

// A typical dashboard's six widgets and their rows, shaped like the demo
// dashboard's query results; used by the benchmark and the tests.

const view = (v: Partial<WidgetView> & Pick<WidgetView, "id" | "title" | "chart">): WidgetView => ({ kind: "chart", metricLabels: ["Events"], drillable: false, ...v });

/** Deterministic pseudo-random numbers, so every run renders the same markup. */
function numbers(seed: number) {
  let s = seed;
  return (max: number) => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.round((s / 2_147_483_648) * max);
  };
}

function days(n: number, from = Date.UTC(2026, 3, 3)): string[] {
  return Array.from({ length: n }, (_, i) => `${new Date(from + i * 86_400_000).toISOString().slice(0, 10)} 00:00:00`);
}

export function sampleDashboard(): { widget: WidgetView; rows: Row[]; height: number }[] {
  const next = numbers(7);
  const countries = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA", "AU", "ES"];
  const pages = ["/", "/pricing", "/docs", "/blog", "/signup", "/login", "/about", "/careers", "/docs/api", "/changelog"];
  return [
    { widget: view({ id: "signups", title: "Signups", chart: "kpi", metricLabels: ["Event count (signup)"] }), rows: [{ m0: 1234, m0_previous: 1100 }], height: 90 },
    { widget: view({ id: "revenue", title: "Revenue", chart: "kpi", metricLabels: ["Value sum (order_completed)"] }), rows: [{ m0: 98_765.43, m0_previous: 101_000 }], height: 90 },
    {
      widget: view({ id: "page-views", title: "Page views per day", chart: "line", metricLabels: ["Event count (page_view)"] }),
      rows: days(30).map((bucket) => ({ bucket, m0: 2_000 + next(1_500) })),
      height: 270,
    },
    {
      widget: view({ id: "signups-by-country", title: "Signups by country", chart: "bar", metricLabels: ["Event count (signup)"], breakdown: { id: "country", label: "Country" }, drillable: true }),
      rows: countries.map((dimension) => ({ dimension, m0: 50 + next(400) })).sort((a, b) => b.m0 - a.m0),
      height: 270,
    },
    {
      widget: view({ id: "devices", title: "Events by device", chart: "donut", metricLabels: ["Event count"], breakdown: { id: "device", label: "Device" }, drillable: true }),
      rows: [
        { dimension: "desktop", m0: 5_120 },
        { dimension: "mobile", m0: 3_980 },
        { dimension: "tablet", m0: 640 },
      ],
      height: 270,
    },
    {
      widget: view({ id: "top-pages", title: "Top pages", chart: "table", metricLabels: ["Event count (page_view)", "Unique users (page_view)"], breakdown: { id: "page", label: "Page" } }),
      rows: pages.map((dimension) => ({ dimension, m0: 100 + next(5_000), m1: 10 + next(900) })).sort((a, b) => b.m0 - a.m0),
      height: 270,
    },
  ];
}
