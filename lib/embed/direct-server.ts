import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import zlib from "node:zlib";
import { embedPage, embedPageHead } from "@/lib/embed/embed-page";

// The embed page served by the production server itself (scripts/server.mjs
// loads this module, bundled by scripts/build-embed.mjs), without Next's
// request pipeline: the page is every customer's first request and the
// busiest one. The same function renders it as the Next route does; this only
// writes it to the socket, compressed when the browser accepts it.

const GZIP = { level: 4 };

/** Failures are answered by the caller (scripts/server.mjs), with the server's error page. */
export async function serveEmbedPage(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = (req.url ?? "").split("?")[0].slice("/embed/".length);
  if (req.method === "HEAD") {
    const { status, headers } = await embedPageHead(raw);
    res.writeHead(status, { ...Object.fromEntries(headers), vary: "Accept-Encoding" });
    res.end();
    return;
  }
  const page = await embedPage(raw);
  const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  const headers: Record<string, string> = Object.fromEntries(page.headers);
  headers.vary = "Accept-Encoding";
  if (gzip) headers["content-encoding"] = "gzip";
  if ("html" in page) {
    const body = gzip ? zlib.gzipSync(page.html, GZIP) : Buffer.from(page.html);
    res.writeHead(page.status, { ...headers, "content-length": String(body.length) });
    res.end(body);
    return;
  }
  res.writeHead(page.status, headers);
  // Streamed: each chunk is flushed through the compressor so the browser paints it at once.
  // A browser that leaves stops the page: the compressor is dropped (a flush
  // nobody reads would never complete) and the render's remaining work unawaited.
  const out = gzip ? zlib.createGzip(GZIP) : undefined;
  out?.pipe(res);
  let closed = false;
  const gone = new Promise<void>((resolve) =>
    res.on("close", () => {
      closed = true;
      out?.destroy();
      resolve();
    }),
  );
  for await (const chunk of page.stream) {
    if (closed) break;
    if (out) {
      out.write(chunk);
      await Promise.race([new Promise<void>((resolve) => out.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve())), gone]);
    } else res.write(chunk);
  }
  if (closed) return;
  if (out) out.end();
  else res.end();
}
