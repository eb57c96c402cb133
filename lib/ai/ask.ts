import "server-only";
import { z } from "zod";
import { recordAiLog, type AiLogEntry } from "@/lib/ai/ai-log";
import { parseModelOutput } from "@/lib/ai/parse-output";
import { asksAboutOthers, OTHERS_REFUSAL } from "@/lib/ai/about-others";
import { askContext, buildMessages, type AiMode, type ChatMessage } from "@/lib/ai/prompt";
import { callProvider } from "@/lib/ai/providers";
import { describeAnswer, metricWords } from "@/lib/ai/rationale";
import { sanitizeSpec } from "@/lib/ai/sanitize-spec";
import { describeWidget, type WidgetView } from "@/lib/dashboards/describe-widget";
import { AppError } from "@/lib/errors";
import { DIMENSIONS } from "@/lib/query/catalog";
import { guardSql } from "@/lib/query/guard";
import { dashboardFilterValues, readSpec, readSql, type DashboardReader } from "@/lib/query/run-dashboard";
import { hiddenAccessRefusal } from "@/lib/query/hidden-access";
import { scopedSettings, type QueryColumn, type QueryStats } from "@/lib/query/run-scoped";
import type { ChartWidget } from "@/lib/query/widget-spec";

// A question becomes a widget spec (or, for admins only, guarded SQL), which
// runs under the asker's scope and permissions like any dashboard widget. So
// a question about other tenants can only ever get the asker's own data, or a
// refusal. What a customer reads is written by us from the validated spec.

export const AskInput = z.object({ question: z.string().trim().min(3, "ask a question of at least 3 characters").max(500, "keep the question under 500 characters") }).strict();

export type Asker = {
  /** The dashboard asked about, read as the asker: answers go through its front door (scope, permissions, hidden widgets). */
  reader: DashboardReader;
  log: Pick<AiLogEntry, "actor" | "source" | "dashboardId" | "sessionId" | "userId">;
};

export type Answer = { id: string; question: string; spec: ChartWidget; view: WidgetView; rows: Record<string, unknown>[]; columns: QueryColumn[]; rationale: string };
export type AskResult = { status: "answered"; answer: Answer } | { status: "refused"; message: string };
export type Debug = { prompt: ChatMessage[]; provider: string; raw: string; parsed: string; spec?: ChartWidget; sql?: string; effective_sql?: string; params?: Record<string, unknown>; engine_filter?: string; stats?: QueryStats; latency_ms: number };

const CANNOT = "I can't answer that from this dashboard's data. Try a question like \"signups by country last 30 days\" or \"top pages this month\".";
const NOT_ALLOWED = "That question needs a breakdown or filter this dashboard does not allow.";

/** Runs a validated spec for the asker and writes its client-safe words. */
export async function runAnswerSpec(asker: Asker, spec: ChartWidget, question: string, id = "answer") {
  // A dashboard's own filters are the admin's; an answer's come from a model, so they obey allowed_dimensions too.
  const { permissions, source } = asker.reader;
  const allowed = permissions.allowed_dimensions;
  if (allowed && spec.filters.some((f) => f.field !== "value" && !allowed.includes(f.field))) throw new AppError("forbidden", NOT_ALLOWED);
  // Before any query: a figure only hidden widgets show is not computed at all.
  const hidden = hiddenAccessRefusal(spec, source.definition, permissions);
  if (hidden) throw new AppError("forbidden", hidden);
  const known = await ownWords(asker, spec);
  const isKnown = (dim: string, v: string) => known.has(`${dim}\u0000${v}`);
  // What runs is what the customer sees: model words not found in their own data are placeholders.
  const safe = sanitizeSpec(spec, { value: isKnown, property: (dim) => known.has(dim) });
  const stillHidden = hiddenAccessRefusal(safe, source.definition, permissions);
  if (stillHidden) throw new AppError("forbidden", stillHidden);
  let result;
  try {
    result = await readSpec(asker.reader, safe);
  } catch (err) {
    if (err instanceof AppError && (err.code === "forbidden" || err.code === "validation_failed")) throw new AppError("forbidden", err.message === stillHidden ? err.message : NOT_ALLOWED);
    throw err;
  }
  const { compiled } = result;
  const { title, rationale } = describeAnswer(safe, isKnown);
  const shown = { ...safe, id, title };
  const view = { ...describeWidget(shown, false), metricLabels: safe.metrics.map((m) => metricWords(m, isKnown).label) };
  const answer: Answer = { id, question, spec: shown, view, rows: result.rows, columns: result.columns, rationale };
  return { answer, compiled, stats: result.stats };
}

/** The words of the spec found in the asker's own data: "dimension\0value" pairs, and property dimensions with any value. */
async function ownWords(asker: Asker, spec: ChartWidget): Promise<Set<string>> {
  const known = new Set<string>();
  const properties = [...new Set([spec.breakdown, ...spec.filters.map((f) => f.field)].filter((d): d is string => Boolean(d?.startsWith("property:"))))];
  for (const dimension of properties.slice(0, 6)) {
    try {
      if ((await dashboardFilterValues(asker.reader, { dimension, limit: 1 })).values.length > 0) known.add(dimension);
    } catch {
      // Not allowed in this session: stays unnamed.
    }
  }
  // [dimension, value, whether a partial match counts (the "contains" filter)]
  const pairs: Array<[string, string, boolean]> = [];
  for (const m of spec.metrics) for (const e of [m.event, m.from_event, m.to_event]) if (e) pairs.push(["event", e, false]);
  for (const f of spec.filters) {
    if (f.op === "equals" || f.op === "contains") pairs.push([f.field, f.value, f.op === "contains"]);
    if (f.op === "in" || f.op === "not_in") for (const v of f.values.slice(0, 5)) pairs.push([f.field, v, false]);
  }
  for (const [dimension, value, partial] of pairs.slice(0, 12)) {
    try {
      const { values } = await dashboardFilterValues(asker.reader, { dimension, search: value, limit: 50 });
      if (partial ? values.length > 0 : values.some((v) => v.value === value)) known.add(`${dimension}\u0000${value}`);
    } catch {
      // A dimension the session may not use: the value stays unnamed.
    }
  }
  return known;
}

