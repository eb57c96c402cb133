import "server-only";
import { loadPublishedSource, type LiveDashboard } from "@/lib/dashboards/load-source";
import { AppError } from "@/lib/errors";
import { consumeSingleUse, loadActiveSession, type ActiveSession } from "@/lib/embed/sessions";
import { mintDataToken, verifyEmbedToken } from "@/lib/embed/tokens";
import type { DashboardReader } from "@/lib/query/run-dashboard";
import { scopeFromEmbedSession } from "@/lib/query/scope";

// Opening /embed/<token>: the token verified, the session loaded (not revoked,
// expired or spent), the live version loaded once, and the reader every query
// of this page goes through. Or a plain refusal with no dashboard metadata.

export type OpenedEmbed = {
  ok: true;
  session: ActiveSession;
  source: LiveDashboard;
  reader: DashboardReader;
  /** Signed origins: the only parents the page talks to over postMessage, and frame-ancestors. */
  origins: string[];
  /** For the page's own data calls; held in memory by the page, never in a URL. */
  dataToken: string;
  sessionExpiresAt: string;
  /** Milliseconds the session had left when the server opened it: the browser's clock may be off, so the page times expiry from this. */
  sessionExpiresInMs: number;
};

/** A refusal carries the signed origins when the signature was genuine, so the host can be told why. */
export type EmbedRefusal = { ok: false; code: string; message: string; origins: string[]; status: number; /** The signed locale, when the signature was genuine: the page's words follow it. */ locale?: string };

const MESSAGES: Record<string, string> = {
  invalid_token: "This embed link is not valid.",
  session_expired: "This embed session has expired.",
  session_revoked: "This embed session was revoked.",
  session_spent: "This embed link was already used.",
  not_found: "This dashboard is not available.",
};

const refuse = (code: string, origins: string[], locale?: string): EmbedRefusal => ({ ok: false, code, message: MESSAGES[code], origins, status: code === "not_found" ? 404 : 401, ...(locale ? { locale } : {}) });

/**
 * What opening the token would answer, without opening it: nothing consumed (a
 * single-use link survives a link preview's HEAD), no data token, no render.
 */
export async function checkEmbed(token: string): Promise<{ ok: true; origins: string[] } | EmbedRefusal> {
  const verified = await verifyEmbedToken(token);
  if (!verified.ok) return verified.reason === "expired" ? refuse("session_expired", verified.claims.origins, verified.claims.locale) : refuse("invalid_token", []);
  try {
    const session = await loadActiveSession(verified.claims);
    await loadPublishedSource(session.dashboardId);
    return { ok: true, origins: verified.claims.origins };
  } catch (err) {
    const code = err instanceof AppError && err.code in MESSAGES ? err.code : "invalid_token";
    return code === "invalid_token" ? refuse(code, []) : refuse(code, verified.claims.origins, verified.claims.locale);
  }
}

export async function openEmbed(token: string, options: { requestId?: string } = {}): Promise<OpenedEmbed | EmbedRefusal> {
  const verified = await verifyEmbedToken(token);
  if (!verified.ok) return verified.reason === "expired" ? refuse("session_expired", verified.claims.origins, verified.claims.locale) : refuse("invalid_token", []);
  try {
    const session = await loadActiveSession(verified.claims);
    if (session.singleUse) await consumeSingleUse(session.id);
    const source = await loadPublishedSource(session.dashboardId);
    const scope = scopeFromEmbedSession({ verified: true, sessionId: session.id, tenantId: session.tenantId });
    return {
      ok: true,
      session,
      source,
      reader: { scope, permissions: session.permissions, source, audience: "tenant", cache: true, requestId: options.requestId },
      origins: verified.claims.origins,
      dataToken: await mintDataToken({ sessionId: session.id, tenantId: session.tenantId, dashboardId: session.dashboardId, versionId: source.versionKey, sessionExpiresAt: session.expiresAt }),
      sessionExpiresAt: session.expiresAt.toISOString(),
      sessionExpiresInMs: Math.max(0, session.expiresAt.getTime() - Date.now()),
    };
  } catch (err) {
    const code = err instanceof AppError && err.code in MESSAGES ? err.code : "invalid_token";
    if (!(err instanceof AppError)) console.error("embed open failed", err instanceof Error ? err.message : String(err));
    return code === "invalid_token" ? refuse(code, []) : refuse(code, verified.claims.origins, verified.claims.locale);
  }
}
