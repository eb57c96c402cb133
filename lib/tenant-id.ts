import { z } from "zod";

// Tenant ids are checked at ingest and at session mint with this one rule.
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;

export const TenantId = z
  .string()
  .regex(TENANT_ID_PATTERN, "expected a tenant id of 1-128 letters, digits, and _ . : @ - (starting with a letter or digit)");

export function isTenantId(value: unknown): value is string {
  return typeof value === "string" && TENANT_ID_PATTERN.test(value);
}
