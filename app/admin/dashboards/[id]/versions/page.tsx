import type { Metadata } from "next";
import { DashboardHeader } from "@/components/admin/dashboard-header";
import { ConfirmSubmit } from "@/components/admin/confirm-submit";
import { DefinitionDiffView } from "@/components/admin/definition-diff";
import { PublishForm } from "@/components/admin/publish-form";
import { requirePage } from "@/lib/auth/admin-session";
import { hasRole } from "@/lib/auth/roles";
import { orNotFound } from "@/lib/or-not-found";
import { diffDefinitions } from "@/lib/dashboards/diff";
import { getDraft } from "@/lib/dashboards/drafts";
import { getVersionDefinition, listVersions } from "@/lib/dashboards/versions";
import { formatDateTime } from "@/lib/format";
import { rollupStatus } from "@/lib/rollups/build";
import { publishAction, rollbackAction } from "./actions";

export const metadata: Metadata = { title: "Versions" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ from?: string; to?: string; rolled_back?: string }> };

export default async function VersionsPage({ params, searchParams }: Props) {
  const { id } = await params;
  const admin = await requirePage("/admin/dashboards/[id]/versions", `/admin/dashboards/${id}/versions`);
  const [draft, versions, query] = await orNotFound(Promise.all([getDraft(id), listVersions(id), searchParams]));
  const numbers = versions.map((v) => v.number);
  const to = numbers.includes(Number(query.to)) ? Number(query.to) : numbers[0];
  const from = numbers.includes(Number(query.from)) ? Number(query.from) : numbers[1];
  const diff = from && to ? diffDefinitions(await orNotFound(getVersionDefinition(id, from)), await orNotFound(getVersionDefinition(id, to))) : undefined;
  const live = versions.find((v) => v.live);
  const liveDefinition = live ? await getVersionDefinition(id, live.number) : undefined;
  const rollup = liveDefinition ? await rollupStatus(liveDefinition).catch(() => undefined) : undefined;
  // What publishing would change: the draft against what embeds show now.
  const sinceLive = liveDefinition ? diffDefinitions(liveDefinition, draft.definition) : undefined;
  // After a rollback (rollbackAction redirects here): which version is live now, and what it changed back.
  const rolledBack = live && query.rolled_back === String(live.number) ? live : undefined;
  return (
    <>
      <DashboardHeader id={id} current="versions" role={admin.role} title={`${draft.name}: versions`}>
        Published versions never change. Rolling back moves the live pointer; nothing is deleted.
      </DashboardHeader>
      {rolledBack && (
        <div className="alert alert-success" role="status" data-testid="rollback-ok">
          v{rolledBack.number} is live again{rolledBack.note ? ` (“${rolledBack.note}”)` : ""}, published {formatDateTime(rolledBack.createdAt)} by {rolledBack.createdBy}: {liveDefinition!.widgets.length} widgets ({liveDefinition!.widgets.map((w) => w.title).join(", ")}). Embeds show it on their next load; the draft is unchanged.
        </div>
      )}
      {hasRole(admin.role, "editor") && (
        <PublishForm action={publishAction.bind(null, id)}>
          <div data-testid="changes-since-live">
            <h3>{live ? `Changes since live (v${live.number})` : "Not published yet"}</h3>
            {sinceLive ? (
              <DefinitionDiffView diff={sinceLive} empty={`The draft is the same as v${live!.number}: publishing makes an identical version.`} />
            ) : (
              <p className="muted">Publishing makes v1 with {draft.definition.widgets.length} widgets.</p>
            )}
          </div>
        </PublishForm>
      )}
      {live && <RollupCard version={live.number} rollup={rollup} />}
      <div className="card table-wrap">
        <h2>History</h2>
        {versions.length === 0 ? (
          <div className="empty">Not published yet.</div>
        ) : (
          <table className="table" data-testid="versions-table">
            <thead>
              <tr><th>Version</th><th>Note</th><th>Published by</th><th>When</th><th /></tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id} data-version={v.number}>
                  <td>v{v.number} {v.live && <span className="badge badge-ok">live</span>}</td>
                  <td>{v.note || <span className="muted">—</span>}</td>
                  <td>{v.createdBy}</td>
                  <td>{formatDateTime(v.createdAt)}</td>
                  <td style={{ whiteSpace: "nowrap" }}>
                    <a className="btn btn-sm" href={`/admin/dashboards/${id}/export?version=${v.number}`} download>Export JSON</a>{" "}
                    {!v.live && hasRole(admin.role, "editor") && (
                      <form action={rollbackAction.bind(null, id)} style={{ display: "inline" }}>
                        <input type="hidden" name="number" value={v.number} />
                        <ConfirmSubmit className="btn btn-sm" message={`Make v${v.number} live again${v.note ? ` (“${v.note}”)` : ""}? It replaces v${live?.number ?? "?"} in every embed on their next load; the draft is not changed.`}>Roll back to v{v.number}</ConfirmSubmit>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {versions.length > 1 && (
        <div className="card">
          <h2>Compare versions</h2>
          <form className="inline-form" style={{ marginBottom: 12 }}>
            <label>From <select name="from" defaultValue={from}>{numbers.map((n) => <option key={n} value={n}>v{n}</option>)}</select></label>
            <label>To <select name="to" defaultValue={to}>{numbers.map((n) => <option key={n} value={n}>v{n}</option>)}</select></label>
            <button className="btn" type="submit">Compare</button>
          </form>
          {diff && (
            <div data-testid="version-diff">
              <p className="muted">v{from} → v{to}</p>
              <DefinitionDiffView diff={diff} />
            </div>
          )}
        </div>
      )}
    </>
  );
}

type Rollup = Awaited<ReturnType<typeof rollupStatus>>;

const bytes = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.ceil(n / 1e3).toLocaleString("en")} kB`);

/** The live version's rollup: what it keeps, whether it is built, and its size. Refreshes itself while it builds. */
function RollupCard({ version, rollup }: { version: number; rollup: Rollup }) {
  const status = rollup?.status;
  return (
    <div className="card" data-testid="rollup-card">
      <h2>Rollup of v{version}</h2>
      {!rollup ? (
        <p className="muted">No widget of this version can be answered from a rollup (quantiles and custom SQL read events).</p>
      ) : (
        <>
          <p className="muted">
            {rollup.def.sets.length} {rollup.def.sets.length === 1 ? "set" : "sets"} in {rollup.def.timezone}:{" "}
            {rollup.def.sets.map((s) => `${s.grain}${s.dims.length ? ` × ${s.dims.map((d) => d.replace(/^properties\['(.*)'\]$/, "$1")).join(" × ")}` : ""}`).join("; ")}
          </p>
          {!status && <p data-testid="rollup-state">Not built yet: widgets read events until it is. It is built in the background after a publish or a rollback.</p>}
          {status?.state === "building" && (
            <>
              <meta httpEquiv="refresh" content="3" />
              <p data-testid="rollup-state">
                <span className="badge">building</span> {status.partsDone} of {status.partsTotal || "?"} months of events backfilled ({status.rowsRead.toLocaleString("en")} events). Widgets read events until it is ready.
              </p>
              <progress max={status.partsTotal || 1} value={status.partsDone} />
            </>
          )}
          {status?.state === "ready" && (
            <p data-testid="rollup-state">
              <span className="badge badge-ok">ready</span> {status.rows.toLocaleString("en")} rows, {bytes(status.bytes)} on disk, built from {status.rowsRead.toLocaleString("en")} events{status.readyAt ? ` (${formatDateTime(status.readyAt)})` : ""}. Kept current as events arrive.
            </p>
          )}
          {status?.state === "failed" && (
            <p className="alert alert-error" data-testid="rollup-state">
              The rollup could not be built: {status.error}. Widgets read events; it is tried again on the next start or publish.
            </p>
          )}
        </>
      )}
    </div>
  );
}
