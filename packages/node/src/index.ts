export { Enclave, type EnclaveOptions } from "./client.js";
export type { EventsOptions, FlushResult } from "./events.js";
export type { TrackedEvent, RejectedEvent, FailedBatch } from "./send-batch.js";
export type { RetryOptions } from "./retry.js";
export type { FetchLike } from "./transport.js";
export {
  EnclaveError,
  InvalidRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  PayloadTooLargeError,
  RateLimitError,
  UnavailableError,
  ServerError,
  ConnectionError,
  type ErrorCode,
  type ClientErrorCode,
} from "./errors.js";
export type * from "./types.js";
export type { paths, components, operations } from "./generated/openapi.js";
