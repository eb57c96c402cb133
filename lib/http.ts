import "server-only";
import type { z } from "zod";
import { AppError, validationError } from "@/lib/errors";

const MAX_JSON_BYTES = 1_000_000;

const tooLarge = () => new AppError("payload_too_large", `The request body is larger than ${MAX_JSON_BYTES} bytes. Send less at once.`);

/** The body as text, read only up to the limit: a larger one is refused without being held in memory. */
async function readLimitedText(req: Request): Promise<string> {
  if (Number(req.headers.get("content-length")) > MAX_JSON_BYTES) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > MAX_JSON_BYTES) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads and validates a JSON body; a bad body is a 400 that says what to fix. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  const text = await readLimitedText(req);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The request body is not valid JSON.");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/** Reads and validates the query string; unknown or bad parameters are a 400. */
export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw validationError(parsed.error, "query string");
  return parsed.data;
}
