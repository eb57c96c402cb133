import { chunkContents, type BrowserResult } from "./browser";
import { summarize, type Latencies } from "./embed-load";
import type { Overhead, RowsRead } from "./executor";
import type { Generated } from "./generate";
import type { HttpIngest } from "./http-ingest";
import type { LeakTally } from "./leak-check";
import { int, kb, ms, pct } from "./stats";

// Step 4: the report, as markdown. Every target line shows the measured value,
// the target and ✅/❌; the sections below it hold the detail.

export type Results = {
  title: string;
  machine: string[];
  command: string;
  generated: Generated;
  validationMicros: number;
  overhead: Overhead[];
  overheadTenants: string[];
  rowsRead: RowsRead[];
  guard: { payloads: number; p50: number; p95: number };
  http: HttpIngest;
  cold: Latencies[];
  warmOff: Latencies[];
  warmOn: Latencies[];
  browser: BrowserResult | { error: string };
  leaks: LeakTally;
  serverStart: number[];
};

const check = (ok: boolean) => (ok ? "✅" : "❌");
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

export function overheadTable(rows: Overhead[]): string[] {
  const line = (name: string, raw: number[], scoped: number[]) =>
    `| ${name} | ${ms(pct(raw, 50))} | ${ms(pct(scoped, 50))} | ${ratio(pct(scoped, 50), pct(raw, 50))} | ${ms(pct(raw, 95))} | ${ms(pct(scoped, 95))} | ${ratio(pct(scoped, 95), pct(raw, 95))} |`;
  return [
    "| widget | raw p50 ms | scoped p50 ms | p50 ratio | raw p95 ms | scoped p95 ms | p95 ratio |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((r) => line(r.widget, r.raw, r.scoped)),
    line("**all**", rows.flatMap((r) => r.raw), rows.flatMap((r) => r.scoped)),
  ];
}

/** Median of scoped ÷ raw per pair (the two runs of one query, back to back): steadier than a ratio of medians on a busy machine. */
export function pairedRatio(rows: Overhead[]): number {
  return pct(rows.flatMap((r) => r.scoped.map((s, i) => s / r.raw[i])), 50);
}

const latencyCell = (l?: Latencies) => {
  if (!l) return "—";
  const s = summarize(l);
  return `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)} (n=${s.n}${s.failures ? `, ${s.failures} failed` : ""})`;
};

