import "server-only";
import { closeAnalytics } from "@/lib/analytics/engine";
import { closeDb } from "@/lib/db";

// Closing the stores when the server stops, after its last request: the
// embedded engine shuts down cleanly and SQLite's file is released.

/** Closes the analytics engine and the metadata client this process opened. */
export async function closeStores(): Promise<void> {
  await closeAnalytics();
  await closeDb();
}

/**
 * scripts/server.mjs runs outside Next's bundles and cannot import this module;
 * it finds the closer on globalThis, where the engine and the client live too.
 */
export function exposeCloseStores(): void {
  (globalThis as unknown as { enclaveCloseStores?: () => Promise<void> }).enclaveCloseStores = closeStores;
}
