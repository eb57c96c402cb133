import { afterAll, expect, it } from "vitest";
import { killChildren, startChild, type ChildServer } from "@/lib/testing/crash-harness";
import { Enclave } from "../src/index.js";
import { createKey, startEnclave, storedCounts } from "./enclave-server";
import { attemptsByKey, recordingFetch } from "./recording-fetch";

// The server is killed (SIGKILL) twice while the SDK's batches are in flight
// and started again on the same data directory. The SDK retries each cut-off
// batch with its Idempotency-Key until the new server answers; in the end
// every event acknowledged to the caller is stored exactly once.

const TENANTS = ["crash-a", "crash-b"];
const PER_TENANT = 15_000;

afterAll(() => killChildren());

it("stores every acknowledged event exactly once across two kills mid-batch", async () => {
  let child: ChildServer = await startEnclave();
  const [ingestKey, adminKey] = [await createKey(["ingest"]), await createKey(["admin"])];
  // Each kill comes during the first request after so many batches were acknowledged, and the
  // next server starts once the killed one has exited.
  const plan = [
    // Short delays: a 1,500-event batch is answered within tens of ms by a fast server, and a kill that
    // finds nothing in flight waits for the next request (there are 20 batches, so one always comes).
    { afterAcknowledged: 2, delayMs: 0 }, // early: the body is still being read
    { afterAcknowledged: 8, delayMs: 15 }, // later: parsing or inserting
  ];
  let acknowledged = 0;
  let restarts = Promise.resolve();
  let killing = false;
  const inFlightAtKill: number[] = [];
  const recorder = recordingFetch({
    // The SDK has one base URL; each restarted server listens on a new port.
    rewrite: () => child.baseUrl,
    before: () => {
      if (killing || !plan[0] || acknowledged < plan[0].afterAcknowledged) return;
      const { delayMs } = plan.shift()!;
      const victim = child;
      killing = true;
      // After the delay, the kill waits for a batch to be in flight (a fast server may have answered the
      // one that triggered it already), so each kill really cuts one off.
      const inFlight = () => recorder.batches.filter((b) => !b.settled).length;
      const whenInFlight = (then: () => void, waitedMs = 0) => (inFlight() > 0 || waitedMs > 10_000 ? then() : setTimeout(() => whenInFlight(then, waitedMs + 2), 2));
      restarts = new Promise((resolve, reject) =>
        setTimeout(() => whenInFlight(() => {
          inFlightAtKill.push(inFlight());
          victim.signal("SIGKILL");
          void victim.exited
            .then(() => startChild())
            .then((next) => {
              child = next;
              killing = false;
            })
            .then(resolve, reject);
        }), delayMs),
      );
    },
    after: (_batch, response) => void (response.status === 200 && acknowledged++),
  });
  const enclave = new Enclave({ baseUrl: "http://enclave.invalid", apiKey: ingestKey, fetch: recorder.fetch, events: { maxBatchEvents: 1_500, flushIntervalMs: 60_000, retry: { maxRetries: 60, baseDelayMs: 100, maxDelayMs: 1_000 } } });

  for (let i = 0; i < PER_TENANT; i++) for (const tenant of TENANTS) enclave.events.track({ tenant_id: tenant, name: "page_view", user_id: `u-${i % 97}`, properties: { page: `/p/${i % 50}` } });
  const result = await enclave.shutdown();
  await restarts;

  const retried = [...attemptsByKey(recorder.batches).values()].filter((n) => n > 1);
  console.log(`${recorder.batches.length} requests for ${attemptsByKey(recorder.batches).size} batches; requests in flight at each kill: ${inFlightAtKill.join(", ")}; ${retried.length} batches retried`);
  expect(inFlightAtKill.length, "both kills happened").toBe(2);
  for (const n of inFlightAtKill) expect(n, "each kill cut off a batch in flight").toBeGreaterThanOrEqual(1);
  expect(retried.length).toBeGreaterThanOrEqual(2);
  expect(result).toEqual({ accepted: TENANTS.length * PER_TENANT, rejected: [], failed: [] });
  for (const tenant of TENANTS) expect(await storedCounts(child.baseUrl, adminKey, tenant), tenant).toEqual({ rows: PER_TENANT, distinctIds: PER_TENANT });
}, 180_000);
