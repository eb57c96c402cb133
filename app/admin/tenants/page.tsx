import type { Metadata } from "next";
import Link from "next/link";
import { RevokeTenantForm } from "@/components/admin/revoke-tenant-form";
import { requirePage } from "@/lib/auth/admin-session";
import { hasRole } from "@/lib/auth/roles";
import { listDashboards } from "@/lib/dashboards/drafts";
import { tenantAuditHref, tenantPreviewHref } from "@/lib/tenants/preview-link";
import { formatDateTime } from "@/lib/format";
import { listTenantOverview, TENANT_LIST_LIMIT, TenantSearch } from "@/lib/tenants/overview";
import { revokeTenantSessionsAction } from "./actions";

export const metadata: Metadata = { title: "Tenants" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const fmt = new Intl.NumberFormat("en");

export default async function TenantsPage({ searchParams }: Props) {
  const admin = await requirePage("/admin/tenants", "/admin/tenants");
  const parsed = TenantSearch.safeParse(await searchParams);
  const q = parsed.success ? parsed.data.q : undefined;
  const [overview, dashboards] = await Promise.all([parsed.success ? listTenantOverview(admin, { search: q }) : undefined, listDashboards()]);
  // Revoking sessions and reading the audit log are an owner's; the page is an editor's.
  const owner = hasRole(admin.role, "owner");
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Tenants</h1>
          <p className="muted">
            A tenant exists once it has events or embed sessions. Events come from the analytics store (the {fmt.format(TENANT_LIST_LIMIT)} with the most events); sessions from the metadata store.
          </p>
        </div>
      </div>
      <div className="card table-wrap">
        <form className="inline-form" role="search" style={{ marginBottom: 12 }}>
          <label className="visually-hidden" htmlFor="tenant-q">Search tenants</label>
          <input id="tenant-q" name="q" type="search" defaultValue={q ?? ""} placeholder="Tenant id contains…" maxLength={128} />
          <button className="btn" type="submit">Search</button>
          {q && <Link className="btn btn-ghost" href="/admin/tenants">Clear</Link>}
        </form>
        {!parsed.success && <div className="alert alert-error" data-testid="tenants-search-error">{parsed.error.issues[0].message}</div>}
        {overview?.eventsError && <div className="alert alert-warning" data-testid="tenants-events-error">{overview.eventsError}</div>}
        {overview && overview.tenants.length === 0 && <div className="empty">{q ? `No tenant id contains "${q}".` : "No tenants yet: no events were ingested and no embed session was minted."}</div>}
        {overview && overview.tenants.length > 0 && (
          <table className="table" data-testid="tenants-table">
            <thead>
              <tr><th>Tenant</th><th className="num">Events</th><th>First seen</th><th>Last seen</th><th className="num">Active sessions</th><th className="num">Minted, last 24 h</th>{owner && <th><span className="visually-hidden">Actions</span></th>}</tr>
            </thead>
            <tbody>
              {overview.tenants.map((t) => (
                <tr key={t.tenant_id} data-tenant={t.tenant_id}>
                  <td>
                    <span className="mono">{t.tenant_id}</span>
                    <TenantLinks tenantId={t.tenant_id} previewHref={tenantPreviewHref(dashboards, t.tenant_id)} owner={owner} />
                  </td>
                  <td className="num" data-testid="tenant-events">
                    {t.events === null ? <span className="muted" title={overview.eventsTruncated ? "Not among the tenants with the most events" : undefined}>{overview.eventsTruncated ? "not listed" : "none"}</span> : fmt.format(t.events)}
                  </td>
                  <td>{t.firstSeen ? formatDateTime(t.firstSeen) : <span className="muted">—</span>}</td>
                  <td>{t.lastSeen ? formatDateTime(t.lastSeen) : <span className="muted">—</span>}</td>
                  <td className="num" data-testid="tenant-active-sessions">{fmt.format(t.activeSessions)}</td>
                  <td className="num" data-testid="tenant-sessions-24h">{fmt.format(t.sessionsLast24h)}</td>
                  {owner && <td><RevokeTenantForm tenantId={t.tenant_id} action={revokeTenantSessionsAction} /></td>}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}

/** Where to look at one tenant: its dashboards as its users see them, and (owners) what was done to it. */
function TenantLinks({ tenantId, previewHref, owner }: { tenantId: string; previewHref?: string; owner: boolean }) {
  if (!previewHref && !owner) return null;
  return (
    <div className="tenant-links">
      {previewHref && <Link href={previewHref} aria-label={`Preview as ${tenantId}`}>Preview as tenant</Link>}
      {owner && <Link href={tenantAuditHref(tenantId)} aria-label={`Audit log for ${tenantId}`}>Audit log</Link>}
    </div>
  );
}
