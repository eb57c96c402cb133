import "server-only";
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { AllowedOrigins, parseStoredOrigins } from "@/lib/embed/origins";

export const AllowedOriginsInput = z.object({ origins: AllowedOrigins }).strict();

export async function getAllowedOrigins(dashboardId: string): Promise<string[]> {
  const dashboard = await getDb().dashboard.findUnique({ where: { id: dashboardId } });
  if (!dashboard) throw new AppError("not_found", `No dashboard has the id "${dashboardId}".`);
  return parseStoredOrigins(dashboard.allowedOrigins);
}

/** Origins apply to sessions minted afterwards (each token carries the origins it was signed with). */
export async function setAllowedOrigins(dashboardId: string, origins: string[], actor: string): Promise<string[]> {
  const db = getDb();
  if (!(await db.dashboard.findUnique({ where: { id: dashboardId } }))) throw new AppError("not_found", `No dashboard has the id "${dashboardId}".`);
  const unique = [...new Set(origins)];
  await db.dashboard.update({ where: { id: dashboardId }, data: { allowedOrigins: JSON.stringify(unique), updatedBy: actor } });
  await recordAudit({ actor, action: "dashboard.allowed_origins", target: dashboardId, meta: { origins: unique } });
  return unique;
}