export function renderReport(r: Results): string {
  const raw = r.overhead.flatMap((o) => o.raw);
  const scoped = r.overhead.flatMap((o) => o.scoped);
  const overheadRatio = pct(scoped, 50) / pct(raw, 50);
  const readRatios = r.rowsRead.map((t) => Math.max(...t.perWidget.map((w) => w.rowsRead)) / t.rows);
  const warm10 = r.warmOff.find((l) => l.level === 10);
  const warm10p95 = warm10 ? pct(warm10.samples, 95) : NaN;
  const httpRate = r.http.ok ? r.http.accepted / r.http.seconds : NaN;
  const browser = "error" in r.browser ? undefined : r.browser.summary;
  const leaks = r.leaks.mismatches.length;
  const g = r.generated;

  const lines = [
    `# ${r.title}`,
    "",
    ...r.machine.map((m) => `- ${m}`),
    `- command: \`${r.command}\``,
    "",
    "## Targets",
    "",
    "| what | measured | target | |",
    "|---|---|---|---|",
    `| embed page p95, warm, 10 concurrent sessions (result cache off) | ${ms(warm10p95)} ms | ≤ 150 ms | ${check(warm10p95 <= 150)} |`,
    `| scoping overhead, scoped ÷ raw at p50 (all widgets) | ${overheadRatio.toFixed(2)}× | ≤ 1.2× | ${check(overheadRatio <= 1.2)} |`,
    `| rows read by one widget query ÷ tenant rows (worst of ${r.rowsRead.length} tenants) | ${Math.max(...readRatios).toFixed(2)}× | ≤ 2× | ${check(Math.max(...readRatios) <= 2)} |`,
    `| ingest over HTTP | ${r.http.ok ? `${int(httpRate)} rows/s` : "not measured"} | ≥ 100,000 rows/s | ${r.http.ok ? check(httpRate >= 100_000) : "❌"} |`,
    `| embed JavaScript, as transferred | ${browser ? kb(browser.jsBytes) : "not measured"} | ≤ 250 kB | ${browser ? check(browser.jsBytes <= 250 * 1024) : "❌"} |`,
    `| first chart with data, cold browser, p50 | ${browser ? `${ms(browser.firstChart.p50)} ms` : "not measured"} | ≤ 1,000 ms | ${browser ? check(browser.firstChart.p50 <= 1000) : "❌"} |`,
    `| leaks: responses showing another tenant's numbers | ${leaks} (${int(r.leaks.values)} values in ${int(r.leaks.responses)} responses compared) | 0 | ${check(leaks === 0 && r.leaks.responses > 0)} |`,
    "",
    "## Data and library-path ingest",
    "",
    `${int(g.rows)} events over ${int(g.tenants.length)} tenants, Zipf sizes (tenant k holds ∝ 1/k): largest ${int(g.tenants[0].rows)} rows, median ${int(g.tenants[Math.floor(g.tenants.length / 2)].rows)}, smallest ${int(g.tenants.at(-1)!.rows)}. ` +
      "Shaped like the demo data: 90 days of signup, page_view and order_completed with country, plan, device and page.",
    "",
    `- generate + \`ingestEvents\` (validate each row, insert 10k-row batches): ${int(g.rows / g.seconds)} rows/s end to end (${g.seconds.toFixed(1)} s)`,
    `- inside \`ingestEvents\` only: ${int(g.rows / g.ingestSeconds)} rows/s; validation alone costs ${r.validationMicros.toFixed(1)} µs per row (${int(1e6 / r.validationMicros)} rows/s on one core)`,
    `- settling: \`OPTIMIZE TABLE events FINAL\` merged ${int(g.parts.before)} parts into ${int(g.parts.after)} in ${g.parts.optimizeSeconds.toFixed(1)} s`,
    `- server starts (migrations, setup, build if sources changed, next start): ${r.serverStart.map((s) => `${s.toFixed(1)} s`).join(", ")}`,
    "",
    "## Ingest over HTTP (`POST /v1/events`)",
    "",
    r.http.ok
      ? `${int(r.http.rows)} rows in ${r.http.batches} JSON batches of up to 10,000 rows (${kb(r.http.bodyBytes / r.http.batches)} each on average), ${r.http.concurrency} requests in flight, tenants interleaved: ` +
        `${int(r.http.accepted)} accepted, ${int(r.http.rejected)} rejected, ${r.http.seconds.toFixed(1)} s → **${int(httpRate)} rows/s**. Accepted rows are part of the leak check's expected numbers.`
      : `Not measured: ${r.http.reason}.`,
    "",
    "## Embed page, full server render (`GET /embed/<token>`, six widgets)",
    "",
    "Time to the last byte of the HTML, p50 / p95 / p99 in ms. Cold: tenants not queried since the server started, each rendered once. Warm: tenants rendered before, round-robin, so that N requests of different tenants are in flight.",
    "",
    "| sessions at once | cold (cache off) | warm, result cache off | warm, result cache on (30 s) |",
    "|---|---|---|---|",
    ...[1, 10, 50].map((level) => `| ${level} | ${latencyCell(r.cold.find((l) => l.level === level))} | ${latencyCell(r.warmOff.find((l) => l.level === level))} | ${latencyCell(r.warmOn.find((l) => l.level === level))} |`),
    "",
    "## Executor overhead (`runScoped` vs the same SQL raw)",
    "",
    `Tenants ${r.overheadTenants.join(", ")}; server stopped. Raw: compiled SQL and parameters on one long-lived connection, no settings. Scoped: \`runScoped\` — fresh connection, \`additional_table_filters\`, limits, \`readonly\` last, per-tenant slot.`,
    "",
    ...overheadTable(r.overhead),
    "",
    `Scoping overhead per query: median ${ms(pct(scoped, 50) - pct(raw, 50))} ms, p95 ${ms(pct(scoped, 95) - pct(raw, 95))} ms. ` +
      `Median of paired ratios (each scoped run ÷ the raw run of the same query next to it): ${pairedRatio(r.overhead).toFixed(2)}×.`,
    "",
    "## Rows read by a tenant's queries",
    "",
    "`rows_read` from the executor's statistics for each demo widget (last 30 days, KPIs also the 30 days before), against the tenant's row count.",
    "",
    "| tenant | rows | max rows read by one query | ratio | rows read by all six | per widget |",
    "|---|---|---|---|---|---|",
    ...r.rowsRead.map((t, i) => {
      const max = Math.max(...t.perWidget.map((w) => w.rowsRead));
      const all = t.perWidget.reduce((s, w) => s + w.rowsRead, 0);
      return `| ${t.tenant} | ${int(t.rows)} | ${int(max)} | ${readRatios[i].toFixed(2)}× | ${int(all)} (${ratio(all, t.rows)}) | ${t.perWidget.map((w) => `${w.widget} ${int(w.rowsRead)}`).join(", ")} |`;
    }),
    "",
    "## Guard",
    "",
    `Guard latency over the ${r.guard.payloads}-payload corpus (×3): p50 ${ms(r.guard.p50)} ms, p95 ${ms(r.guard.p95)} ms.`,
    "",
    ...browserSection(r.browser),
    "## Leak check",
    "",
    `Every embed response above (cold, warm, cache off and on, plus the untimed warm-up passes) was compared with its own tenant's numbers computed in memory from the generated and HTTP-ingested events: ` +
      `all six widgets' results carried in the page (KPI values and previous periods, page views per day, signups per country, events per device, page views and unique users per page) and the values visible in the HTML (both KPIs, the top-pages table). ` +
      `${int(r.leaks.responses)} responses, ${int(r.leaks.values)} values, **${leaks} mismatches**.` +
      (r.leaks.widgetErrors.size ? ` Widgets that answered with an error instead of data (not compared): ${[...r.leaks.widgetErrors].map(([c, n]) => `${c} ×${n}`).join(", ")}.` : ""),
    ...r.leaks.mismatches.slice(0, 10).map((m) => `- ${m}`),
    "",
  ];
  return lines.join("\n");
}

