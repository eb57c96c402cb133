// Runs once when the server boots: a bad configuration stops the start with a
// message naming the variable, instead of failing on the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getEnv } = await import("@/lib/env");
  getEnv();
  // The production server closes the stores through this when it stops (scripts/server/graceful.mjs).
  const { exposeCloseStores } = await import("@/lib/shutdown");
  exposeCloseStores();
  // Rollups the live versions need: built (or rebuilt after an interrupted build) in the background.
  const { rollupsChanged } = await import("@/lib/rollups/build");
  rollupsChanged();
  // Events past a tenant's retention (or RETENTION_DAYS) are dropped shortly after start and every hour.
  const { scheduleRetention } = await import("@/lib/tenants/retention");
  scheduleRetention();
}
