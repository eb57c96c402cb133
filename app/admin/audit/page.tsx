import type { Metadata } from "next";
import Link from "next/link";
import { requirePage } from "@/lib/auth/admin-session";
import { AUDIT_EXPORT_LIMIT } from "@/lib/audit-export";
import { auditSearchParams, filterOf, parseAuditQuery, type AuditFilter } from "@/lib/audit-filter";
import { AUDIT_PAGE_SIZE, listAuditActions, searchAudit, type AuditPage, type AuditRow } from "@/lib/audit-search";
import { getDb } from "@/lib/db";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Audit log" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const fmt = new Intl.NumberFormat("en");
const WILDCARDS = "Matches anywhere, ignoring case; % and _ match any text and any one character.";
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function AuditPage({ searchParams }: Props) {
  await requirePage("/admin/audit", "/admin/audit");
  const raw = await searchParams;
  const parsed = parseAuditQuery(raw);
  const [actions, page] = await Promise.all([listAuditActions(), parsed.ok ? searchAudit(parsed.query) : undefined]);
  const filter: AuditFilter = parsed.ok ? filterOf(parsed.query) : {};
  const filtered = Object.values(filter).some(Boolean);
  const href = (cursor: { before?: number; after?: number } = {}) => `/admin/audit?${auditSearchParams(filter, cursor)}`;
  // Keep what was typed in the form, even when it did not parse.
  const value = (key: keyof AuditFilter) => (parsed.ok ? filter[key] ?? "" : first(raw[key]));
  const action = value("action");
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Audit log</h1>
          <p className="muted">Every sign-in and every change, newest first. Times are UTC.</p>
        </div>
        {page && page.total > 0 && (
          <a className="btn" href={`/admin/audit/export?${auditSearchParams(filter)}`} data-testid="audit-export" download>
            Export CSV
          </a>
        )}
      </div>
      <form className="card filter-bar" role="search" aria-label="Filter the audit log" data-testid="audit-filters" style={{ marginBottom: 16 }}>
        <div className="filter">
          <label htmlFor="audit-actor">Actor</label>
          <input id="audit-actor" name="actor" type="search" defaultValue={value("actor")} placeholder="contains, e.g. admin:" maxLength={200} title={WILDCARDS} />
        </div>
        <div className="filter">
          <label htmlFor="audit-action">Action</label>
          <select id="audit-action" name="action" defaultValue={action}>
            <option value="">Any action</option>
            {(actions.includes(action) || !action ? actions : [action, ...actions]).map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </div>
        <div className="filter">
          <label htmlFor="audit-target">Target</label>
          <input id="audit-target" name="target" type="search" defaultValue={value("target")} placeholder="contains" maxLength={200} title={WILDCARDS} />
        </div>
        <div className="filter">
          <label htmlFor="audit-from">From (UTC)</label>
          <input id="audit-from" name="from" type="date" defaultValue={value("from")} />
        </div>
        <div className="filter">
          <label htmlFor="audit-to">To (UTC)</label>
          <input id="audit-to" name="to" type="date" defaultValue={value("to")} />
        </div>
        <button className="btn btn-primary" type="submit">Apply</button>
        {(filtered || !parsed.ok) && <Link className="btn btn-ghost" href="/admin/audit">Clear</Link>}
      </form>
      <div className="card table-wrap">
        {!parsed.ok ? (
          <div className="alert alert-error" data-testid="audit-filter-error">{parsed.message}</div>
        ) : (
          page && <AuditResults page={page} filtered={filtered} href={href} />
        )}
      </div>
    </>
  );
}

async function AuditResults({ page, filtered, href }: { page: AuditPage; filtered: boolean; href: (cursor: { before?: number; after?: number }) => string }) {
  if (page.total === 0) return <div className="empty">{filtered ? "No entries match these filters." : "Nothing recorded yet."}</div>;
  return (
    <>
      <p className="muted" data-testid="audit-count">
        {fmt.format(page.total)} {page.total === 1 ? "entry matches" : "entries match"}
        {filtered ? " these filters" : ""}; {AUDIT_PAGE_SIZE} per page.
        {page.total > AUDIT_EXPORT_LIMIT && ` The CSV export holds the newest ${fmt.format(AUDIT_EXPORT_LIMIT)}; narrow the dates for older rows.`}
      </p>
      <AuditTable rows={page.rows} names={await keyNames(page.rows)} />
      <nav className="inline-form" aria-label="Pages" style={{ marginTop: 12, justifyContent: "space-between" }}>
        {page.newer ? <Link className="btn btn-sm" href={href({ after: page.newer })} data-testid="audit-newer">← Newer</Link> : <span />}
        {page.older ? <Link className="btn btn-sm" href={href({ before: page.older })} data-testid="audit-older">Older →</Link> : <span />}
      </nav>
    </>
  );
}

/** The names of the API keys acting in `rows` ("apikey:<prefix>"), by prefix: the log keeps the prefix, people know the name. */
async function keyNames(rows: AuditRow[]): Promise<Map<string, string>> {
  const prefixes = [...new Set(rows.map((r) => /^apikey:(.+)$/.exec(r.actor)?.[1]).filter((p): p is string => p !== undefined))];
  if (prefixes.length === 0) return new Map();
  const keys = await getDb().apiKey.findMany({ where: { prefix: { in: prefixes } }, select: { prefix: true, name: true } });
  return new Map(keys.map((k) => [k.prefix, k.name]));
}

function AuditTable({ rows, names }: { rows: AuditRow[]; names: Map<string, string> }) {
  if (rows.length === 0) return <div className="empty">No entries on this page. <Link href="/admin/audit">Back to the newest</Link>.</div>;
  return (
    <table className="table" data-testid="audit-table">
      <thead>
        <tr><th>Time</th><th>Actor</th><th>Action</th><th>Target</th><th>Details</th></tr>
      </thead>
      <tbody>
        {rows.map((e) => (
          <tr key={e.id} data-audit-id={e.id}>
            <td style={{ whiteSpace: "nowrap" }}>{formatDateTime(e.at)}</td>
            <td>
              {e.actor}
              {e.actor.startsWith("apikey:") && names.has(e.actor.slice(7)) && <div className="muted" data-testid="audit-key-name">key “{names.get(e.actor.slice(7))}”</div>}
            </td>
            <td><code>{e.action}</code></td>
            <td className="mono" style={{ overflowWrap: "anywhere" }}>{e.target}</td>
            <td className="muted" style={{ maxWidth: 420, overflowWrap: "anywhere" }}>
              {typeof e.details === "string" ? (
                <span className="mono">{e.details}</span>
              ) : (
                e.details.map((d) => <div key={d.key}><span className="mono">{d.key}</span>: {d.value}</div>)
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
