import Link from "next/link";
import type { ReactNode } from "react";
import { hasRole, ROLE_NEEDED, type Role } from "@/lib/auth/roles";

const TABS = [
  { key: "designer", label: "Designer", page: "/admin/dashboards/[id]", path: "" },
  { key: "preview", label: "Preview as tenant", page: "/admin/dashboards/[id]/preview", path: "/preview" },
  { key: "versions", label: "Versions & publish", page: "/admin/dashboards/[id]/versions", path: "/versions" },
  { key: "embed", label: "Embed", page: "/admin/dashboards/[id]/embed", path: "/embed" },
] as const;

/** The header of every page about one dashboard: back link, the tabs `role` may open, title. */
export function DashboardHeader({ id, current, role, title, children }: { id: string; current: (typeof TABS)[number]["key"]; role: Role; title?: string; children?: ReactNode }) {
  return (
    <>
      <nav className="dash-tabs" aria-label="Dashboard">
        <Link href="/admin/dashboards">← Dashboards</Link>
        {TABS.filter((t) => hasRole(role, ROLE_NEEDED.pages[t.page])).map((t) => (
          <Link key={t.key} href={`/admin/dashboards/${id}${t.path}`} aria-current={t.key === current ? "page" : undefined}>
            {t.label}
          </Link>
        ))}
        <a href={`/admin/dashboards/${id}/export`} download className="dash-tabs-end" data-testid="export-draft">Export draft JSON</a>
      </nav>
      {title && (
        <div className="page-head">
          <div>
            <h1>{title}</h1>
            {children && <p className="muted">{children}</p>}
          </div>
        </div>
      )}
    </>
  );
}
