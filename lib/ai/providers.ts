import "server-only";
import { offlineAnswer } from "@/lib/ai/offline-provider";
import type { AiMode, AskContext, ChatMessage } from "@/lib/ai/prompt";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";

// A provider turns the messages into raw text. The OpenAI-compatible one
// calls POST {AI_BASE_URL}/chat/completions; without AI_BASE_URL the offline
// provider answers. Either way the text is untrusted until parse-output.ts
// has made a valid spec (or SQL for admins) of it.

/** `ours`: the built-in assistant wrote it, so its refusal sentences may be shown to customers. */
export type ProviderReply = { provider: string; raw: string; ours: boolean };

const MAX_REPLY_BYTES = 200_000;

export async function callProvider(messages: ChatMessage[], mode: AiMode, context?: AskContext): Promise<ProviderReply> {
  const env = getEnv();
  if (!env.AI_BASE_URL || !env.AI_MODEL) return { provider: "offline", raw: offlineAnswer(messages[messages.length - 1].content, mode, context), ours: true };
  const url = `${env.AI_BASE_URL.replace(/\/$/, "")}/chat/completions`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(env.AI_API_KEY ? { authorization: `Bearer ${env.AI_API_KEY}` } : {}) },
      body: JSON.stringify({ model: env.AI_MODEL, messages, temperature: 0, response_format: { type: "json_object" } }),
      signal: AbortSignal.timeout(env.AI_TIMEOUT_SECONDS * 1000),
    });
  } catch (err) {
    if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
      throw new AppError("query_timeout", "The assistant took too long to answer. Try again, or ask a simpler question.");
    }
    throw new AppError("store_unavailable", "The assistant is not reachable right now. Try again in a moment.");
  }
  const text = await res.text().catch(() => "");
  if (!res.ok) {
    console.error(`[ai] provider answered ${res.status}`);
    throw new AppError("store_unavailable", "The assistant is not available right now. Try again in a moment.");
  }
  if (text.length > MAX_REPLY_BYTES) return { provider: env.AI_MODEL, raw: text.slice(0, MAX_REPLY_BYTES), ours: false };
  try {
    const body = JSON.parse(text) as { choices?: { message?: { content?: unknown } }[] };
    const content = body.choices?.[0]?.message?.content;
    return { provider: env.AI_MODEL, raw: typeof content === "string" ? content : "", ours: false };
  } catch {
    return { provider: env.AI_MODEL, raw: "", ours: false };
  }
}
