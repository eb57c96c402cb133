// A process serving some of the app's real route handlers over HTTP behind the
// production server's drain (scripts/server/graceful.mjs), for the fault tests
// (lib/testing/crash-harness.ts starts it): it can be killed with SIGKILL,
// stopped with SIGTERM or started under a file size limit, and started again on
// the same data directory. Prints "READY <port>".
//   CHILD_ANALYTICS=0  does not open the analytics engine at start (publish tests)
import http from "node:http";
import { Readable } from "node:stream";
import { GET as health } from "@/app/api/health/route";
import { POST as publish } from "@/app/v1/dashboards/[id]/publish/route";
import { POST as ingest } from "@/app/v1/events/route";
import { getAnalytics } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { reconcileRollups } from "@/lib/rollups/build";
import { closeStores } from "@/lib/shutdown";
import { installGracefulShutdown, parseDrainSeconds } from "@/scripts/server/graceful.mjs";

type Handler = (req: Request, params: Record<string, string>) => Promise<Response>;
const routes: { method: string; path: RegExp; handler: Handler }[] = [
  { method: "POST", path: /^\/v1\/events$/, handler: (req) => ingest(req, { params: Promise.resolve({}) }) },
  { method: "GET", path: /^\/api\/health$/, handler: () => health() },
  { method: "POST", path: /^\/v1\/dashboards\/([^/]+)\/publish$/, handler: (req, { id }) => publish(req, { params: Promise.resolve({ id }) }) },
];

async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const route = routes.find((r) => r.method === req.method && r.path.test(url.pathname));
  if (!route) {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "not_found", message: `${req.method} ${url.pathname} is not served here` } }));
    return;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : (Readable.toWeb(req) as ReadableStream);
  const request = new Request(url, { method: req.method, headers, body, duplex: "half" } as RequestInit);
  const id = route.path.exec(url.pathname)?.[1];
  const response = await route.handler(request, id ? { id: decodeURIComponent(id) } : {});
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

const server = http.createServer((req, res) => {
  if (!shutdown.admit(req, res)) return;
  serve(req, res).catch((err) => {
    console.error("request failed", err);
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
    res.end();
  });
});
const shutdown = installGracefulShutdown(server, { drainMs: parseDrainSeconds(process.env.SHUTDOWN_DRAIN_SECONDS), closeStores });

async function start() {
  if (process.env.CHILD_ANALYTICS !== "0") {
    // As `npm start` does before serving, and as the server does at start: the live versions' rollups.
    await ensureAnalyticsSchema(getAnalytics());
    await reconcileRollups();
  }
  server.listen(0, "127.0.0.1", () => console.log(`READY ${(server.address() as { port: number }).port}`));
}
void start();
