import type { EnclaveError } from "./errors.js";

// Exponential backoff with jitter, honouring the server's Retry-After.

export type RetryOptions = {
  /** Retries after the first attempt (default 8). */
  maxRetries?: number;
  /** The first retry waits about this long; each later one twice as long (default 250). */
  baseDelayMs?: number;
  /** No computed wait is longer (default 30 000); a longer Retry-After is still honoured. */
  maxDelayMs?: number;
};

export const RETRY_DEFAULTS: Required<RetryOptions> = { maxRetries: 8, baseDelayMs: 250, maxDelayMs: 30_000 };

/**
 * How long to wait before retry number `attempt` (0 = the first retry): half
 * of the exponential step fixed and half random, so clients that failed
 * together do not retry together; never less than the server's Retry-After.
 */
export function backoffDelay(attempt: number, options: Required<RetryOptions>, retryAfterMs?: number): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  const delay = step / 2 + Math.random() * (step / 2);
  return Math.max(delay, retryAfterMs ?? 0);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `attempt` until it succeeds, fails with an error that is not retryable, or runs out of retries. */
export async function withRetries<T>(attempt: () => Promise<T>, options: Required<RetryOptions>, onRetry?: (error: EnclaveError, attempt: number) => void): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const error = err as EnclaveError;
      if (!error?.retryable || n >= options.maxRetries) throw err;
      onRetry?.(error, n);
      await sleep(backoffDelay(n, options, error.retryAfterMs));
    }
  }
}
