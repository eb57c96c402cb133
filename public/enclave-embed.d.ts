// Types for enclave-embed.js (window.Enclave).

/** The JSON your backend gets from POST /v1/embed-sessions. */
export interface EnclaveSession {
  embed_url: string;
  token?: string;
  session_id?: string;
  expires_at?: string;
  locale?: string;
}

/** What the runtime asks fetchToken for: mint the session with this locale (undefined: your default). */
export interface EnclaveTokenRequest {
  locale?: string;
}

export interface EnclaveTheme {
  mode?: "light" | "dark";
  /** A hex colour such as "#4f46e5". */
  brand?: string;
}

export type EnclaveEvent =
  | { type: "ready" }
  | { type: "resize"; height: number }
  | { type: "filter-change"; filters: unknown }
  /** A viewer clicked a bar, slice, point or row: the dashboard is now filtered by its value (field/value) or its period. */
  | { type: "drill"; widget_id: string; field?: string; value?: string; period?: { kind: "absolute"; from: string; to: string }; filters: unknown }
  | { type: "expired"; code: string }
  /** code: fetch_token_failed (will retry), renewal_failed (gave up; call refresh()), or the embed's own error code. */
  | { type: "error"; code: string; message?: string }
  | { type: "session"; session_id?: string; expires_at?: string };

export interface EnclaveMountOptions {
  /** A ready embed_url; or use fetchToken so sessions renew themselves. */
  url?: string;
  /**
   * Called at mount, before expiry and on `expired`; returns your backend's POST /v1/embed-sessions JSON.
   * Failures are retried after 2, 4, 8, 16 s; after five in a row the runtime emits `renewal_failed` and stops until refresh().
   */
  fetchToken?: (request: EnclaveTokenRequest) => Promise<EnclaveSession>;
  /** The locale fetchToken is asked to mint sessions in (BCP 47, e.g. "de"); setLocale changes it. */
  locale?: string;
  theme?: EnclaveTheme;
  onEvent?: (event: EnclaveEvent) => void;
  /**
   * Seconds before the session ends to fetch a new one (default 60), but never in the first 3/4 of its
   * lifetime (exp - iat; the browser's clock is not used). 0: renew only when the embed reports `expired`.
   */
  refreshBeforeSeconds?: number;
  /** Follow the dashboard's height (default true). */
  autoHeight?: boolean;
  minHeight?: number;
  title?: string;
}

export interface EnclaveInstance {
  iframe: HTMLIFrameElement;
  /** Swap to another session without reloading the host page. */
  setEmbedUrl(url: string): void;
  setTheme(theme: EnclaveTheme): void;
  /** Fetch a new session now (needs fetchToken); starts over after `renewal_failed`. */
  refresh(): Promise<void>;
  /**
   * Show the dashboard in another locale: the locale is a claim of the session, so this fetches a new
   * session through fetchToken({ locale }) and swaps to it (filters carry over). Needs fetchToken.
   */
  setLocale(locale: string): Promise<void>;
  destroy(): void;
}

export interface EnclaveGlobal {
  mount(container: HTMLElement, options: EnclaveMountOptions): EnclaveInstance;
  version: string;
}

declare global {
  interface Window {
    Enclave?: EnclaveGlobal;
  }
}
