import Link from "next/link";
import type { ReactNode } from "react";

const TABS = [
  { key: "designer", label: "Designer", path: "" },
  { key: "preview", label: "Preview as tenant", path: "/preview" },
  { key: "versions", label: "Versions & publish", path: "/versions" },
  { key: "embed", label: "Embed", path: "/embed" },
] as const;

/** The header of every page about one dashboard: back link, tabs, title. */
export function DashboardHeader({ id, current, title, children }: { id: string; current: (typeof TABS)[number]["key"]; title?: string; children?: ReactNode }) {
  return (
    <>
      <nav className="dash-tabs" aria-label="Dashboard">
        <Link href="/admin/dashboards">← Dashboards</Link>
        {TABS.map((t) => (
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