function browserSection(b: Results["browser"]): string[] {
  if ("error" in b) return ["## Browser", "", `Not measured: ${b.error}`, ""];
  const s = b.summary;
  return [
    "## Browser (headless Chromium, a fresh context per sample)",
    "",
    `${b.samples.length} samples with an empty cache (${b.executable}); result cache on, tenants warm. Bytes as transferred (encodings: ${[...new Set(b.samples.flatMap((x) => x.encodings))].join(", ")}), medians:`,
    "",
    `- JavaScript: ${kb(s.jsBytes)} transferred (${kb(s.jsRawBytes)} uncompressed) in ${b.samples[0]?.scripts.length ?? 0} files; everything: ${kb(s.totalBytes)} in ${b.samples[0]?.requests ?? 0} requests`,
    `- largest scripts: ${(b.samples[0]?.scripts ?? []).slice(0, 5).map((x) => `\`${x.path.split("/").at(-1)}\` ${kb(x.bytes)}${chunkContents(x.path) ? ` (${chunkContents(x.path)})` : ""}`).join(", ")}`,
    `- first contentful paint (the server-rendered KPIs and table): p50 ${ms(s.fcp.p50)} ms, p95 ${ms(s.fcp.p95)} ms`,
    `- first chart with data (\`${"[data-testid^=widget-] :is(.recharts-line-curve, .recharts-bar-rectangle, .recharts-pie-sector)"}\` in the DOM, from navigation start): p50 ${ms(s.firstChart.p50)} ms, p95 ${ms(s.firstChart.p95)} ms`,
    "",
  ];
}
