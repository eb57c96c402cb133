// A process serving the real POST /v1/events handler over HTTP, for the crash
// test: it can be killed with SIGKILL mid-batch and started again on the same
// data directory. Run with scripts/run-ts.mjs; prints "READY <port>".
import http from "node:http";
import { Readable } from "node:stream";
import { POST } from "@/app/v1/events/route";
import { getAnalytics } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { reconcileRollups } from "@/lib/rollups/build";


const server = http.createServer(async (req, res) => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: Readable.toWeb(req) as ReadableStream, duplex: "half" } as RequestInit);
  const response = await POST(request, { params: Promise.resolve({}) });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
});
// As `npm start` does before serving, and as the server does at start: the live versions' rollups.
void ensureAnalyticsSchema(getAnalytics()).then(async () => {
  await reconcileRollups();
  server.listen(0, "127.0.0.1", () => console.log(`READY ${(server.address() as { port: number }).port}`));
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
