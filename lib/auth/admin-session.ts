import "server-only";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { getAuthOptions } from "@/lib/auth/options";
import { getDb } from "@/lib/db";
import { adminActor } from "@/lib/audit";
import { issueProofSubject } from "@/lib/auth/admin-proof";
import { AppError } from "@/lib/errors";
import { hasRole, isRole, roleRefusal, ROLE_NEEDED, type AdminAction, type AdminPage, type AdminRoute, type Role } from "@/lib/auth/roles";

export type AdminContext = { id: string; email: string; name: string; actor: string; role: Role };

/** The signed-in teammate, re-read from the database with their role, so a removed or demoted one loses access at once. */
export async function getAdmin(): Promise<AdminContext | undefined> {
  const session = await getServerSession(getAuthOptions());
  const id = session?.user?.id;
  if (!id) return undefined;
  const user = await getDb().adminUser.findUnique({ where: { id } });
  if (!user || !isRole(user.role)) return undefined;
  return issueProofSubject({ id: user.id, email: user.email, name: user.name, actor: adminActor(user.email), role: user.role });
}

/** For pages and server actions under /admin: redirects to the login page when signed out. Any role. */
export async function requireAdmin(returnTo = "/admin"): Promise<AdminContext> {
  const admin = await getAdmin();
  if (!admin) redirect(`/login?callbackUrl=${encodeURIComponent(returnTo)}`);
  return admin;
}

/** An admin page: a teammate whose role is below the page's is sent to the overview, which says why. */
export async function requirePage(page: AdminPage, returnTo: string): Promise<AdminContext> {
  const admin = await requireAdmin(returnTo);
  if (!hasRole(admin.role, ROLE_NEEDED.pages[page])) redirect(`/admin?denied=${encodeURIComponent(page)}`);
  return admin;
}

/** A server action: refused (403 `forbidden`) below the role ROLE_NEEDED names for it, before it does anything. */
export async function requireAction(action: AdminAction, returnTo: string): Promise<AdminContext> {
  const admin = await requireAdmin(returnTo);
  const needed = ROLE_NEEDED.actions[action];
  if (!hasRole(admin.role, needed)) throw new AppError("forbidden", roleRefusal(admin.role, needed));
  return admin;
}

/** An admin route (withAdminSession): the same check, answered as JSON. */
export async function requireRoute(route: AdminRoute): Promise<AdminContext> {
  const admin = await getAdmin();
  if (!admin) throw new AppError("unauthenticated", "Sign in to the admin console first.");
  const needed = ROLE_NEEDED.routes[route];
  if (!hasRole(admin.role, needed)) throw new AppError("forbidden", roleRefusal(admin.role, needed));
  return admin;
}
