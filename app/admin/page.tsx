import type { Metadata } from "next";
import Link from "next/link";
import { readStoreOverviewForAdmin } from "@/lib/query/cross-tenant";
import { requirePage } from "@/lib/auth/admin-session";
import { roleRefusal, ROLE_NEEDED, type AdminPage } from "@/lib/auth/roles";
import { listApiKeys } from "@/lib/auth/api-keys";
import { isExpired } from "@/lib/auth/key-expiry";
import { getEnv } from "@/lib/env";
import { checkHealth } from "@/lib/health";

export const metadata: Metadata = { title: "Overview" };

const fmt = new Intl.NumberFormat("en");

type Props = { searchParams: Promise<{ denied?: string }> };

export default async function AdminOverview({ searchParams }: Props) {
  const admin = await requirePage("/admin", "/admin");
  const { denied } = await searchParams;
  const deniedPage = denied && Object.hasOwn(ROLE_NEEDED.pages, denied) ? (denied as AdminPage) : undefined;
  const [health, keys] = await Promise.all([checkHealth(), listApiKeys()]);
  const overview = health.stores.analytics.status === "ok" ? await readStoreOverviewForAdmin({ kind: "admin", admin }) : undefined;
  const activeKeys = keys.filter((k) => !k.revokedAt && !isExpired(k.expiresAt)).length;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Overview</h1>
          <p className="muted">Your workspace at a glance.</p>
        </div>
      </div>
      {deniedPage && (
        <div className="alert alert-warning" role="alert" data-testid="role-denied">
          {roleRefusal(admin.role, ROLE_NEEDED.pages[deniedPage], `That page (${deniedPage.replace("[id]", "…")})`)}
        </div>
      )}
      <div className="grid grid-3">
        <div className="card stat">
          <div className="label">Events stored</div>
          <div className="value" data-testid="stat-events">{overview ? fmt.format(overview.events) : "—"}</div>
        </div>
        <div className="card stat">
          <div className="label">Tenants</div>
          <div className="value" data-testid="stat-tenants">{overview ? fmt.format(overview.tenants) : "—"}</div>
        </div>
        <div className="card stat">
          <div className="label">Active API keys</div>
          <div className="value">{fmt.format(activeKeys)}</div>
        </div>
      </div>
      <div className="card" style={{ marginTop: 16 }}>
        <h2>Stores</h2>
        <table className="table">
          <tbody>
            <tr>
              <td>Metadata (SQLite)</td>
              <td><StatusBadge status={health.stores.metadata.status} /></td>
              <td className="muted">{health.stores.metadata.status === "error" ? health.stores.metadata.error : `${health.stores.metadata.latency_ms} ms`}</td>
            </tr>
            <tr>
              <td>Analytics ({health.stores.analytics.engine === "server" ? "ClickHouse server" : "embedded chdb"})</td>
              <td><StatusBadge status={health.stores.analytics.status} /></td>
              <td className="muted">{health.stores.analytics.status === "error" ? health.stores.analytics.error : `${health.stores.analytics.latency_ms} ms`}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <div className="card">
        <h2>Get started</h2>
        <ol style={{ margin: 0, paddingLeft: 20 }}>
          <li>Create an API key with the scopes your backend needs on <Link href="/admin/keys">API keys</Link>.</li>
          <li>Check it from your backend: <code>curl {getEnv().appUrl}/v1/me -H &quot;Authorization: Bearer enc_…&quot;</code>.</li>
          <li>Every change is recorded in the <Link href="/admin/audit">audit log</Link>.</li>
        </ol>
      </div>
    </>
  );
}

function StatusBadge({ status }: { status: "ok" | "error" }) {
  return <span className={`badge ${status === "ok" ? "badge-ok" : "badge-error"}`}>{status === "ok" ? "OK" : "Error"}</span>;
}
