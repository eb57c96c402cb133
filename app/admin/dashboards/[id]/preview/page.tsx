import type { Metadata } from "next";
import { DashboardHeader } from "@/components/admin/dashboard-header";
import { WIDGET_BODY_CSS } from "@/components/dashboard/render/styles";
import { requirePage } from "@/lib/auth/admin-session";
import { hasRole } from "@/lib/auth/roles";
import { orNotFound } from "@/lib/or-not-found";
import { getDraft } from "@/lib/dashboards/drafts";
import { runPreview, type PreviewTarget } from "@/lib/dashboards/preview";
import { listVersions } from "@/lib/dashboards/versions";
import { Permissions } from "@/lib/query/permissions";
import { canCompare, resolveTimeRange } from "@/lib/query/time-range";
import { describeRange } from "@/lib/dashboards/diff";
import { DIMENSIONS } from "@/lib/query/catalog";
import { listTenantsForAdmin } from "@/lib/query/cross-tenant";
import { isTenantId } from "@/lib/tenant-id";
import { AdminAskPanel } from "@/components/admin/admin-ask-panel";
import { clientScriptUrl } from "@/lib/embed/embed-response";
import { adminAskAction, adminSuggestAction } from "./actions";

export const metadata: Metadata = { title: "Preview as tenant" };

type Query = { tenant?: string; show?: string; compare?: string; lock_dim?: string; lock_values?: string; hidden?: string | string[]; max_days?: string; drill?: string };
type Props = { params: Promise<{ id: string }>; searchParams: Promise<Query> };

/** Permissions from the form; an invalid combination is reported, never silently widened. */
function permissionsFrom(q: Query): { permissions: Permissions; error?: string } {
  const raw: Record<string, unknown> = {};
  const values = (q.lock_values ?? "").split(",").map((v) => v.trim()).filter(Boolean);
  if (q.lock_dim && values.length) raw.locked_filters = { [q.lock_dim]: values };
  const hidden = ([] as string[]).concat(q.hidden ?? []).filter(Boolean);
  if (hidden.length) raw.hidden_widgets = hidden;
  if (q.max_days) raw.max_date_range_days = Number(q.max_days);
  if (q.drill === "off") raw.allow_drill_down = false;
  const parsed = Permissions.safeParse(raw);
  return parsed.success ? { permissions: parsed.data } : { permissions: Permissions.parse({}), error: parsed.error.issues[0].message };
}


