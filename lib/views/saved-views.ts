import "server-only";
import { suggestFromLog } from "@/lib/ai/review";
import crypto from "node:crypto";
import { getDb } from "@/lib/db";
import { loadPublishedSource } from "@/lib/dashboards/load-source";
import type { ActiveSession } from "@/lib/embed/sessions";
import { AppError } from "@/lib/errors";
import type { TenantScope } from "@/lib/query/scope";
import { recheckViewState } from "@/lib/views/recheck-view";
import type { CreateViewInput, OpenedView, UpdateViewInput, ViewSummary } from "@/lib/views/view-state";

// Saved views of an embed session's end users. The tenant, user and dashboard
// come only from the verified session, and every query carries all three:
// a view is visible to the same tenant AND dashboard AND (same user_id, or
// shared), and only its owner (same user_id; a session without one owns the
// views without one) may change it. Anything else is a 404 that says nothing
// about whether the id exists.

export const MAX_VIEWS_PER_USER = 100;

type SavedViewRow = NonNullable<Awaited<ReturnType<ReturnType<typeof getDb>["savedView"]["findFirst"]>>>;

const NOT_FOUND = "No saved view with this id is available to you here.";
const NOT_OWNED = "No saved view of yours has this id; only the person who saved a view can rename, share or delete it.";

function visibleTo(session: ActiveSession) {
  return { tenantId: session.tenantId, dashboardId: session.dashboardId, OR: [{ userId: session.userId }, { shared: true }] };
}

function ownedBy(session: ActiveSession, id: string) {
  return { id, tenantId: session.tenantId, dashboardId: session.dashboardId, userId: session.userId };
}

function summary(row: SavedViewRow, session: ActiveSession): ViewSummary {
  return {
    id: row.id,
    name: row.name,
    shared: row.shared,
    owned: row.userId === session.userId,
    version_number: row.versionNumber,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

function assertMaySave(session: ActiveSession) {
  if (!session.permissions.allow_save_views) {
    throw new AppError("forbidden", "Saving views is turned off for this session. Ask the site you are using to allow it.");
  }
}

// Ids are ours (view_ + 24 hex); anything else cannot exist and is not looked up.
const isViewId = (id: string) => /^view_[0-9a-f]{24}$/.test(id);

/** Reading needs no allow_save_views: what is opened is re-checked against the session anyway. */
export async function listViews(session: ActiveSession): Promise<{ views: ViewSummary[]; can_save: boolean }> {
  const rows = await getDb().savedView.findMany({ where: visibleTo(session), orderBy: [{ updatedAt: "desc" }, { id: "asc" }], take: 500 });
  return { views: rows.map((r) => summary(r, session)), can_save: session.permissions.allow_save_views };
}

/** `versionId` is the version the embed is showing (from its data token): the one the state was made on. */
export async function createView(session: ActiveSession, versionId: string, input: CreateViewInput): Promise<ViewSummary> {
  assertMaySave(session);
  const version = { number: (await loadPublishedSource(session.dashboardId, versionId)).versionNumber };
  const db = getDb();
  const row = await db.$transaction(async (tx) => {
    const count = await tx.savedView.count({ where: { tenantId: session.tenantId, userId: session.userId } });
    if (count >= MAX_VIEWS_PER_USER) {
      throw new AppError("conflict", `You already have ${MAX_VIEWS_PER_USER} saved views, the most allowed. Delete one you no longer need, then save again.`);
    }
    return tx.savedView.create({
      data: {
        id: `view_${crypto.randomBytes(12).toString("hex")}`,
        tenantId: session.tenantId,
        userId: session.userId,
        dashboardId: session.dashboardId,
        versionNumber: version.number,
        name: input.name,
        state: JSON.stringify(input.state),
        shared: input.shared,
      },
    });
  });
  // AI answers this session got are offered to the admins' review queue (answers of other sessions are not found).
  for (const answer of input.state.ai_answers ?? []) {
    await suggestFromLog({ logId: answer.id, tenantId: session.tenantId, sessionId: session.id, source: "customer", requestedBy: `embed:${session.id}` }).catch(() => undefined);
  }
  return summary(row, session);
}

/** A view re-checked against this session's permissions and the dashboard's live version. */
export async function openView(scope: TenantScope, session: ActiveSession, id: string): Promise<OpenedView> {
  if (scope.tenantId !== session.tenantId) throw new AppError("not_found", NOT_FOUND);
  const row = isViewId(id) ? await getDb().savedView.findFirst({ where: { id, ...visibleTo(session) } }) : null;
  if (!row) throw new AppError("not_found", NOT_FOUND);
  const live = await loadPublishedSource(session.dashboardId);
  const { definition } = live;
  const version = { number: live.versionNumber };
  let raw: unknown;
  try {
    raw = JSON.parse(row.state);
  } catch {
    raw = undefined;
  }
  const { state, notices } = recheckViewState(raw, { session, scope, definition });
  if (row.versionNumber !== version.number) {
    notices.unshift({ code: "dashboard_updated", message: "This dashboard has changed since the view was saved; it opens on the current dashboard." });
  }
  return { view: summary(row, session), state, notices, live_version_number: version.number };
}

export async function updateView(session: ActiveSession, id: string, input: UpdateViewInput): Promise<ViewSummary> {
  assertMaySave(session);
  if (!isViewId(id)) throw new AppError("not_found", NOT_OWNED);
  const db = getDb();
  // The owner's where clause is part of the write itself: no window between check and update.
  const { count } = await db.savedView.updateMany({ where: ownedBy(session, id), data: { name: input.name, shared: input.shared } });
  const row = count === 1 ? await db.savedView.findFirst({ where: ownedBy(session, id) }) : null;
  if (!row) throw new AppError("not_found", NOT_OWNED);
  return summary(row, session);
}

export async function deleteView(session: ActiveSession, id: string): Promise<{ id: string; deleted: true }> {
  assertMaySave(session);
  if (!isViewId(id)) throw new AppError("not_found", NOT_OWNED);
  const { count } = await getDb().savedView.deleteMany({ where: ownedBy(session, id) });
  if (count !== 1) throw new AppError("not_found", NOT_OWNED);
  return { id, deleted: true };
}
