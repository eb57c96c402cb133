// The browser policy of every response, in one place: the Content-Security-Policy
// of HTML pages (admin and login pages through proxy.ts, the embed page through
// lib/embed/embed-response.ts, the server's own error pages through
// preflight.mjs) and Strict-Transport-Security when the app is served over https
// (scripts/server.mjs sets it on every response). Plain JavaScript, so the
// server script can use it without a build.

/** Two years, subdomains included: what browsers' preload lists ask for. */
export const HSTS_VALUE = "max-age=63072000; includeSubDomains";

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;
const NONCE = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;

/**
 * The page policy. Scripts run only from this origin or inline with the
 * response's nonce (none at all without one); no inline event handlers, no
 * plugins, no <base>, and nothing fetched from another origin. Styles may be
 * inline: React writes style attributes.
 * @param {{
 *   nonce?: string,
 *   frameAncestors: string[] | "self" | "none",
 *   formAction?: "self" | "none",
 *   dev?: boolean,
 * }} options `frameAncestors`: the signed origins of an embed (only exact
 *   scheme://host[:port] entries are kept; none left means 'none'), 'self' or 'none'.
 *   `dev`: `next dev` evaluates strings for its error overlay; never in production.
 * @returns {string}
 */
export function contentSecurityPolicy({ nonce, frameAncestors, formAction = "self", dev = false }) {
  if (nonce !== undefined && !NONCE.test(nonce)) throw new Error("contentSecurityPolicy: a nonce is 16+ base64 characters");
  const ancestors = Array.isArray(frameAncestors) ? frameAncestors.filter((o) => ORIGIN.test(o)).join(" ") || "'none'" : `'${frameAncestors}'`;
  const scripts = nonce ? `'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ""}` : "'none'";
  return [
    "default-src 'self'",
    `script-src ${scripts}`,
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `form-action '${formAction}'`,
    `frame-ancestors ${ancestors}`,
  ].join("; ");
}

/**
 * Strict-Transport-Security for an app served at `appUrl`: only when it is
 * https (a browser ignores it over http, and sending it from a plain-http
 * deployment would pin a host to https it does not serve).
 * @param {string | undefined} appUrl
 * @returns {string | undefined}
 */
export function strictTransportSecurity(appUrl) {
  return /^https:\/\//i.test((appUrl ?? "").trim()) ? HSTS_VALUE : undefined;
}

/** A fresh nonce for one response's scripts: 128 random bits, base64. */
export function newNonce() {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
