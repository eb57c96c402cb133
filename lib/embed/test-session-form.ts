import type { z } from "zod";
import { CreateSessionInput } from "@/lib/embed/sessions";

// The admin's test-session minter posts a form; this turns it into the very
// body POST /v1/embed-sessions accepts and checks it with the same schema, so
// the console can offer nothing the API would not and refuses what it refuses.

export type TestSessionForm = { ok: true; input: z.output<typeof CreateSessionInput> } | { ok: false; message: string };

// What the form calls each field, so a refusal names what the admin sees.
const LABELS: Record<string, string> = {
  tenant_id: "Tenant",
  expires_in: "Lifetime (s)",
  user_id: "User id",
  locale: "Locale",
  "permissions.locked_filters": "Lock",
  "permissions.hidden_widgets": "Hidden widgets",
  "permissions.allowed_dimensions": "Allowed dimensions",
  "permissions.max_date_range_days": "Max date range (days)",
};

function text(form: FormData, name: string): string {
  return String(form.get(name) ?? "").trim();
}

/** An empty field is "not set" (the schema's default applies); anything else is handed to zod as a number, NaN included. */
function optionalNumber(form: FormData, name: string): number | undefined {
  const value = text(form, name);
  return value === "" ? undefined : Number(value);
}

/** `{ [key]: value }`, or nothing when the value is unset, so the body has no undefined keys. */
function present(key: string, value: unknown): Record<string, unknown> {
  return value === undefined ? {} : { [key]: value };
}

function checked(form: FormData, name: string): boolean {
  return form.get(name) === "on";
}

function labelOf(path: PropertyKey[]): string {
  const joined = path.map(String).join(".");
  const known = Object.keys(LABELS).find((key) => joined === key || joined.startsWith(`${key}.`));
  return known ? LABELS[known] : joined || "Form";
}

/** The session body the form describes, as the API would receive it (before its schema). */
export function testSessionBody(form: FormData, dashboardId: string): Record<string, unknown> {
  const lockDim = text(form, "lock_dim");
  const lockValues = text(form, "lock_values").split(",").map((v) => v.trim()).filter(Boolean);
  const hidden = form.getAll("hidden_widgets").map(String);
  const allowed = form.getAll("allowed_dimensions").map(String);
  const permissions = {
    ...(lockDim ? { locked_filters: { [lockDim]: lockValues } } : {}),
    ...(hidden.length ? { hidden_widgets: hidden } : {}),
    ...(allowed.length ? { allowed_dimensions: allowed } : {}),
    ...present("max_date_range_days", optionalNumber(form, "max_date_range_days")),
    allow_export: checked(form, "allow_export"),
    allow_ai: checked(form, "allow_ai"),
    allow_drill_down: checked(form, "allow_drill_down"),
    allow_save_views: checked(form, "allow_save_views"),
  };
  const userId = text(form, "user_id");
  const locale = text(form, "locale");
  return {
    tenant_id: text(form, "tenant"),
    dashboard_id: dashboardId,
    ...present("expires_in", optionalNumber(form, "ttl")),
    permissions,
    ...(userId ? { user_id: userId } : {}),
    ...(locale ? { locale } : {}),
    single_use: checked(form, "single_use"),
  };
}

/**
 * Parses the minter's form through CreateSessionInput. `widgetIds` are the
 * widgets the session would show: hiding any other id is refused rather than
 * silently ignored.
 */
export function parseTestSessionForm(form: FormData, options: { dashboardId: string; widgetIds: string[] }): TestSessionForm {
  const parsed = CreateSessionInput.safeParse(testSessionBody(form, options.dashboardId));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `${labelOf(issue.path)}: ${issue.message}. Nothing was minted.` };
  }
  const unknown = parsed.data.permissions?.hidden_widgets?.find((id) => !options.widgetIds.includes(id));
  if (unknown) return { ok: false, message: `Hidden widgets: "${unknown}" is not a widget of this dashboard's live version. Nothing was minted.` };
  return { ok: true, input: parsed.data };
}
