import { z } from "zod";

// One error type for the whole app; codes map to HTTP statuses in one place.

export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  missing_api_key: 401,
  invalid_api_key: 401,
  revoked_api_key: 401,
  api_key_expired: 401,
  unauthenticated: 401,
  invalid_token: 401,
  session_expired: 401,
  session_revoked: 401,
  session_spent: 401,
  insufficient_scope: 403,
  tenant_forbidden: 403,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  not_published: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  query_failed: 422,
  query_too_large: 422,
  too_many_requests: 429,
  internal: 500,
  store_unavailable: 503,
  // Answered by scripts/server/graceful.mjs while the server stops.
  shutting_down: 503,
  query_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Seconds a client should wait before retrying, sent as Retry-After with these codes. */
const RETRY_AFTER: Partial<Record<ErrorCode, number>> = { store_unavailable: 30, shutting_down: 5 };

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** Turns a zod error into a 400 whose message names each bad field. */
export function validationError(error: z.ZodError, what = "request body"): AppError {
  const problems = error.issues.map((i) => `${i.path.length ? i.path.join(".") : what}: ${i.message}`);
  return new AppError("validation_failed", `Invalid ${what}: ${problems.join("; ")}`, { issues: problems });
}

export type ErrorBody = { error: { code: ErrorCode; message: string; request_id?: string; details?: unknown } };

/**
 * The only way errors leave the server as JSON. Unknown errors become a generic
 * 500 with a request id; their detail goes to the server log, never to the caller.
 */
export function errorResponse(err: unknown, requestId: string): Response {
  if (err instanceof AppError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message, request_id: requestId } };
    if (err.details !== undefined) body.error.details = err.details;
    const retryAfter = RETRY_AFTER[err.code];
    return Response.json(body, { status: err.status, headers: { "Cache-Control": "no-store", ...(retryAfter ? { "Retry-After": String(retryAfter) } : {}) } });
  }
  console.error(`[${requestId}] unhandled error`, err);
  const body: ErrorBody = {
    error: { code: "internal", message: "Something went wrong on our side. Quote the request id if you contact support.", request_id: requestId },
  };
  return Response.json(body, { status: 500, headers: { "Cache-Control": "no-store" } });
}