/** Whether a word occurs in the asker's own data, in any dimension this session may read (a plan, a country, a page…). */
async function isOwnWord(asker: Asker, word: string): Promise<boolean> {
  for (const { id } of DIMENSIONS) {
    try {
      if ((await dashboardFilterValues(asker.reader, { dimension: id, search: word, limit: 1 })).values.length > 0) return true;
    } catch {
      // A dimension the session may not use.
    }
  }
  return false;
}

export async function ask(asker: Asker, question: string, options: { mode?: AiMode; debug?: boolean } = {}): Promise<AskResult & { debug?: Debug }> {
  const mode = options.mode ?? "spec";
  const started = performance.now();
  const { scope, source } = asker.reader;
  const context = askContext(source.definition.timezone, asker.reader.now ?? new Date());
  const messages = buildMessages(question, mode, context);
  const base = { ...asker.log, tenantId: scope.tenantId, mode, question };
  const finish = async (outcome: AiLogEntry["outcome"], extra: Partial<AiLogEntry> & { provider: string }) =>
    recordAiLog({ ...base, ...extra, outcome, latencyMs: performance.now() - started });

  // Before any provider: a question about anyone else's data gets one refusal, whatever name it uses.
  if (await asksAboutOthers(question, (word) => isOwnWord(asker, word))) {
    await finish("refused", { provider: "none", reason: "asks about someone else's data" });
    const refused: AskResult = { status: "refused", message: OTHERS_REFUSAL };
    return options.debug ? { ...refused, debug: { prompt: messages, provider: "none", raw: "", parsed: `refusal: ${OTHERS_REFUSAL}`, latency_ms: Math.round(performance.now() - started) } } : refused;
  }

  let reply;
  try {
    reply = await callProvider(messages, mode, context);
  } catch (err) {
    await finish(err instanceof AppError && err.code === "query_timeout" ? "timeout" : "error", { provider: "model", reason: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  const debugBase = { prompt: messages, provider: reply.provider, raw: reply.raw };
  const parsed = parseModelOutput(reply.raw, mode);
  const withDebug = <T extends AskResult>(result: T, extra: Partial<Debug> = {}) =>
    options.debug ? { ...result, debug: { ...debugBase, parsed: parsed.kind === "invalid" || parsed.kind === "refusal" ? `${parsed.kind}: ${parsed.reason}` : parsed.kind, ...extra, latency_ms: Math.round(performance.now() - started) } } : result;

  if (parsed.kind === "refusal" || parsed.kind === "invalid") {
    await finish(parsed.kind === "refusal" ? "refused" : "invalid_output", { provider: reply.provider, reason: parsed.reason });
    // The offline provider's words are ours; a model's are not shown to customers.
    const message = parsed.kind === "refusal" && reply.ours ? parsed.reason : CANNOT;
    return withDebug({ status: "refused", message });
  }

  if (parsed.kind === "sql") {
    if (asker.log.source !== "admin") throw new AppError("forbidden", "Only admins may ask for SQL.");
    const verdict = await guardSql(parsed.sql);
    if (!verdict.ok) {
      await finish("refused", { provider: reply.provider, sql: parsed.sql, reason: verdict.reason });
      return withDebug({ status: "refused", message: `The generated SQL was rejected by the guard: ${verdict.reason}` }, { sql: parsed.sql });
    }
    const result = await readSql(asker.reader, parsed.sql);
    const { compiled } = result;
    const id = await finish("answered", { provider: reply.provider, sql: parsed.sql });
    const view: WidgetView = { id, title: question.slice(0, 200), chart: "table", kind: "sql", metricLabels: [], drillable: false };
    const answer = { id, question, spec: undefined as unknown as ChartWidget, view, rows: result.rows, columns: result.columns, rationale: "Custom SQL, checked by the guard and run as this tenant." };
    return withDebug({ status: "answered", answer }, { sql: parsed.sql, effective_sql: parsed.sql, engine_filter: String(scopedSettings(scope, compiled).additional_table_filters), stats: result.stats });
  }

  try {
    const { answer, compiled, stats } = await runAnswerSpec(asker, parsed.spec, question);
    const id = await finish("answered", { provider: reply.provider, spec: answer.spec });
    return withDebug({ status: "answered", answer: { ...answer, id } }, { spec: answer.spec, effective_sql: compiled.sql, params: compiled.params, engine_filter: String(scopedSettings(scope, compiled).additional_table_filters), stats });
  } catch (err) {
    if (err instanceof AppError && err.code === "forbidden") {
      await finish("refused", { provider: reply.provider, spec: parsed.spec, reason: "not allowed by the session's permissions" });
      return withDebug({ status: "refused", message: err.message }, { spec: parsed.spec });
    }
    await finish("error", { provider: reply.provider, spec: parsed.spec, reason: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
