import "server-only";
import fs from "node:fs";
import path from "node:path";
import { dashboardDocument, refusalDocument } from "@/components/dashboard/page/document";
import { embedCss } from "@/components/dashboard/page/embed-css";
import type { PageModel } from "@/lib/dashboards/page-model";
import type { Outcome } from "@/components/dashboard/page/widget-card";
import { contentSecurityPolicy, newNonce } from "@/scripts/server/security-headers.mjs";

// The HTTP side of a dashboard page: headers from the signed origins, a nonce
// for its scripts, and the streamed document.

/** The page's headers; `frameAncestors` is the signed origins (embed) or 'self' (admin preview). */
export function pageHeaders(frameAncestors: string[] | "self", nonce: string): Headers {
  return new Headers({
    "Content-Type": "text/html; charset=utf-8",
    // No form on the page submits anywhere: its controls are handled by its script.
    "Content-Security-Policy": contentSecurityPolicy({ nonce, frameAncestors, formAction: "none" }),
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
}

let scriptUrl: string | undefined;

/** The page script's URL, versioned by the content hash the build wrote. */
export function clientScriptUrl(): string {
  if (!scriptUrl) {
    const manifest = path.join(/* turbopackIgnore: true */ process.cwd(), "public/embed-client/manifest.json");
    if (!fs.existsSync(manifest)) throw new Error("public/embed-client/manifest.json is missing: run `node scripts/build-embed.mjs` (npm start and npm run build do).");
    const { file, hash } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { file: string; hash: string };
    scriptUrl = `/embed-client/${file}?v=${hash}`;
  }
  return scriptUrl;
}

export { newNonce };

const FIRST_FLUSH_MS = 250;

/** A page, whatever serves it: the Next route handler (toResponse) or the production server directly. */
export type PageResult = { status: number; headers: Headers; html: string } | { status: number; headers: Headers; stream: AsyncGenerator<string> };

/**
 * The page: one body when every widget is ready within the first flush (a
 * cached or fast dashboard), else streamed, so a slow widget never holds back
 * the others.
 */
export async function dashboardPage(model: PageModel, results: Map<string, Promise<Outcome>>, options: { frameAncestors: string[] | "self"; status?: number }): Promise<PageResult> {
  const nonce = newNonce();
  const headers = pageHeaders(options.frameAncestors, nonce);
  const status = options.status ?? 200;
  let timer: NodeJS.Timeout | undefined;
  const allReady = await Promise.race([
    Promise.all(results.values()).then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), FIRST_FLUSH_MS))),
  ]);
  clearTimeout(timer);
  // Waited already: a streamed document sends its shell (with the cards ready by now) at once.
  const chunks = dashboardDocument(model, results, { nonce, script: clientScriptUrl(), css: embedCss(), firstFlushMs: allReady ? FIRST_FLUSH_MS : 0 });
  if (!allReady) return { status, headers, stream: chunks };
  let html = "";
  for await (const chunk of chunks) html += chunk;
  return { status, headers, html };
}

export function refusalPage(refusal: { code: string; message: string; origins: string[]; status: number }): PageResult {
  const nonce = newNonce();
  return { status: refusal.status, headers: pageHeaders(refusal.origins, nonce), html: refusalDocument(refusal, { nonce, css: embedCss() }) };
}

/** As a web Response (the route handler's way). */
export function toResponse(page: PageResult): Response {
  if ("html" in page) return new Response(page.html, { status: page.status, headers: page.headers });
  const encoder = new TextEncoder();
  const chunks = page.stream;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(body, { status: page.status, headers: page.headers });
}
