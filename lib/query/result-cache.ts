import "server-only";
import crypto from "node:crypto";
import { storeInAgeOrder } from "@/lib/age-ordered";
import { getEnv } from "@/lib/env";
import type { Permissions } from "@/lib/query/permissions";
import type { CompiledQuery } from "@/lib/query/compile-widget";
import { runScoped, type RunOptions, type ScopedResult } from "@/lib/query/run-scoped";
import type { TenantScope } from "@/lib/query/scope";
import type { FilterState } from "@/lib/query/widget-spec";

// A short-lived result cache. The key holds everything that can change a
// result: tenant, dashboard version, widget, permissions, filter state, and
// the compiled SQL with its parameters and session row filter. A hit can
// never cross tenants.

export type CacheKeyParts = {
  dashboardVersionId: string;
  widgetId: string;
  permissions: Permissions;
  filters: FilterState;
};

type Entry = { expires: number; tenantId: string; value: ScopedResult };
const MAX_ENTRIES = 5_000;
// On globalThis so every route bundle of the process shares one cache (and one forget).
const shared = globalThis as unknown as { enclaveResultCache?: Map<string, Entry> };
const store = (shared.enclaveResultCache ??= new Map());
// Bumped when a tenant's results are forgotten (an erasure, a retention sweep): a result read before
// that, and finished after it, is not kept — it may count rows that are gone.
const generations = ((globalThis as unknown as { enclaveResultGenerations?: Map<string, number> }).enclaveResultGenerations ??= new Map());

/** The tenant's cache generation: read it before a query, hand it to cacheResult after. */
export const tenantCacheGeneration = (tenantId: string): number => generations.get(tenantId) ?? 0;

/** Canonical JSON (sorted keys) so equal objects give equal keys. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function resultCacheKey(scope: TenantScope, compiled: CompiledQuery, parts: CacheKeyParts): string {
  return crypto
    .createHash("sha256")
    // Custom SQL's period lives in its engine row filter, not in its parameters: it is part of the key too.
    .update(canonical({ tenant: scope.tenantId, ...parts, sql: compiled.sql, params: compiled.params, database: compiled.catalog.database, locked: compiled.lockedFilters, ...(compiled.rowFilter ? { rowFilter: compiled.rowFilter } : {}) }))
    .digest("hex");
}

/** A cached result, if one is fresh. */
export function cachedResult(key: string): ScopedResult | undefined {
  const hit = store.get(key);
  return hit && hit.expires > Date.now() ? hit.value : undefined;
}

/** Keeps a result for one TTL (expired ones leave as new ones arrive; see lib/age-ordered.ts). */
function keep(key: string, tenantId: string, value: ScopedResult, ttl: number): void {
  const now = Date.now();
  storeInAgeOrder(store, key, { expires: now + ttl, tenantId, value }, (held) => held.expires <= now, MAX_ENTRIES);
}

/** How many results are held (fresh or not yet swept). */
export const resultCacheSize = () => store.size;

/** Keeps a result for RESULT_CACHE_TTL_SECONDS (nothing when that is 0, or when the tenant's results were forgotten since `generation`). */
export function cacheResult(key: string, tenantId: string, value: ScopedResult, generation: number): void {
  const ttl = getEnv().RESULT_CACHE_TTL_SECONDS * 1000;
  if (ttl === 0 || generation !== tenantCacheGeneration(tenantId)) return;
  keep(key, tenantId, value, ttl);
}

export const resultCacheEnabled = () => getEnv().RESULT_CACHE_TTL_SECONDS > 0;

export async function runScopedCached(scope: TenantScope, compiled: CompiledQuery, parts: CacheKeyParts, options: RunOptions = {}): Promise<ScopedResult & { cached: boolean }> {
  const ttl = getEnv().RESULT_CACHE_TTL_SECONDS * 1000;
  if (ttl === 0) return { ...(await runScoped(scope, compiled, options)), cached: false };
  const key = resultCacheKey(scope, compiled, parts);
  const hit = store.get(key);
  if (hit && hit.expires > Date.now()) return { ...hit.value, cached: true };
  const generation = tenantCacheGeneration(scope.tenantId);
  const value = await runScoped(scope, compiled, options);
  if (generation === tenantCacheGeneration(scope.tenantId)) keep(key, scope.tenantId, value, ttl);
  return { ...value, cached: false };
}

/** Drops every cached result of a tenant (data deletion, revocation). */
export function forgetTenantResults(tenantId: string): void {
  generations.set(tenantId, tenantCacheGeneration(tenantId) + 1);
  for (const [key, entry] of store) if (entry.tenantId === tenantId) store.delete(key);
}
