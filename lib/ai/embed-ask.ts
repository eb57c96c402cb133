import "server-only";
import { z } from "zod";
import { recordAiLog } from "@/lib/ai/ai-log";
import { ask, runAnswerSpec, type Answer, type Asker } from "@/lib/ai/ask";
import { renderWidgetBody } from "@/components/dashboard/render/render-widget-body";
import { takeSlots } from "@/lib/ai/rate-limit";
import type { EmbedContext } from "@/lib/embed/with-embed-session";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { ChartWidget } from "@/lib/query/widget-spec";

// The embed's side of AI questions: only with `allow_ai`, within per-session
// and per-tenant limits, always as the session's tenant and permissions.

export const RerunInput = z.object({ question: z.string().max(500), spec: ChartWidget }).strict();

async function askerFor(ctx: EmbedContext): Promise<Asker> {
  if (!ctx.session.permissions.allow_ai) throw new AppError("forbidden", "Asking questions is not enabled for this dashboard.");
  return {
    reader: await ctx.reader(),
    log: { actor: `embed:${ctx.session.id}`, source: "embed", dashboardId: ctx.session.dashboardId, sessionId: ctx.session.id, userId: ctx.session.userId },
  };
}

/** Questions and re-run answers share the per-session and per-tenant limits. */
async function takeSlot(ctx: EmbedContext, asker: Asker, question: string) {
  const env = getEnv();
  const slot = takeSlots([
    { key: `session:${ctx.session.id}`, perMinute: env.AI_QUESTIONS_PER_SESSION_PER_MINUTE },
    { key: `tenant:${ctx.session.tenantId}`, perMinute: env.AI_QUESTIONS_PER_TENANT_PER_MINUTE },
  ]);
  if (!slot.ok) {
    await recordAiLog({ ...asker.log, tenantId: ctx.session.tenantId, mode: "spec", question, outcome: "rate_limited", provider: "none", latencyMs: 0 });
    throw new AppError("too_many_requests", `That is a lot of questions in a short time. Try again in ${slot.retryAfterSeconds} seconds.`, { retry_after_seconds: slot.retryAfterSeconds });
  }
}

export async function askFromEmbed(ctx: EmbedContext, question: string) {
  const asker = await askerFor(ctx);
  await takeSlot(ctx, asker, question);
  const result = await ask(asker, question);
  return result.status === "answered" ? { status: result.status, answer: forPage(result.answer, ctx.session.locale) } : result;
}

/**
 * What the page gets of an answer: its words and its chart drawn on the server,
 * like every card; the spec (for saved views), but no rows to draw again.
 */
export function forPage(answer: Answer, locale?: string) {
  const body = renderWidgetBody(answer.view, answer.rows, { height: answer.view.chart === "kpi" ? 90 : 240, locale });
  return { id: answer.id, question: answer.question, spec: answer.spec, title: answer.view.title, rationale: answer.rationale, html: `<div class="answer-body">${body.__html}</div>` };
}

/** Runs an answer again (a saved view reopened): the spec is re-checked and re-scoped, no model involved. */
export async function rerunAnswer(ctx: EmbedContext, input: z.infer<typeof RerunInput>) {
  const asker = await askerFor(ctx);
  await takeSlot(ctx, asker, input.question);
  const { answer } = await runAnswerSpec(asker, input.spec, input.question, input.spec.id);
  return forPage(answer, ctx.session.locale);
}
