import type { Metadata } from "next";
import Link from "next/link";
import { ConfirmSubmit } from "@/components/admin/confirm-submit";
import { requirePage } from "@/lib/auth/admin-session";
import { hasRole } from "@/lib/auth/roles";
import { listDashboards } from "@/lib/dashboards/drafts";
import { formatDateTime } from "@/lib/format";
import { ImportDashboardForm } from "@/components/admin/import-dashboard-form";
import { archiveDashboardAction, createDashboardAction, duplicateDashboardAction, importDashboardAction } from "./actions";

export const metadata: Metadata = { title: "Dashboards" };

type Props = { searchParams: Promise<{ q?: string; archived?: string }> };

export default async function DashboardsPage({ searchParams }: Props) {
  const admin = await requirePage("/admin/dashboards", "/admin/dashboards");
  const edits = hasRole(admin.role, "editor"); // viewers read: no create, import, duplicate or archive, and open the preview
  const { q, archived } = await searchParams;
  const showArchived = archived === "1";
  const dashboards = await listDashboards({ search: q?.trim() || undefined, archived: showArchived });
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Dashboards</h1>
          <p className="muted">Drafts are tenant-agnostic; publish a version to embed it for every tenant.</p>
        </div>
        {edits && (
          <form action={createDashboardAction} className="inline-form">
            <label className="visually-hidden" htmlFor="new-name">New dashboard name</label>
            <input id="new-name" name="name" type="text" placeholder="New dashboard name" maxLength={120} />
            <button className="btn btn-primary" type="submit">Create dashboard</button>
          </form>
        )}
      </div>
      {edits && (
        <div className="card">
          <ImportDashboardForm action={importDashboardAction} />
          <p className="muted" style={{ marginBottom: 0 }}>A file made by Export JSON (on any dashboard&apos;s tabs) or <code>GET /v1/dashboards/:id/export</code> becomes a new draft; nothing goes live until you publish it.</p>
        </div>
      )}
      <div className="card table-wrap">
        <form className="inline-form" role="search" style={{ marginBottom: 12 }}>
          <label className="visually-hidden" htmlFor="q">Search dashboards</label>
          <input id="q" name="q" type="search" defaultValue={q ?? ""} placeholder="Search by name" />
          {showArchived && <input type="hidden" name="archived" value="1" />}
          <button className="btn" type="submit">Search</button>
          <Link className="btn btn-ghost" href={showArchived ? "/admin/dashboards" : "/admin/dashboards?archived=1"}>{showArchived ? "Show active" : "Show archived"}</Link>
        </form>
        {dashboards.length === 0 ? (
          <div className="empty">{q ? `No dashboards match "${q}".` : showArchived ? "No archived dashboards." : edits ? "No dashboards yet. Create one above." : "No dashboards yet."}</div>
        ) : (
          <table className="table" data-testid="dashboards-table">
            <thead>
              <tr><th>Name</th><th>Widgets</th><th>Live version</th><th>Last edited</th><th /></tr>
            </thead>
            <tbody>
              {dashboards.map((d) => (
                <tr key={d.id} data-dashboard={d.id}>
                  <td><Link href={edits ? `/admin/dashboards/${d.id}` : `/admin/dashboards/${d.id}/preview`}>{d.name}</Link><div className="muted mono">{d.id}</div></td>
                  <td className="num">{d.widgets}</td>
                  <td>{d.liveVersion ? <span className="badge badge-ok">v{d.liveVersion}</span> : <span className="badge">draft only</span>}</td>
                  <td>{formatDateTime(d.updatedAt)}<div className="muted">{d.updatedBy}</div></td>
                  <td style={{ whiteSpace: "nowrap" }}>
                    {edits && (<>
                    <form action={duplicateDashboardAction} style={{ display: "inline" }}>
                      <input type="hidden" name="id" value={d.id} />
                      <button className="btn btn-sm" type="submit">Duplicate</button>
                    </form>{" "}
                    <form action={archiveDashboardAction} style={{ display: "inline" }}>
                      <input type="hidden" name="id" value={d.id} />
                      <input type="hidden" name="archived" value={showArchived ? "false" : "true"} />
                      {showArchived ? (
                        <button className="btn btn-sm" type="submit">Restore</button>
                      ) : (
                        <ConfirmSubmit message={`Archive "${d.name}"? Its embeds stop showing; versions are kept and you can restore it.`}>Archive</ConfirmSubmit>
                      )}
                    </form>
                    </>)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
