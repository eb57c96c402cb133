import { getDb } from "@/lib/db";
import { withEmbedSession } from "@/lib/embed/with-embed-session";
import { mintDataToken } from "@/lib/embed/tokens";
import { AppError } from "@/lib/errors";

// A fresh data token for a session that is still active (the page calls this
// before its 15-minute data token runs out). A revoked or expired session gets
// 401; a dashboard published anew since the page loaded gets 409, so an old
// version stays queryable for at most one data-token lifetime.
export const POST = withEmbedSession(async (_req, { session, versionId }) => {
  const dashboard = await getDb().dashboard.findUnique({ where: { id: session.dashboardId } });
  if (!dashboard || dashboard.archivedAt || dashboard.liveVersionId !== versionId) {
    throw new AppError("conflict", "This dashboard was updated. Reload the embed to see the new version.");
  }
  const token = await mintDataToken({ sessionId: session.id, tenantId: session.tenantId, dashboardId: session.dashboardId, versionId, sessionExpiresAt: session.expiresAt });
  return Response.json({ data_token: token });
});
