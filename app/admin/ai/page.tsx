import type { Metadata } from "next";
import { ReviewItemActions } from "@/components/admin/review-item-actions";
import { listAiLog } from "@/lib/ai/ai-log";
import { listReviewItems } from "@/lib/ai/review";
import { requirePage } from "@/lib/auth/admin-session";
import { listDashboards } from "@/lib/dashboards/drafts";
import { formatDateTime } from "@/lib/format";
import { isTenantId } from "@/lib/tenant-id";
import { addAction, decideAction } from "./actions";

export const metadata: Metadata = { title: "AI" };

const OUTCOMES = ["answered", "refused", "invalid_output", "timeout", "error", "rate_limited"];
type Props = { searchParams: Promise<{ tenant?: string; outcome?: string }> };

export default async function AiPage({ searchParams }: Props) {
  await requirePage("/admin/ai", "/admin/ai");
  const q = await searchParams;
  const tenant = q.tenant && isTenantId(q.tenant) ? q.tenant : undefined;
  const outcome = q.outcome && OUTCOMES.includes(q.outcome) ? q.outcome : undefined;
  const [items, log, dashboards] = await Promise.all([listReviewItems(), listAiLog({ tenantId: tenant, outcome }), listDashboards()]);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>AI questions</h1>
          <p className="muted">Answers customers saved, or admins sent from a preview, wait here for review. Only approved answers can be added to a dashboard; publishing checks them again. A widget added here is shown to every tenant: check that its filters and title name nothing specific to the tenant that asked.</p>
        </div>
      </div>
      <div className="card table-wrap">
        <h2>Review queue</h2>
        {items.length === 0 ? (
          <div className="empty">Nothing to review.</div>
        ) : (
          <table className="table" data-testid="review-table">
            <thead><tr><th>Asked</th><th>Question</th><th>Widget</th><th>Status</th><th /></tr></thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id} data-review={item.id}>
                  <td style={{ whiteSpace: "nowrap" }}>{formatDateTime(item.createdAt)}<div className="muted">{item.tenantId} · {item.source}</div></td>
                  <td>{item.question}</td>
                  <td><strong>{item.widget.title}</strong><pre className="mono" style={{ maxWidth: 380, whiteSpace: "pre-wrap" }}>{item.widget.kind === "sql" ? item.widget.sql : JSON.stringify({ chart: item.widget.chart, metrics: item.widget.metrics, breakdown: item.widget.breakdown, filters: item.widget.filters, time_range: item.widget.time_range, granularity: item.widget.granularity })}</pre></td>
                  <td><span className={`badge${item.status === "approved" ? " badge-ok" : item.status === "rejected" ? " badge-error" : ""}`}>{item.status}</span>{item.reviewedBy && <div className="muted">{item.reviewedBy}</div>}{item.note && <div className="muted">{item.note}</div>}</td>
                  <td><ReviewItemActions id={item.id} status={item.status} addedTo={item.addedTo} dashboards={dashboards.map((d) => ({ id: d.id, name: d.name }))} decide={decideAction} add={addAction} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div className="card table-wrap">
        <h2>Questions asked</h2>
        <form className="inline-form" style={{ marginBottom: 12 }}>
          <label className="filter"><span>Tenant</span><input name="tenant" defaultValue={tenant ?? ""} placeholder="any" /></label>
          <label className="filter"><span>Outcome</span>
            <select name="outcome" defaultValue={outcome ?? ""}>
              <option value="">any</option>
              {OUTCOMES.map((o) => <option key={o} value={o}>{o}</option>)}
            </select>
          </label>
          <button className="btn" type="submit">Filter</button>
        </form>
        {log.length === 0 ? (
          <div className="empty">No questions{tenant ? ` from ${tenant}` : ""} yet.</div>
        ) : (
          <table className="table" data-testid="ai-log-table">
            <thead><tr><th>Time</th><th>Tenant</th><th>Who</th><th>Question</th><th>Outcome</th><th className="num">Latency</th></tr></thead>
            <tbody>
              {log.map((l) => (
                <tr key={l.id}>
                  <td style={{ whiteSpace: "nowrap" }}>{formatDateTime(l.createdAt)}</td>
                  <td>{l.tenantId}</td>
                  <td className="muted">{l.source === "admin" ? l.actor : `end user${l.userId ? ` ${l.userId}` : ""}`}</td>
                  <td>{l.question}</td>
                  <td><span className={`badge${l.outcome === "answered" ? " badge-ok" : l.outcome === "refused" || l.outcome === "rate_limited" ? "" : " badge-error"}`}>{l.outcome}</span>{l.reason && <div className="muted" style={{ maxWidth: 320 }}>{l.reason}</div>}</td>
                  <td className="num">{l.latencyMs} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