const SOURCE_LABEL = { rollup: "from the rollup", "rollup+events": "from the rollup, edges from events", events: "from events" } as const;
export default async function PreviewPage({ params, searchParams }: Props) {
  const { id } = await params;
  const q = await searchParams;
  const admin = await requirePage("/admin/dashboards/[id]/preview", `/admin/dashboards/${id}/preview`);
  const [draft, versions, tenants] = await orNotFound(Promise.all([getDraft(id), listVersions(id), listTenantsForAdmin({ kind: "admin", admin }, { limit: 500 })]));
  const tenant = q.tenant && isTenantId(q.tenant) ? q.tenant : tenants[0]?.tenant_id;
  const show: PreviewTarget["show"] = q.show === "live" ? "live" : q.show && /^\d+$/.test(q.show) ? Number(q.show) : "draft";
  const { permissions, error } = permissionsFrom(q);
  const compare = q.compare === "1" && versions.some((v) => v.live) && show !== "live";
  const targets: PreviewTarget[] = tenant ? [{ dashboardId: id, show, tenantId: tenant, permissions }, ...(compare ? [{ dashboardId: id, show: "live" as const, tenantId: tenant, permissions }] : [])] : [];
  const previews = await orNotFound(Promise.all(targets.map((t) => runPreview(admin, t))));
  // Side by side: the widgets in both panes whose answers differ.
  const differing = previews.length === 2 ? Object.keys(previews[0].answers).filter((w) => w in previews[1].answers && previews[0].answers[w] !== previews[1].answers[w]) : [];
  const titleOf = new Map(draft.definition.widgets.map((w) => [w.id, w.title]));
  // A date bound that removes the previous-period comparison of the default period (KPI changes, compared series).
  const defaultRange = draft.definition.filters.find((f) => f.kind === "date_range")?.default ?? { kind: "last_30_days" as const };
  const comparisonRemoved = permissions.max_date_range_days !== undefined && !canCompare(resolveTimeRange(defaultRange, draft.definition.timezone, new Date()), permissions.max_date_range_days);

  return (
    <>
      <DashboardHeader id={id} current="preview" role={admin.role} title={`${draft.name}: preview as a tenant`}>
        Exactly what the tenant&apos;s users get: the same compiler, executor and components as the embed.
      </DashboardHeader>
      <form className="card preview-controls" data-testid="preview-controls">
        <label className="filter">
          <span>Tenant</span>
          <input name="tenant" list="tenant-options" defaultValue={tenant} data-testid="preview-tenant-input" />
          <datalist id="tenant-options">
            {tenants.map((t) => <option key={t.tenant_id} value={t.tenant_id}>{`${t.events.toLocaleString("en")} events, last seen ${t.last_seen.slice(0, 10)}`}</option>)}
          </datalist>
        </label>
        <label className="filter">
          <span>Show</span>
          <select name="show" defaultValue={String(show)}>
            <option value="draft">Draft</option>
            {versions.some((v) => v.live) && <option value="live">Live</option>}
            {versions.map((v) => <option key={v.number} value={v.number}>Version {v.number}{v.live ? " (live)" : ""}</option>)}
          </select>
        </label>
        <label className="check"><input type="checkbox" name="compare" value="1" defaultChecked={compare} /> side by side with live</label>
        <fieldset className="toolbar-checks">
          <legend>Permissions</legend>
          <label className="filter"><span>Lock</span>
            <select name="lock_dim" defaultValue={q.lock_dim ?? ""}>
              <option value="">no locked filter</option>
              {DIMENSIONS.map((d) => <option key={d.id} value={d.id}>{d.label}</option>)}
            </select>
          </label>
          <label className="filter"><span>to values</span><input name="lock_values" defaultValue={q.lock_values ?? ""} placeholder="US, CA" /></label>
          <label className="filter"><span>Max days</span><input name="max_days" type="number" min={1} max={3660} defaultValue={q.max_days ?? ""} style={{ width: 90 }} /></label>
          <label className="check"><input type="checkbox" name="drill" value="off" defaultChecked={q.drill === "off"} /> no drill-down</label>
          {draft.definition.widgets.map((w) => (
            <label key={w.id} className="check"><input type="checkbox" name="hidden" value={w.id} defaultChecked={permissions.hidden_widgets?.includes(w.id)} /> hide {w.title}</label>
          ))}
        </fieldset>
        <button className="btn btn-primary" type="submit">Preview</button>
      </form>
      {error && <div className="alert alert-error" role="alert">Permissions not applied: {error}</div>}
      {!tenant && <div className="card empty">No tenant has sent events yet.</div>}
      {tenant && targets[0] && <AdminAskPanel tenant={tenant} ask={adminAskAction.bind(null, targets[0])} suggest={hasRole(admin.role, "editor") ? adminSuggestAction.bind(null, targets[0]) : undefined} />}
      {comparisonRemoved && (
        <div className="alert" role="note" data-testid="compare-removed-note">
          With at most {permissions.max_date_range_days} days, the default period ({describeRange(defaultRange).toLowerCase()}) and the one before it do not fit together: KPI changes and the comparison with the previous period are not shown.
        </div>
      )}
      {compare && previews.length === 2 && (
        <div className={differing.length ? "alert" : "alert alert-success"} role="status" data-testid="preview-differs">
          {differing.length === 0 ? "Every widget in both shows the same numbers." : <>Numbers differ between {previews[0].label} and {previews[1].label} in {differing.length === 1 ? "one widget" : `${differing.length} widgets`} (outlined): {differing.map((w) => titleOf.get(w) ?? w).join(", ")}.</>}
        </div>
      )}
      {/* Widget ids are [A-Za-z0-9_-] (WidgetId), so they are safe in a selector. */}
      {differing.length > 0 && <style>{differing.map((w) => `.preview-pane .widget[data-widget="${w}"]`).join(", ") + " { outline: 3px solid var(--warning); outline-offset: 2px; }"}</style>}
      <div className={compare ? "preview-compare" : undefined}>
        {previews.map((p, i) => (
          <section key={i} className="preview-pane">
            <div className="preview-banner" role="status" data-testid="preview-banner">
              Previewing as tenant <strong>{tenant}</strong> · showing <strong>{p.label}</strong>
              {Object.keys(permissions.locked_filters ?? {}).length > 0 && (
                <>
                  {" "}· locked{" "}
                  <span className="chips" data-testid="preview-locks">
                    {Object.entries(permissions.locked_filters ?? {}).map(([dim, values]) => (
                      <span key={dim} className="chip">{DIMENSIONS.find((d) => d.id === dim)?.label ?? dim}: {values.join(", ")}</span>
                    ))}
                  </span>
                </>
              )}
            </div>
            {/* The same markup and script as the embed: exactly what the tenant's users get. */}
            <div dangerouslySetInnerHTML={{ __html: p.markup }} />
            <div className="card">
              <h2>Effective SQL</h2>
              {p.panels.map((panel) => (
                <details key={panel.widget_id} className="effective-sql" data-testid={`sql-${panel.widget_id}`}>
                  <summary>{panel.title} {"error" in panel ? <span className="badge badge-error">error</span> : <span className="muted">· <span data-testid="answered-from">{SOURCE_LABEL[panel.source]}</span> · {panel.rows_read.toLocaleString("en")} rows read · {panel.elapsed_ms} ms{panel.shared_with.length > 0 && <> · one statement with {panel.shared_with.join(", ")}</>}</span>}</summary>
                  {"error" in panel ? (
                    <p className="alert alert-error">{panel.error}</p>
                  ) : (
                    <>
                      <pre className="mono">{panel.sql}</pre>
                      <p className="muted">Parameters</p>
                      <pre className="mono">{JSON.stringify(panel.params, null, 1)}</pre>
                      <p className="muted">Engine row filter (additional_table_filters)</p>
                      <pre className="mono">{panel.engine_filter}</pre>
                    </>
                  )}
                </details>
              ))}
            </div>
          </section>
        ))}
      </div>
      {previews.length > 0 && (
        <>
          <style>{WIDGET_BODY_CSS}</style>
          <script type="module" async src={clientScriptUrl()} />
        </>
      )}
    </>
  );
}
