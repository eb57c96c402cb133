// Every 4xx on /v1 and /api carries the project's JSON error body. Our own
// handlers send it; what Next (or next-auth under it) answers by itself does
// not: 405 with an empty body for a method a route does not export, its HTML
// 404 page for an unknown address, next-auth's plain-text 400s. This wraps the
// response of an API request and replaces such an answer, keeping its status
// and its Allow header.
import { errorResponse } from "./preflight.mjs";

const CODES = { 400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 429: "too_many_requests" };

export const isApiPath = (pathname) => pathname === "/v1" || pathname.startsWith("/v1/") || pathname === "/api" || pathname.startsWith("/api/");

/** @param {number} status @param {string | undefined} allow */
function message(status, allow) {
  if (status === 404) return "There is no API operation at this address. The operations are listed in /v1/openapi.json.";
  if (status === 405) return `This address does not take that method.${allow ? ` Use one of: ${allow}.` : ""}`;
  return "The request could not be handled as sent. Check the method, address, headers and body against /v1/openapi.json.";
}

/** @param {Record<string, unknown> | unknown[] | undefined} headers @param {string} name */
function headerArg(headers, name) {
  if (!headers) return undefined;
  if (Array.isArray(headers)) {
    // writeHead also takes a flat [name, value, name, value] list.
    for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    return undefined;
  }
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : String(headers[key]);
}

/**
 * Call before handing an API request to Next.
 * @param {import("node:http").IncomingMessage} req
 * @param {import("node:http").ServerResponse} res
 */
export function jsonErrorsOnApi(req, res) {
  const { writeHead, write, end, flushHeaders } = res;
  let decided = false;
  let replaced = false;

  /** Decides once, when the status is known and nothing was sent; sends the JSON error when the answer is a bare 4xx. */
  const decide = (status, headers) => {
    if (decided) return replaced;
    decided = true;
    const type = headerArg(headers, "content-type") ?? String(res.getHeader("content-type") ?? "");
    if (status < 400 || status >= 500 || /json/i.test(type) || res.headersSent) return false;
    replaced = true;
    const allow = headerArg(headers, "allow") ?? (res.getHeader("allow") === undefined ? undefined : String(res.getHeader("allow")));
    const pathname = (req.url ?? "/").split("?")[0];
    const json = errorResponse(pathname, status, CODES[status] ?? "bad_request", message(status, allow), allow ? { allow } : {});
    for (const name of ["content-length", "content-encoding", "etag", "transfer-encoding"]) res.removeHeader(name);
    writeHead.call(res, status, { ...json.headers, "content-length": Buffer.byteLength(json.body) });
    end.call(res, req.method === "HEAD" ? undefined : json.body);
    return true;
  };

  res.writeHead = function (status, ...rest) {
    const headers = rest.find((a) => a && typeof a === "object");
    if (decide(status, headers)) return res;
    return writeHead.call(res, status, ...rest);
  };
  res.flushHeaders = function () {
    if (decide(res.statusCode)) return;
    return flushHeaders.call(res);
  };
  res.write = function (chunk, ...rest) {
    if (decide(res.statusCode)) {
      const callback = rest.find((a) => typeof a === "function");
      if (callback) process.nextTick(callback);
      return true;
    }
    return write.call(res, chunk, ...rest);
  };
  res.end = function (...args) {
    if (decide(res.statusCode)) {
      const callback = args.find((a) => typeof a === "function");
      if (callback) process.nextTick(callback);
      return res;
    }
    return end.call(res, ...args);
  };
}
