#!/usr/bin/env node
// The production HTTP server (npm start runs it after building): Next's own
// request handler behind a preflight that answers what Next would turn into a
// 500 (TRACE, malformed %-escapes), refuses repeated single headers, and sets
// the client address from the socket or a trusted proxy (TRUST_PROXY), never
// from a header a client sent. API answers Next makes by itself get the JSON
// error body (scripts/server/api-errors.mjs).
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { parseTrustProxy } from "./server/client-address.mjs";
import { installGracefulShutdown, parseDrainSeconds } from "./server/graceful.mjs";
import { isApiPath, jsonErrorsOnApi } from "./server/api-errors.mjs";
import { errorResponse, preflight } from "./server/preflight.mjs";
import { strictTransportSecurity } from "./server/security-headers.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOSTNAME || undefined;

let trust;
let drainMs;
try {
  trust = parseTrustProxy(process.env.TRUST_PROXY);
  drainMs = parseDrainSeconds(process.env.SHUTDOWN_DRAIN_SECONDS);
} catch (err) {
  console.error(`Invalid configuration:\n  - ${err.message}\nFix this environment variable and start again.`);
  process.exit(1);
}

// The embed page, the busiest request, is served by the project's own code without
// Next's request pipeline (build/embed-direct.mjs, built by scripts/build-embed.mjs).
// Without the bundle, Next's route handler serves it the same way.
const EMBED_PAGE = /^\/embed\/[^/?]+(?:\?.*)?$/;
let direct;
try {
  direct = await import(path.join(root, "build/embed-direct.mjs"));
} catch (err) {
  console.warn(`embed pages go through Next (no direct path: ${err instanceof Error ? err.message.split("\n")[0] : err})`);
}

// Served over https (APP_URL, as lib/env.ts reads it): every response tells the browser to stay on https.
const hsts = strictTransportSecurity(process.env.APP_URL?.trim() || process.env.NEXTAUTH_URL);

const started = Date.now();
const app = next({ dev: false, dir: root, port, hostname: hostname ?? "localhost" });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  if (hsts) res.setHeader("strict-transport-security", hsts);
  if (!shutdown.admit(req, res)) return;
  const refusal = preflight(req, trust);
  if (refusal) {
    res.writeHead(refusal.status, refusal.headers);
    res.end(req.method === "HEAD" ? undefined : refusal.body);
    return;
  }
  if (direct && (req.method === "GET" || req.method === "HEAD") && EMBED_PAGE.test(req.url ?? "")) {
    direct.serveEmbedPage(req, res).catch((err) => {
      console.error("embed page failed", err instanceof Error ? err.message : String(err));
      if (res.headersSent) return res.destroy();
      const failed = errorResponse("/embed", 500, "internal_error", "Something went wrong on our side. Try again in a moment.");
      res.writeHead(failed.status, failed.headers);
      res.end(req.method === "HEAD" ? undefined : failed.body);
    });
    return;
  }
  // What Next answers by itself on the API (405 for an unexported method, its 404 page) gets the JSON error body too.
  if (isApiPath((req.url ?? "/").split("?")[0])) jsonErrorsOnApi(req, res);
  handle(req, res).catch((err) => {
    console.error("request failed", err instanceof Error ? err.message : String(err));
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end();
  });
});
// SIGTERM/SIGINT drain the requests in flight, then close the analytics engine and
// the metadata client (instrumentation.ts hands this process their closer).
const shutdown = installGracefulShutdown(server, {
  drainMs,
  closeStores: async () => {
    if (typeof globalThis.enclaveCloseStores !== "function") throw new Error("the app did not hand over its store closer (instrumentation.ts)");
    await globalThis.enclaveCloseStores();
  },
});
// Requests Node's HTTP parser rejects (unknown methods such as TRACK, broken
// framing) never reach the handler: answer them with the JSON error body.
server.on("clientError", (err, socket) => {
  if (!socket.writable || err.code === "ECONNRESET") return socket.destroy();
  const body = JSON.stringify({ error: { code: "bad_request", message: "The request could not be parsed as HTTP/1.1: check the method, headers and framing." } });
  socket.end(`HTTP/1.1 400 Bad Request\r\n${hsts ? `Strict-Transport-Security: ${hsts}\r\n` : ""}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
});
// Longer than a typical load balancer's idle timeout, so it closes first.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(port, hostname, () => {
  console.log(`✓ Ready in ${Date.now() - started}ms on port ${port}${trust.kind === "none" ? "" : ` (trusting proxies: ${process.env.TRUST_PROXY})`}`);
});

