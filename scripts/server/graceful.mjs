// Stopping the server without losing work. On SIGTERM or SIGINT the listener
// closes (new connections are refused), idle keep-alive connections are
// closed, a request that still arrives on an open connection gets 503 with
// Retry-After, and the requests already in flight — an ingest batch being
// read or inserted — run to their answer. Then the stores are closed and the
// process exits 0. The drain is bounded: what is still running after
// SHUTDOWN_DRAIN_SECONDS is cut off and the process exits 1.
import { errorResponse } from "./preflight.mjs";

export const DEFAULT_DRAIN_SECONDS = 25;
/** Seconds a client refused during a drain should wait: a restart takes about this long. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * SHUTDOWN_DRAIN_SECONDS: how long a stop waits for requests in flight (default 25;
 * below the 30 s most supervisors wait before they send SIGKILL).
 * @param {string | undefined} value
 * @returns {number} milliseconds
 */
export function parseDrainSeconds(value) {
  const text = (value ?? "").trim();
  if (text === "") return DEFAULT_DRAIN_SECONDS * 1000;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 3600) {
    throw new Error(`SHUTDOWN_DRAIN_SECONDS: expected whole seconds from 1 to 3600 (got "${text}")`);
  }
  return Number(text) * 1000;
}

/**
 * Installs the drain on `server` for SIGTERM and SIGINT. Every request goes through
 * `admit` first: it returns false (having answered 503) once the drain has begun.
 * @param {import("node:http").Server} server
 * @param {{ drainMs: number, closeStores: () => Promise<void>, log?: (line: string) => void, exit?: (code: number) => void }} options
 */
export function installGracefulShutdown(server, { drainMs, closeStores, log = (line) => console.log(line), exit = (code) => process.exit(code) }) {
  /** @type {Set<import("node:http").ServerResponse>} */
  const inFlight = new Set();
  let draining = false;
  let finishing = false;
  let served = 0;
  let refused = 0;
  let timer;

  async function finish(cutOff) {
    if (finishing) return;
    finishing = true;
    clearTimeout(timer);
    server.closeAllConnections();
    let code = cutOff > 0 ? 1 : 0;
    try {
      await closeStores();
      log(`shutdown: ${served} request(s) drained, ${refused} refused${cutOff ? `, ${cutOff} cut off after ${drainMs / 1000} s` : ""}; stores closed`);
    } catch (err) {
      log(`shutdown: closing the stores failed: ${err instanceof Error ? err.message : String(err)}`);
      code = 1;
    }
    exit(code);
  }

  function settled(res) {
    if (!inFlight.delete(res)) return;
    if (draining) served++;
    if (draining && inFlight.size === 0) void finish(0);
  }

  function begin(signal) {
    if (draining) return; // a second signal (a terminal's Ctrl-C reaches the whole process group) changes nothing
    draining = true;
    log(`shutdown: ${signal} received; finishing ${inFlight.size} request(s) in flight (at most ${drainMs / 1000} s)`);
    server.close();
    server.closeIdleConnections();
    // Answers still to be written tell the client this connection ends with them.
    for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    if (inFlight.size === 0) return void finish(0);
    timer = setTimeout(() => {
      log(`shutdown: ${inFlight.size} request(s) still running after ${drainMs / 1000} s; cutting them off`);
      void finish(inFlight.size);
    }, drainMs);
  }

  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => begin(signal));

  return {
    /**
     * @param {import("node:http").IncomingMessage} req
     * @param {import("node:http").ServerResponse} res
     * @returns {boolean} whether to serve the request
     */
    admit(req, res) {
      if (draining) {
        refused++;
        const path = (req.url ?? "/").split("?")[0];
        const refusal = errorResponse(path, 503, "shutting_down", `The server is shutting down and took no part of this request. Retry in ${RETRY_AFTER_SECONDS} seconds (with the same Idempotency-Key for an ingest batch).`, {
          "retry-after": String(RETRY_AFTER_SECONDS),
          connection: "close",
        });
        res.writeHead(refusal.status, refusal.headers);
        res.end(req.method === "HEAD" ? undefined : refusal.body);
        return false;
      }
      inFlight.add(res);
      res.once("close", () => settled(res));
      return true;
    },
    /** Whether a drain has begun. */
    get draining() {
      return draining;
    },
  };
}
