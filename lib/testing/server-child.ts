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

// The rest of /v1 the Node SDK's tests call (packages/node/test), loaded on first use so the
// fault tests start as fast as before. Path parameters are the regex's named groups.
type RouteModule = Record<string, (req: Request, route: { params: Promise<Record<string, string>> }) => Promise<Response>>;
const lazy = (method: string, path: RegExp, load: () => Promise<RouteModule>) => ({ method, path, handler: async (req: Request, params: Record<string, string>) => (await load())[method](req, { params: Promise.resolve(params) }) });
routes.push(
  lazy("GET", /^\/v1\/me$/, () => import("@/app/v1/me/route")),
  lazy("POST", /^\/v1\/embed-sessions$/, () => import("@/app/v1/embed-sessions/route")),
  ...["GET", "DELETE"].map((m) => lazy(m, /^\/v1\/embed-sessions\/(?<id>[^/]+)$/, () => import("@/app/v1/embed-sessions/[id]/route"))),
  lazy("POST", /^\/v1\/tenants\/(?<tenant_id>[^/]+)\/revoke-sessions$/, () => import("@/app/v1/tenants/[tenant_id]/revoke-sessions/route")),
  lazy("DELETE", /^\/v1\/tenants\/(?<tenant_id>[^/]+)\/data$/, () => import("@/app/v1/tenants/[tenant_id]/data/route")),
  ...["GET", "POST"].map((m) => lazy(m, /^\/v1\/dashboards$/, () => import("@/app/v1/dashboards/route"))),
  lazy("POST", /^\/v1\/dashboards\/import$/, () => import("@/app/v1/dashboards/import/route")),
  ...["GET", "PUT"].map((m) => lazy(m, /^\/v1\/dashboards\/(?<id>[^/]+)$/, () => import("@/app/v1/dashboards/[id]/route"))),
  lazy("GET", /^\/v1\/dashboards\/(?<id>[^/]+)\/versions$/, () => import("@/app/v1/dashboards/[id]/versions/route")),
  lazy("POST", /^\/v1\/dashboards\/(?<id>[^/]+)\/rollback$/, () => import("@/app/v1/dashboards/[id]/rollback/route")),
  lazy("GET", /^\/v1\/dashboards\/(?<id>[^/]+)\/export$/, () => import("@/app/v1/dashboards/[id]/export/route")),
  ...["GET", "PUT"].map((m) => lazy(m, /^\/v1\/dashboards\/(?<id>[^/]+)\/allowed-origins$/, () => import("@/app/v1/dashboards/[id]/allowed-origins/route"))),
  lazy("POST", /^\/v1\/query\/preview$/, () => import("@/app/v1/query/preview/route")),
);
// Bulk import (`npm run enclave -- import`): lib/import/import-crash.test.ts, bench/import.ts.
routes.push(...["GET", "PUT", "POST"].map((m) => lazy(m, /^\/api\/operator\/import$/, () => import("@/app/api/operator/import/route"))));

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
  const match = route.path.exec(url.pathname)!;
  const params = Object.fromEntries(Object.entries(match.groups ?? (match[1] ? { id: match[1] } : {})).map(([name, value]) => [name, decodeURIComponent(value)]));
  const response = await route.handler(request, params);
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
