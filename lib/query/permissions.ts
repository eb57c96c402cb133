import { z } from "zod";

// Permissions refine what a tenant's session may see; they never widen the
// tenant boundary. Strict: an unknown key is a 400, not silently ignored.

const Id = z.string().min(1).max(120);
const DAYS = "expected a whole number of days from 1 to 3660";

export const Permissions = z
  .object({
    locked_filters: z.record(Id, z.array(z.string().max(1000)).min(1, "a locked filter needs at least one value").max(1000)).optional(),
    hidden_widgets: z.array(Id).max(500).optional(),
    allowed_dimensions: z.array(Id).max(200).optional(),
    max_date_range_days: z.number({ error: DAYS }).int(DAYS).min(1, DAYS).max(3660, DAYS).optional(),
    allow_drill_down: z.boolean().default(true),
    allow_export: z.boolean().default(false),
    allow_ai: z.boolean().default(false),
    allow_save_views: z.boolean().default(true),
  })
  .strict();

export type Permissions = z.infer<typeof Permissions>;
export type PermissionsInput = z.input<typeof Permissions>;

export const DEFAULT_PERMISSIONS: Permissions = Permissions.parse({});
