import { RETRY_DEFAULTS, withRetries, type RetryOptions } from "./retry.js";
import type { RequestOptions, Transport } from "./transport.js";

/**
 * What the resources call: reads (GET) are retried on failures that may pass
 * (no answer, 429, 5xx); writes are sent once, since a second POST could act twice.
 */
export class Api {
  private readonly retry: Required<RetryOptions>;

  constructor(
    readonly transport: Transport,
    retry: RetryOptions = {},
  ) {
    this.retry = { ...RETRY_DEFAULTS, maxRetries: 2, ...retry };
  }

  call<T>(req: RequestOptions): Promise<T> {
    return req.method === "GET" ? withRetries(() => this.transport.request<T>(req), this.retry) : this.transport.request<T>(req);
  }
}

/** A path segment from a caller's id; "." and ".." are refused (a URL would resolve them to another route). */
export const segment = (id: string) => {
  if (id === "." || id === ".." || id === "") throw new TypeError(`${JSON.stringify(id)} is not an id: ids are never empty, "." or "..".`);
  return encodeURIComponent(id);
};
