// A process serving the real route handlers of the public API and the operator
// backup route over HTTP, on DATA_DIR, for the backup tests: it owns the
// embedded store as the server does, and is stopped and started on restored
// data. Run with scripts/run-ts.mjs; prints "READY <port>".
import http from "node:http";
import { Readable } from "node:stream";
import * as backup from "@/app/api/operator/backup/route";
import * as dashboard from "@/app/v1/dashboards/[id]/route";
import * as publish from "@/app/v1/dashboards/[id]/publish/route";
import * as versions from "@/app/v1/dashboards/[id]/versions/route";
import * as dashboards from "@/app/v1/dashboards/route";
import * as session from "@/app/v1/embed-sessions/[id]/route";
import * as sessions from "@/app/v1/embed-sessions/route";
import * as events from "@/app/v1/events/route";
import * as me from "@/app/v1/me/route";
import * as preview from "@/app/v1/query/preview/route";
import * as tenantData from "@/app/v1/tenants/[tenant_id]/data/route";
import * as userData from "@/app/v1/tenants/[tenant_id]/users/[user_id]/data/route";
import { getAnalytics } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { ensureDemoDashboard } from "@/lib/dashboards/demo-dashboard";

type Handler = (req: Request, route: { params: Promise<Record<string, string>> }) => Promise<Response>;
const ROUTES: [RegExp, string[], Record<string, unknown>][] = [
  [/^\/api\/operator\/backup$/, [], backup],
  [/^\/v1\/events$/, [], events],
  [/^\/v1\/me$/, [], me],
  [/^\/v1\/query\/preview$/, [], preview],
  [/^\/v1\/dashboards$/, [], dashboards],
  [/^\/v1\/dashboards\/([^/]+)$/, ["id"], dashboard],
  [/^\/v1\/dashboards\/([^/]+)\/publish$/, ["id"], publish],
  [/^\/v1\/dashboards\/([^/]+)\/versions$/, ["id"], versions],
  [/^\/v1\/embed-sessions$/, [], sessions],
  [/^\/v1\/embed-sessions\/([^/]+)$/, ["id"], session],
  [/^\/v1\/tenants\/([^/]+)\/data$/, ["tenant_id"], tenantData],
  [/^\/v1\/tenants\/([^/]+)\/users\/([^/]+)\/data$/, ["tenant_id", "user_id"], userData],
];

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  for (const [pattern, names, module] of ROUTES) {
    const match = url.pathname.match(pattern);
    const handler = match && (module[req.method ?? "GET"] as Handler | undefined);
    if (!match || !handler) continue;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined, duplex: "half" } as RequestInit);
    const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1])]));
    const response = await handler(request, { params: Promise.resolve(params) });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
    return;
  }
  res.writeHead(404).end();
});

// As a start does: the analytics schema, and the demo dashboard on an empty install.
void ensureAnalyticsSchema(getAnalytics()).then(async () => {
  await ensureDemoDashboard();
  server.listen(0, "127.0.0.1", () => console.log(`READY ${(server.address() as { port: number }).port}`));
});
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
