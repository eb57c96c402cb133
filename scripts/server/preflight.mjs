// Checks every request before Next sees it, for what Next itself answers with
// a 500: methods its Request cannot represent (TRACE, TRACK, CONNECT) and paths
// whose %-escapes do not decode; and refuses headers sent twice that must come once. It also sets the client address header from
// the socket (see client-address.mjs), replacing anything the client sent.
import { clientAddress } from "./client-address.mjs";
import { contentSecurityPolicy } from "./security-headers.mjs";

/** Set by the server on every request; a value sent by a client is replaced. */
export const CLIENT_ADDRESS_HEADER = "x-enclave-client-ip";
/** Methods the app serves; anything else gets 405 before Next sees it. */
export const ALLOWED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

const SECURITY_HEADERS = {
  "cache-control": "no-store",
  // The error page runs no script at all.
  "content-security-policy": contentSecurityPolicy({ frameAncestors: "none" }),
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/**
 * The project's JSON error body on /v1 and /api; a plain page elsewhere.
 * @param {string} pathname @param {number} status @param {string} code @param {string} message
 * @param {Record<string, string>} [extraHeaders]
 * @returns {{ status: number, headers: Record<string, string>, body: string }}
 */
export function errorResponse(pathname, status, code, message, extraHeaders = {}) {
  const api = pathname === "/v1" || pathname.startsWith("/v1/") || pathname === "/api" || pathname.startsWith("/api/");
  const body = api
    ? JSON.stringify({ error: { code, message } })
    : `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status} · Enclave</title></head>` +
      `<body style="font:15px system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#333">` +
      `<h1 style="font-size:1.25rem">${escapeHtml(message)}</h1><p><a href="/">Go to the start page</a></p></body></html>`;
  return {
    status,
    headers: { ...SECURITY_HEADERS, "content-type": api ? "application/json" : "text/html; charset=utf-8", ...extraHeaders },
    body,
  };
}

/** Each segment of the path must decode: Next decodes dynamic segments and fails with a 500 when one does not. */
function badEscape(pathname) {
  for (const segment of pathname.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      return true;
    }
  }
  return false;
}

/**
 * Headers a request may carry once. A second copy is ambiguous: Node keeps the
 * first Authorization, Content-Type or Host and joins repeated Cookie and
 * Idempotency-Key lines, while a proxy in front may have read the other one.
 */
export const SINGLE_HEADERS = ["authorization", "cookie", "content-type", "content-encoding", "host", "idempotency-key"];

/** The first header of SINGLE_HEADERS sent more than once, from the raw [name, value, …] list. */
function repeatedHeader(rawHeaders) {
  const seen = new Set();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = String(rawHeaders[i]).toLowerCase();
    if (!SINGLE_HEADERS.includes(name)) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

/**
 * Returns a response to send instead of calling Next, or undefined to go on.
 * Rewrites the client address headers on `req` in place.
 * @param {import("node:http").IncomingMessage} req
 * @param {ReturnType<import("./client-address.mjs").parseTrustProxy>} trust
 */
export function preflight(req, trust) {
  const address = clientAddress(req.socket?.remoteAddress, req.headers["x-forwarded-for"], trust);
  req.headers[CLIENT_ADDRESS_HEADER] = address;
  // Whatever reads X-Forwarded-For downstream sees the address we trust, not the client's claim.
  req.headers["x-forwarded-for"] = address;

  const rawPath = (req.url ?? "/").split("?")[0];
  if (!ALLOWED_METHODS.includes(req.method ?? "")) {
    return errorResponse(rawPath, 405, "method_not_allowed", `The method ${String(req.method).slice(0, 20)} is not allowed. Use one of ${ALLOWED_METHODS.join(", ")}.`, { allow: ALLOWED_METHODS.join(", ") });
  }
  if (badEscape(rawPath)) {
    return errorResponse(rawPath, 400, "bad_request", "The address contains a malformed %-escape. Encode each special character as % followed by two hex digits of its UTF-8 bytes.");
  }
  const repeated = repeatedHeader(req.rawHeaders ?? []);
  if (repeated) {
    return errorResponse(rawPath, 400, "bad_request", `The request has more than one ${repeated} header. Send it once.`);
  }
  return undefined;
}
