import { ChartWidget } from "@/lib/query/widget-spec";

// Model output is untrusted text. Only three shapes are accepted — a widget
// spec, admin SQL, or a refusal — and a spec must pass the same strict schema
// the designer uses (so no tenant column, no SQL, no unknown field). Titles
// and descriptions are never taken from the model.

export const MAX_OUTPUT_CHARS = 20_000;

export type ParsedOutput =
  | { kind: "spec"; spec: ChartWidget }
  | { kind: "sql"; sql: string }
  | { kind: "refusal"; reason: string }
  | { kind: "invalid"; reason: string };

export function parseModelOutput(raw: string, mode: "spec" | "sql"): ParsedOutput {
  if (raw.length > MAX_OUTPUT_CHARS) return { kind: "invalid", reason: `the output is longer than ${MAX_OUTPUT_CHARS} characters` };
  const text = raw.trim().replace(/^```(?:json)?\s*/i, "").replace(/\s*```$/, "");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "invalid", reason: "the output is not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { kind: "invalid", reason: "the output is not a JSON object" };
  const keys = Object.keys(value);
  const obj = value as Record<string, unknown>;
  if (keys.length === 1 && typeof obj.refusal === "string") return { kind: "refusal", reason: obj.refusal.slice(0, 500) };
  if (mode === "sql") {
    if (keys.length === 1 && typeof obj.sql === "string" && obj.sql.length <= 20_000) return { kind: "sql", sql: obj.sql };
    return { kind: "invalid", reason: 'expected {"sql": …} or {"refusal": …}' };
  }
  if (keys.length !== 1 || typeof obj.spec !== "object" || obj.spec === null || Array.isArray(obj.spec)) {
    return { kind: "invalid", reason: 'expected {"spec": {…}} or {"refusal": …}' };
  }
  const spec = obj.spec as Record<string, unknown>;
  if ("title" in spec || "description" in spec || "id" in spec) {
    // Text a customer would read is written by us, not by the model.
    delete spec.title;
    delete spec.description;
    delete spec.id;
  }
  const parsed = ChartWidget.safeParse({ kind: "chart", id: "answer", title: "Answer", ...spec });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: "invalid", reason: `the spec is not valid: ${issue.path.join(".") || "spec"}: ${issue.message}` };
  }
  return { kind: "spec", spec: parsed.data };
}
