import { chunkContents, type BrowserResult } from "./browser";
import { summarize, type Latencies } from "./embed-load";
import type { Overhead, RenderPlan, RollupMeasure, RowsRead } from "./executor";
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
  renderPlan: RenderPlan[];
  rollups?: RollupMeasure;
  /** Headline figures of an earlier run (npm run bench -- --baseline FILE), shown next to this run's. */
  baseline?: Headline;
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
  return `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)} (n=${s.n}${s.failures ? `, ${s.failures} failed` : ""}${l.cpuMsPerRender !== undefined ? `; CPU ${ms(l.cpuMsPerRender)} ms/render` : ""})`;
};

/** The figures the targets are judged on, kept as JSON next to the report so a later run can compare. */
export type Headline = {
  load: number;
  warmOffP95: Record<number, number>;
  warmOnP95: Record<number, number>;
  cpuOff: Record<number, number | undefined>;
  cpuOn: Record<number, number | undefined>;
  jsBytes?: number;
  chartOverFcp?: number;
  fcpOverStatic?: number;
  queriesPerRender: number;
  rowsReadLargest?: { tenant: string; perWidget: number; planned?: number; rows: number };
  worstMerge?: number;
  httpRowsPerSecond?: number;
  leaks: number;
};

export function headline(r: Results, load: number): Headline {
  const byLevel = (ls: Latencies[], f: (l: Latencies) => number | undefined) => Object.fromEntries(ls.map((l) => [l.level, f(l)]));
  const browser = "error" in r.browser ? undefined : r.browser.summary;
  const largest = r.renderPlan[0];
  return {
    load,
    warmOffP95: byLevel(r.warmOff, (l) => pct(l.samples, 95)) as Record<number, number>,
    warmOnP95: byLevel(r.warmOn, (l) => pct(l.samples, 95)) as Record<number, number>,
    cpuOff: byLevel(r.warmOff, (l) => l.cpuMsPerRender),
    cpuOn: byLevel(r.warmOn, (l) => l.cpuMsPerRender),
    jsBytes: browser?.jsBytes,
    chartOverFcp: browser?.chartOverFcp,
    fcpOverStatic: browser?.fcpOverStatic,
    queriesPerRender: Math.max(...r.renderPlan.map((p) => (p.planned ?? p.perWidget).queries)),
    rowsReadLargest: largest ? { tenant: largest.tenant, perWidget: largest.perWidget.rowsRead, planned: largest.planned?.rowsRead, rows: largest.rows } : undefined,
    worstMerge: r.renderPlan.flatMap((p) => p.merges.map((m) => m.rowsRead / Math.max(1, m.largest))).reduce((a, b) => Math.max(a, b), 0) || undefined,
    httpRowsPerSecond: r.http.ok ? r.http.accepted / r.http.seconds : undefined,
    leaks: r.leaks.mismatches.length,
  };
}

const num = (v: number | undefined, unit = "", digits = 1) => (v === undefined || !Number.isFinite(v) ? "—" : `${v.toFixed(digits)}${unit}`);

