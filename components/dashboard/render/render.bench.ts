// Server CPU for one dashboard's widget bodies: the six widgets of a typical
// dashboard (2 KPIs, a 30-day line, 10 bars, a 3-slice donut, a 10-row table)
// rendered ROUNDS times after a warm-up. Not a test: run it by hand.
//   node scripts/run-ts.mjs components/dashboard/render/render.bench.ts [rounds]
// Absolute times here vary with the machine's load, so each batch is paired
// with a reference batch next to it (a JSON round trip of the same rows, as a
// cached result is read) and the median ratio is printed too.
import os from "node:os";
import { renderWidgetBody } from "./render-widget-body";
import { sampleDashboard } from "./sample-dashboard";

const ROUNDS = Number(process.argv[2] ?? 2_000);
const BATCHES = 10;
const dashboard = sampleDashboard();
const cachedJson = JSON.stringify(dashboard.map((w) => w.rows));

function render(): number {
  let bytes = 0;
  for (const w of dashboard) bytes += renderWidgetBody(w.widget, w.rows, { height: w.height }).__html.length;
  return bytes;
}

function reference(): number {
  return (JSON.parse(cachedJson) as unknown[]).length + JSON.stringify(JSON.parse(cachedJson)).length;
}

/** CPU µs per call of `f`, over `n` calls. */
function cpuPerCall(f: () => number, n: number): number {
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const bytes = render();
cpuPerCall(render, 300); // warm-up: let the JIT settle
cpuPerCall(reference, 300);

const renders: number[] = [];
const ratios: number[] = [];
for (let b = 0; b < BATCHES; b++) {
  const r = cpuPerCall(render, ROUNDS / BATCHES);
  const ref = cpuPerCall(reference, ROUNDS / BATCHES);
  renders.push(r);
  ratios.push(r / ref);
}
console.log(`${ROUNDS} renders of a six-widget dashboard's bodies (${(bytes / 1024).toFixed(1)} KiB of HTML), Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)}`);
console.log(`CPU per dashboard: median ${median(renders).toFixed(0)} µs, fastest batch ${Math.min(...renders).toFixed(0)} µs`);
console.log(`Paired ratio to a JSON round trip of the same rows: median ${median(ratios).toFixed(1)}×`);
