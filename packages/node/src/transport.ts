import { EnclaveError, errorForStatus } from "./errors.js";
import type { ApiErrorBody, ApiErrorCode } from "./types.js";

// One HTTP exchange with the API: adds the key, applies the timeout, and turns
// every answer other than 2xx (and every failure to get one) into a typed error.

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export type TransportOptions = { baseUrl: string; apiKey: string; fetch: FetchLike; timeoutMs: number };

export type RequestOptions = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (with `headers` saying what it is). */
  body?: Uint8Array;
  headers?: Record<string, string>;
};

export class Transport {
  // The key is held in a private field (#), so util.inspect / console.log of a client never prints it.
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
  }

  async request<T>(req: RequestOptions): Promise<T> {
    const url = new URL(this.#options.baseUrl.replace(/\/+$/, "") + req.path);
    for (const [name, value] of Object.entries(req.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { accept: "application/json", authorization: `Bearer ${this.#options.apiKey}`, ...req.headers };
    let body = req.body as RequestInit["body"];
    if (req.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(req.json);
    }
    const what = `${req.method} ${req.path}`;
    let response: Response;
    let text: string;
    try {
      // The timeout covers reading the answer too.
      response = await this.#options.fetch(url.toString(), { method: req.method, headers, body, redirect: "error", signal: AbortSignal.timeout(this.#options.timeoutMs) });
      text = await response.text();
    } catch (err) {
      const timedOut = (err as Error)?.name === "TimeoutError";
      return Promise.reject(
        errorForStatus({
          code: timedOut ? "timeout" : "connection_failed",
          status: 0,
          message: timedOut ? `${what} got no answer within ${this.#options.timeoutMs} ms.` : `${what} failed before an answer arrived: ${describe(err)}.`,
          cause: err,
        }),
      );
    }
    if (response.ok) return parseJson<T>(text, what, response.status);
    throw errorFromAnswer(response, text, what);
  }
}

/** fetch's own message is "fetch failed"; the cause says why (ECONNREFUSED, …). */
function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return [(err as Error)?.message ?? String(err), cause?.code ?? cause?.message].filter(Boolean).join(": ");
}

function parseJson<T>(text: string, what: string, status: number): T {
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new EnclaveError({ code: "invalid_response", status, message: `${what} answered ${status} with a body that is not JSON.`, cause });
  }
}

const CODE_BY_STATUS: Record<number, ApiErrorCode> = { 400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 429: "too_many_requests", 503: "store_unavailable" };

function errorFromAnswer(response: Response, text: string, what: string): EnclaveError {
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
  let error: Partial<ApiErrorBody["error"]> | undefined;
  try {
    error = (JSON.parse(text) as ApiErrorBody).error;
  } catch {
    // Not the API's error shape (a proxy's page, say): the status alone says what happened.
  }
  return errorForStatus({
    code: error?.code ?? CODE_BY_STATUS[response.status] ?? "internal",
    message: error?.message ?? `${what} answered ${response.status} ${response.statusText}.`,
    status: response.status,
    requestId: error?.request_id,
    details: error?.details,
    retryAfterMs,
  });
}

/** Retry-After in seconds or as an HTTP date, in milliseconds. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