function renderTargets(now: Headline, before?: Headline): string[] {
  const row = (what: string, f: (h: Headline) => string, target: string, ok: boolean | undefined) => `| ${what} | ${before ? `${f(before)} | ` : ""}${f(now)} | ${target} | ${ok === undefined ? "—" : check(ok)} |`;
  const cpuRatio = (h: Headline) => (h.cpuOff[10] ?? NaN) / (h.cpuOff[1] ?? NaN);
  return [
    `| measure | ${before ? "before | " : ""}now | target | |`,
    `|---|${before ? "---|" : ""}---|---|---|`,
    row("embed render p95, warm, cache off, 10 concurrent (ms)", (h) => num(h.warmOffP95[10]), "≤ 150", now.warmOffP95[10] <= 150),
    row("embed render p95, warm, cache off, 50 concurrent (ms)", (h) => num(h.warmOffP95[50]), "(≤ 400 with rollups)", undefined),
    row("embed render p95, warm, result cache on, 10 concurrent (ms)", (h) => num(h.warmOnP95[10]), "≤ 60", now.warmOnP95[10] <= 60),
    row("server CPU per cached render, 1 session (ms)", (h) => num(h.cpuOn[1]), "≤ 6", (now.cpuOn[1] ?? Infinity) <= 6),
    row("server CPU per render at 10 ÷ at 1 session, cache off", (h) => num(cpuRatio(h), "×", 2), "≤ 1.2×", cpuRatio(now) <= 1.2),
    row("first chart with data ÷ first contentful paint, cold Chromium (median)", (h) => num(h.chartOverFcp, "×", 2), "≤ 1.1×", (now.chartOverFcp ?? Infinity) <= 1.1),
    row("first contentful paint ÷ the same page as static HTML (medians)", (h) => num(h.fcpOverStatic, "×", 2), "≤ 1.1×", (now.fcpOverStatic ?? Infinity) <= 1.1),
    row("JavaScript a cold load fetches until idle, gzipped (kB)", (h) => num(h.jsBytes === undefined ? undefined : h.jsBytes / 1024), "≤ 150", (now.jsBytes ?? Infinity) <= 150 * 1024),
    row("engine queries per six-widget render", (h) => String(h.queriesPerRender), "≤ 3", now.queriesPerRender <= 3),
    row("rows read by a merged query ÷ the largest query it replaces (worst)", (h) => num(h.worstMerge, "×", 2), "≤ 1.5×", now.worstMerge === undefined || now.worstMerge <= 1.5),
    row(`rows read by one full render of the largest tenant${now.rowsReadLargest ? ` (${int(now.rowsReadLargest.rows)} rows)` : ""}`, (h) => (h.rowsReadLargest ? int(h.rowsReadLargest.planned ?? h.rowsReadLargest.perWidget) : "—"), "(≤ 5% of its rows with rollups)", undefined),
    row("leaks: responses showing another tenant's numbers", (h) => String(h.leaks), "0", now.leaks === 0),
  ];
}

export function renderReport(r: Results & { load: number }): string {
  const load = r.load;
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
    "## Targets of the render path",
    "",
    r.baseline ? `Before: the same benchmark on the build before the front door and the server-rendered embed (load average ${r.baseline.load.toFixed(1)}); now: this run (load average ${load.toFixed(1)}). Latencies move with the machine's load; the ratios are from each run itself.` : `Load average ${load.toFixed(1)} (median during the run).`,
    "",
    ...renderTargets(headline(r, load), r.baseline),
    "",
    "## Earlier targets",
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
    "Time to the last byte of the HTML, p50 / p95 / p99 in ms, and the server process's CPU time per render over the level (user + system, from /proc: Node and the embedded engine's threads). Cold: tenants not queried since the server started, each rendered once. Warm: tenants rendered before, round-robin, so that N requests of different tenants are in flight.",
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
    "## One full render: queries and rows read",
    "",
    "The six demo widgets for one tenant, in-process: each widget its own query (as before the render plan), and through the front door's plan (widgets that scan the same rows share one statement). Rows read are the engine's statistics.",
    "",
    "| tenant | rows | per widget: queries / rows read / ms | planned: queries / rows read / ms | merged statements (rows read ÷ largest replaced) |",
    "|---|---|---|---|---|",
    ...r.renderPlan.map((p) => `| ${p.tenant} | ${int(p.rows)} | ${p.perWidget.queries} / ${int(p.perWidget.rowsRead)} / ${ms(p.perWidget.ms)} | ${p.planned ? `${p.planned.queries} / ${int(p.planned.rowsRead)} / ${ms(p.planned.ms)}` : "—"} | ${p.merges.map((m) => `${m.widgets.join(" + ")}: ${(m.rowsRead / Math.max(1, m.largest)).toFixed(2)}×`).join("; ") || "—"} |`),
    "",
    ...rollupSection(r),
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
    `- first contentful paint: p50 ${ms(s.fcp.p50)} ms, p95 ${ms(s.fcp.p95)} ms`,
    `- first chart with data (a chart mark in the DOM, from navigation start): p50 ${ms(s.firstChart.p50)} ms, p95 ${ms(s.firstChart.p95)} ms; first chart ÷ first paint, median of samples: ${s.chartOverFcp.toFixed(2)}×`,
    `- the same page saved as static HTML without scripts, from a plain file server: first paint p50 ${ms(s.staticFcp)} ms; the embed's first paint ÷ that: ${s.fcpOverStatic.toFixed(2)}×`,
    "",
  ];
}

