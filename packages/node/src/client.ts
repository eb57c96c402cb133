import { Api } from "./api.js";
import { Dashboards } from "./dashboards.js";
import { EmbedSessions } from "./embed-sessions.js";
import { Events, type EventsOptions, type FlushResult } from "./events.js";
import type { RetryOptions } from "./retry.js";
import { Tenants } from "./tenants.js";
import { Transport, type FetchLike } from "./transport.js";
import type { KeyInfo } from "./types.js";

export type EnclaveOptions = {
  /** Where Enclave runs, e.g. https://analytics.example.com */
  baseUrl: string;
  /** An API key (enc_…); keep it on your server. */
  apiKey: string;
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** Per request, including reading the answer (default 30 000). */
  timeoutMs?: number;
  /** Retries of reads (GET); default 2. Writes other than event batches are sent once. */
  retry?: RetryOptions;
  /** The event batcher's limits, retries and callbacks. */
  events?: EventsOptions;
};

export class Enclave {
  readonly embedSessions: EmbedSessions;
  readonly tenants: Tenants;
  readonly dashboards: Dashboards;
  readonly events: Events;
  private readonly api: Api;

  constructor(options: EnclaveOptions) {
    if (!/^https?:\/\//.test(options?.baseUrl ?? "")) throw new TypeError(`baseUrl must be an http(s) URL, e.g. "https://analytics.example.com"; got ${JSON.stringify(options?.baseUrl)}.`);
    if (!options.apiKey) throw new TypeError("apiKey is required: create one under Admin → API keys, or with `npm run enclave -- keys create`.");
    const transport = new Transport({ baseUrl: options.baseUrl, apiKey: options.apiKey, fetch: options.fetch ?? ((url, init) => fetch(url, init)), timeoutMs: options.timeoutMs ?? 30_000 });
    this.api = new Api(transport, options.retry);
    this.embedSessions = new EmbedSessions(this.api);
    this.tenants = new Tenants(this.api);
    this.dashboards = new Dashboards(this.api);
    this.events = new Events(transport, options.events);
  }

  /** Which key this client uses, its scopes and tenant restriction. */
  me(): Promise<KeyInfo> {
    return this.api.call({ method: "GET", path: "/v1/me" });
  }

  /** Sends every tracked event and waits for the answers; see `events.shutdown()`. */
  shutdown(): Promise<FlushResult> {
    return this.events.shutdown();
  }
}
