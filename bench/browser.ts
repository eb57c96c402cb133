import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { pct } from "./stats";

// What a browser pays for an embed: bytes over the wire (as transferred, so
// compressed) and time to the first chart with data, each sample in a fresh
// browser context (empty HTTP cache, no service worker, no cookies).

/**
 * A chart widget that drew data: a mark of a server-drawn chart (components/dashboard/render),
 * or, on a build from before it, what recharts draws only for non-empty rows.
 */
export const CHART_WITH_DATA = '[data-testid^="widget-"] :is(.chart .mark, .recharts-line-curve, .recharts-bar-rectangle, .recharts-pie-sector)';

export type BrowserSample = { firstChartMs: number; fcpMs: number; jsBytes: number; jsRawBytes: number; totalBytes: number; requests: number; encodings: string[]; scripts: { path: string; bytes: number }[] };
export type BrowserResult = {
  executable: string;
  samples: BrowserSample[];
  /** The same page saved as static HTML (no scripts) on a plain file server: the first paint a server cannot beat. */
  staticFcp: number[];
  summary: Record<"firstChart" | "fcp", { p50: number; p95: number }> & { jsBytes: number; jsRawBytes: number; totalBytes: number; chartOverFcp: number; fcpOverStatic: number; staticFcp: number };
};

const WATCH = `(() => {
  const mark = () => {
    if (!window.__firstChart && document.querySelector(${JSON.stringify(CHART_WITH_DATA)})) window.__firstChart = performance.now();
  };
  new MutationObserver(mark).observe(document, { childList: true, subtree: true, attributes: true });
})();`;

const MARKERS: [string, string][] = [["recharts-", "recharts"], ["react-dom", "react-dom"], ["__NEXT_", "next"], ["react-grid-layout", "react-grid-layout"], ["ZodError", "zod"]];

/** Which libraries a built chunk holds, by strings they leave in minified code. */
export function chunkContents(urlPath: string): string {
  const file = path.join(__dirname, "../.next/static/chunks", path.basename(urlPath));
  if (!fs.existsSync(file)) return "";
  const text = fs.readFileSync(file, "utf8");
  return MARKERS.filter(([marker]) => text.includes(marker)).map(([, name]) => name).join(", ");
}

async function sample(page: Page, url: string): Promise<BrowserSample> {
  const counted: Promise<void>[] = [];
  const tally = { js: 0, jsRaw: 0, total: 0, requests: 0, encodings: new Set<string>(), scripts: [] as { path: string; bytes: number }[] };
  page.on("requestfinished", (request) => {
    counted.push(
      (async () => {
        const sizes = await request.sizes();
        const response = await request.response();
        tally.requests++;
        tally.total += sizes.responseBodySize + sizes.responseHeadersSize;
        if (request.resourceType() === "script") {
          tally.js += sizes.responseBodySize;
          tally.scripts.push({ path: new URL(request.url()).pathname, bytes: sizes.responseBodySize });
          tally.jsRaw += (await response?.body().catch(() => Buffer.alloc(0)))?.length ?? 0;
          tally.encodings.add(response?.headers()["content-encoding"] ?? "identity");
        }
      })(),
    );
  });
  await page.addInitScript(WATCH);
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector(CHART_WITH_DATA, { timeout: 30_000 });
  await page.waitForLoadState("networkidle");
  await Promise.all(counted);
  const timing = await page.evaluate(() => ({
    chart: (window as unknown as { __firstChart?: number }).__firstChart ?? NaN,
    fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
  }));
  return { firstChartMs: timing.chart, fcpMs: timing.fcp, jsBytes: tally.js, jsRawBytes: tally.jsRaw, totalBytes: tally.total, requests: tally.requests, encodings: [...tally.encodings], scripts: tally.scripts.sort((a, b) => b.bytes - a.bytes) };
}

/** A copy of an embed page without its scripts, served from a plain HTTP server on `port`. */
async function staticCopy(url: string, port: number): Promise<{ url: string; close(): void }> {
  const html = (await (await fetch(url)).text()).replace(/<script\b[\s\S]*?<\/script>/g, "");
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

async function staticFcp(page: Page, url: string): Promise<number> {
  await page.addInitScript(WATCH); // the same instrument as the embed's load
  await page.goto(url, { waitUntil: "load" });
  return page.evaluate(() => new Promise<number>((resolve) => {
    const entry = performance.getEntriesByName("first-contentful-paint")[0];
    if (entry) return resolve(entry.startTime);
    new PerformanceObserver((list) => resolve(list.getEntries()[0].startTime)).observe({ type: "paint", buffered: true });
  }));
}

export async function measureBrowser(urls: string[], staticPort: number): Promise<BrowserResult> {
  const executable = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));
  const browser = await chromium.launch({
    executablePath: executable,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  const samples: BrowserSample[] = [];
  const statics: number[] = [];
  const copy = await staticCopy(urls[0], staticPort);
  try {
    // The first pages of a new browser also pay for starting its processes: not measured.
    // Each embed sample is paired with a load of the static copy in the same state of the
    // machine, each in its own fresh context, which of the two goes first alternating.
    const inContext = async <T>(fn: (page: Page) => Promise<T>): Promise<T> => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      try {
        return await fn(await context.newPage());
      } finally {
        await context.close();
      }
    };
    for (const [i, url] of urls.entries()) {
      const embedFirst = i % 2 === 0;
      const fcpFirst = embedFirst ? undefined : await inContext((page) => staticFcp(page, copy.url));
      const s = await inContext((page) => sample(page, url));
      const fcp = fcpFirst ?? (await inContext((page) => staticFcp(page, copy.url)));
      if (i > 0) {
        samples.push(s);
        statics.push(fcp);
      }
    }
  } finally {
    copy.close();
    await browser.close();
  }
  const median = (f: (s: BrowserSample) => number) => pct(samples.map(f), 50);
  return {
    executable: executable ?? "Playwright's Chromium",
    samples,
    staticFcp: statics,
    summary: {
      chartOverFcp: pct(samples.map((s) => s.firstChartMs / s.fcpMs), 50),
      fcpOverStatic: pct(samples.map((s) => s.fcpMs), 50) / pct(statics, 50),
      staticFcp: pct(statics, 50),
      firstChart: { p50: median((s) => s.firstChartMs), p95: pct(samples.map((s) => s.firstChartMs), 95) },
      fcp: { p50: median((s) => s.fcpMs), p95: pct(samples.map((s) => s.fcpMs), 95) },
      jsBytes: median((s) => s.jsBytes),
      jsRawBytes: median((s) => s.jsRawBytes),
      totalBytes: median((s) => s.totalBytes),
    },
  };
}
