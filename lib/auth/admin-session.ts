import "server-only";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { getAuthOptions } from "@/lib/auth/options";
import { getDb } from "@/lib/db";
import { adminActor } from "@/lib/audit";
import { issueProofSubject } from "@/lib/auth/admin-proof";

export type AdminContext = { id: string; email: string; name: string; actor: string };

/** The signed-in admin, re-read from the database so a deleted admin loses access. */
export async function getAdmin(): Promise<AdminContext | undefined> {
  const session = await getServerSession(getAuthOptions());
  const id = session?.user?.id;
  if (!id) return undefined;
  const user = await getDb().adminUser.findUnique({ where: { id } });
  return user ? issueProofSubject({ id: user.id, email: user.email, name: user.name, actor: adminActor(user.email) }) : undefined;
}

/** For pages and server actions under /admin: redirects to the login page when signed out. */
export async function requireAdmin(returnTo = "/admin"): Promise<AdminContext> {
  const admin = await getAdmin();
  if (!admin) redirect(`/login?callbackUrl=${encodeURIComponent(returnTo)}`);
  return admin;
}
