// Self time per function (and per file) of a V8 .cpuprofile, the top N:
//   node scripts/run-ts.mjs bench/cpu-summary.ts FILE.cpuprofile [N]
import fs from "node:fs";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] };
const [file, top = "25"] = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fns = new Map<string, number>();
const files = new Map<string, number>();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url.replace(/^.*\/work\/main\//, "").replace(/^file:\/\//, "");
  fns.set(`${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`, (fns.get(`${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`) ?? 0) + us);
  const f = where.replace(/:\d+$/, "") || functionName;
  files.set(f, (files.get(f) ?? 0) + us);
}
const show = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(top)).map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`).join("\n");
console.log(`total ${(total / 1000).toFixed(0)} ms sampled\n\nby function (self):\n${show(fns)}\n\nby file (self):\n${show(files)}`);
