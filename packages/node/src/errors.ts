import type { ApiErrorCode } from "./types.js";

// Every failure the SDK reports is an EnclaveError: its `code` is the API's
// error code (`{ error: { code } }`) or one of the client's own, and its class
// says what kind of failure it is, so callers can `instanceof` or switch on code.

/** Failures with no answer from the server, or before a request is sent. */
export type ClientErrorCode = "connection_failed" | "timeout" | "invalid_response" | "client_closed" | "queue_full";
export type ErrorCode = ApiErrorCode | ClientErrorCode;

export type EnclaveErrorInit = {
  code: ErrorCode;
  message: string;
  /** The HTTP status; 0 when no answer arrived. */
  status: number;
  requestId?: string;
  details?: unknown;
  /** From the answer's Retry-After header. */
  retryAfterMs?: number;
  cause?: unknown;
};

export class EnclaveError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly requestId?: string;
  readonly details?: unknown;
  readonly retryAfterMs?: number;

  constructor(init: EnclaveErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.details = init.details;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** Whether sending the same request again may succeed: no answer, 408, 429 or a 5xx. */
  get retryable(): boolean {
    return this.status === 0 ? this.code === "connection_failed" || this.code === "timeout" : this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** 400: the request is malformed; `message` names each bad field. */
export class InvalidRequestError extends EnclaveError {}
/** 401: the API key is missing, unknown, revoked or expired. */
export class AuthenticationError extends EnclaveError {}
/** 403: the key lacks the scope (`insufficient_scope`) or is restricted to another tenant (`tenant_forbidden`). */
export class PermissionDeniedError extends EnclaveError {}
/** 404 */
export class NotFoundError extends EnclaveError {}
/** 409: a stale draft_version, an unpublished dashboard, or an Idempotency-Key reused with another body. */
export class ConflictError extends EnclaveError {}
/** 413: the body is larger than the server accepts. */
export class PayloadTooLargeError extends EnclaveError {}
/** 429 */
export class RateLimitError extends EnclaveError {}
/** 503: the store cannot write or the server is stopping; nothing was stored. Retry after `retryAfterMs`. */
export class UnavailableError extends EnclaveError {}
/** Any other 5xx. */
export class ServerError extends EnclaveError {}
/** No answer: the connection failed or the request timed out (`timeoutMs`). */
export class ConnectionError extends EnclaveError {}

const BY_STATUS: Record<number, typeof EnclaveError> = {
  400: InvalidRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  429: RateLimitError,
  503: UnavailableError,
};

/** The typed error for an answer with this status. */
export function errorForStatus(init: EnclaveErrorInit): EnclaveError {
  const ErrorClass = BY_STATUS[init.status] ?? (init.status === 0 ? ConnectionError : init.status >= 500 ? ServerError : EnclaveError);
  return new ErrorClass(init);
}
