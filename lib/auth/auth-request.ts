import "server-only";
import { AppError } from "@/lib/errors";

// next-auth answers some malformed requests with a 500: a JSON content type on a
// form body (it calls req.json()), a GET on the credentials callback. These are
// refused first with a clear 4xx; the request next-auth then sees is well-formed.

const MAX_BODY_BYTES = 64 * 1024;
const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

/** The refusal for a request next-auth cannot handle, or undefined to go on. */
export async function refuseBadAuthRequest(req: Request, action: string[] | undefined): Promise<AppError | undefined> {
  const route = (action ?? []).join("/");
  if (route.startsWith("callback/credentials") && req.method !== "POST") {
    return new AppError("method_not_allowed", "Sign in by POSTing the sign-in form (email, password, csrfToken) to this address.");
  }
  if (req.method !== "POST") return undefined;
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== FORM && type !== JSON_TYPE) {
    return new AppError("unsupported_media_type", `Send the form as ${FORM} (or a JSON object as ${JSON_TYPE}).`);
  }
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) return new AppError("payload_too_large", `A sign-in request is at most ${MAX_BODY_BYTES} bytes.`);
  const text = await req.clone().text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return new AppError("payload_too_large", `A sign-in request is at most ${MAX_BODY_BYTES} bytes.`);
  if (type === JSON_TYPE) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return new AppError("bad_request", `The body is not JSON: send the sign-in form as ${FORM}, or a JSON object with the content type ${JSON_TYPE}.`);
    }
    if (typeof body !== "object" || body === null || Array.isArray(body) || Object.values(body).some((v) => typeof v !== "string")) {
      return new AppError("bad_request", "The body must be a JSON object of strings (email, password, csrfToken).");
    }
  }
  return undefined;
}