/** Rollups: the issue's targets that the in-process measurement answers, then per tenant. */
function rollupSection(r: Results): string[] {
  const m = r.rollups;
  if (!m) return [];
  const largest = m.tenants[0];
  const bytesRatio = largest ? largest.rollupBytesRead / largest.rawBytes : NaN;
  const insert = (path: "engine" | "ingest") => m.insert[path];
  const warm10 = r.warmOff.find((l) => l.level === 10);
  const warm50 = r.warmOff.find((l) => l.level === 50);
  const p95 = (l?: Latencies) => (l ? pct(l.samples, 95) : NaN);
  return [
    "## Rollups",
    "",
    `The demo version's rollup: ${m.sets} sets, built from every event in ${(m.buildMs / 1000).toFixed(1)} s, ${int(m.rollupRows)} rows, ${kb(m.rollupBytes)} on disk. The embed renders above read it (the server builds it at start and the benchmark waits until it is ready). In-process: each tenant's six widgets from the rollup and from events; bytes are the engine's uncompressed bytes read; a tenant's own bytes are its rows' size over every column.`,
    "",
    "| measure | now | target | |",
    "|---|---|---|---|",
    `| embed render p95, warm, cache off, 10 concurrent | ${ms(p95(warm10))} ms | ≤ 80 ms | ${check(p95(warm10) <= 80)} |`,
    `| embed render p95, warm, cache off, 50 concurrent | ${ms(p95(warm50))} ms | ≤ 400 ms | ${check(p95(warm50) <= 400)} |`,
    `| engine time of a render from rollups, 10 largest ÷ 10 median tenants | ${m.largestOverMedian.toFixed(2)}× | ≤ 1.5× | ${check(m.largestOverMedian <= 1.5)} |`,
    `| bytes read by one full render, largest tenant ÷ its own bytes | ${(bytesRatio * 100).toFixed(2)}% (${kb(largest?.rollupBytesRead ?? NaN)} of ${kb(largest?.rawBytes ?? NaN)}) | ≤ 5% | ${check(bytesRatio <= 0.05)} |`,
    `| ingest (validate + insert, as \`POST /v1/events\` does besides HTTP) with the rollup's view ÷ without | ${insert("ingest").ratio.toFixed(2)} (${int(insert("ingest").withView)} vs ${int(insert("ingest").withoutView)} rows/s) | ≥ 0.8 | ${check(insert("ingest").ratio >= 0.8)} |`,
    `| engine insert alone (rows already validated) with the view ÷ without | ${insert("engine").ratio.toFixed(2)} (${int(insert("engine").withView)} vs ${int(insert("engine").withoutView)} rows/s) | (stricter than the target) | — |`,
    "",
    `Insert rates: ${insert("ingest").rounds} alternating rounds of 100k rows in 10k-row batches per path, without and with the view; medians of the rates and of each round's ratio. HTTP adds its own cost to both sides, so the HTTP ratio is at least the ingest path's.`,
    "",
    "| tenant | rank | rows | its bytes | widgets from the rollup | rollup: rows / bytes read / ms | events: bytes read / ms |",
    "|---|---|---|---|---|---|---|",
    ...m.tenants.map((t) => `| ${t.tenant} | ${t.rank} | ${int(t.rows)} | ${kb(t.rawBytes)} | ${t.fromRollup} of ${t.widgets} | ${int(t.rollupRowsRead)} / ${kb(t.rollupBytesRead)} / ${ms(t.rollupMs)} | ${kb(t.eventsBytesRead)} / ${ms(t.eventsMs)} |`),
    "",
  ];
}
