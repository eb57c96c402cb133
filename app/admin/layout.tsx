import Link from "next/link";
import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/admin-nav";
import { SignOutButton } from "@/components/admin/sign-out-button";
import { ThemeToggle } from "@/components/theme-toggle";
import { requireAdmin } from "@/lib/auth/admin-session";
import { ROLE_LABEL } from "@/lib/auth/roles";

export const dynamic = "force-dynamic";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const admin = await requireAdmin();
  return (
    <div className="shell">
      <aside className="sidebar">
        <Link href="/admin" className="brand">
          <span className="brand-mark" aria-hidden>E</span> Enclave
        </Link>
        <AdminNav role={admin.role} />
        <div className="sidebar-foot">
          <div className="user" title={admin.email}>
            <div>{admin.name}</div>
            <div className="muted" data-testid="signed-in-as">{admin.email}</div>
            <div className="muted" data-testid="signed-in-role">{ROLE_LABEL[admin.role]}</div>
          </div>
          <div style={{ display: "flex", gap: 6, padding: "0 6px" }}>
            <ThemeToggle />
            <SignOutButton />
          </div>
        </div>
      </aside>
      <main className="main">{children}</main>
    </div>
  );
}
