import "server-only";
import { AppError } from "@/lib/errors";
import { getEnv } from "@/lib/env";

// Fairness: each tenant may run a limited number of queries at once, so one
// tenant cannot starve the others on a shared engine. Extra queries wait in a
// bounded queue; past it, 429.

type Slot = { active: number; waiting: Array<() => void> };
// On globalThis: the cap must hold across every route bundle of the process.
const shared = globalThis as unknown as { enclaveTenantSlots?: Map<string, Slot> };
const slots = (shared.enclaveTenantSlots ??= new Map());
const MAX_WAITING_FACTOR = 8;

export async function withTenantSlot<T>(tenantId: string, fn: () => Promise<T>): Promise<T> {
  const limit = getEnv().QUERY_CONCURRENCY_PER_TENANT;
  let slot = slots.get(tenantId);
  if (!slot) {
    slot = { active: 0, waiting: [] };
    slots.set(tenantId, slot);
  }
  if (slot.active >= limit) {
    if (slot.waiting.length >= limit * MAX_WAITING_FACTOR) {
      throw new AppError("too_many_requests", "Too many queries at once for this account. Wait a moment and try again.");
    }
    await new Promise<void>((resolve) => slot!.waiting.push(resolve));
  }
  slot.active++;
  try {
    return await fn();
  } finally {
    slot.active--;
    const next = slot.waiting.shift();
    if (next) next();
    else if (slot.active === 0) slots.delete(tenantId);
  }
}

/** For tests and the health view: queries running now per tenant. */
export function activeQueries(tenantId: string): number {
  return slots.get(tenantId)?.active ?? 0;
}
