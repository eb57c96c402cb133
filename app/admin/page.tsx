import type { Metadata } from "next";
import Link from "next/link";
import { CopyButton } from "@/components/admin/copy-button";
import { readStoreOverviewForAdmin } from "@/lib/query/cross-tenant";
import { requirePage } from "@/lib/auth/admin-session";
import { roleRefusal, ROLE_NEEDED, type AdminPage } from "@/lib/auth/roles";
import { listApiKeys } from "@/lib/auth/api-keys";
import { isExpired } from "@/lib/auth/key-expiry";
import { getEnv } from "@/lib/env";
import { checkHealth } from "@/lib/health";
import { firstRunSteps, type FirstRunStep } from "@/lib/setup/first-run";

export const metadata: Metadata = { title: "Overview" };

const fmt = new Intl.NumberFormat("en");

type Props = { searchParams: Promise<{ denied?: string }> };

export default async function AdminOverview({ searchParams }: Props) {
  const admin = await requirePage("/admin", "/admin");
  const { denied } = await searchParams;
  const deniedPage = denied && Object.hasOwn(ROLE_NEEDED.pages, denied) ? (denied as AdminPage) : undefined;
  const [health, keys, steps] = await Promise.all([checkHealth(), listApiKeys(), firstRunSteps()]);
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
      <GetStarted steps={steps} appUrl={getEnv().appUrl} owner={admin.role === "owner"} />
    </>
  );
}

function StatusBadge({ status }: { status: "ok" | "error" }) {
  return <span className={`badge ${status === "ok" ? "badge-ok" : "badge-error"}`}>{status === "ok" ? "OK" : "Error"}</span>;
}

const STEP_TEXT: Record<FirstRunStep["key"], { title: string; how: (appUrl: string) => React.ReactNode }> = {
  key: { title: "Create an API key", how: () => <>with the scopes your backend needs, on <Link href="/admin/keys">API keys</Link> (an owner&apos;s page).</> },
  publish: { title: "Publish a dashboard", how: () => <>design one under <Link href="/admin/dashboards">Dashboards</Link>, then publish a version on its Versions tab.</> },
  session: {
    title: "Mint an embed session",
    how: (appUrl) => (
      <>
        from your backend: <InlineSnippet code={`curl -X POST ${appUrl}/v1/embed-sessions -H "Authorization: Bearer enc_…" -d '{"tenant_id":"acme","dashboard_id":"…"}'`} name="session" />, or with the test minter on a dashboard&apos;s Embed tab; put the returned <code>embed_url</code> in an iframe.
      </>
    ),
  },
  events: { title: "Send events", how: (appUrl) => <>from your backend, each with its <code>tenant_id</code>: <InlineSnippet code={`curl -X POST ${appUrl}/v1/events -H "Authorization: Bearer enc_…" -d '[{"tenant_id":"acme","name":"signup"}]'`} name="events" />.</> },
};

/** A one-line command in a step's sentence, with a button that copies it. */
function InlineSnippet({ code, name }: { code: string; name: string }) {
  return (
    <>
      <code>{code}</code> <CopyButton value={code} what={`the ${name} command`} className="btn btn-sm btn-ghost" />
    </>
  );
}

/** Create a key → publish → mint → send events, each ticked from the install's state (lib/setup/first-run.ts). */
function GetStarted({ steps, appUrl, owner }: { steps: FirstRunStep[]; appUrl: string; owner: boolean }) {
  const done = steps.filter((s) => s.done).length;
  return (
    <div className="card" data-testid="get-started">
      <h2>Get started</h2>
      <p className="muted" data-testid="get-started-progress">
        {done === steps.length ? "All four steps are done: your customers can see their analytics." : `${done} of ${steps.length} steps done.`}
        {!owner && " Some steps need an owner."}
      </p>
      <ol className="first-run">
        {steps.map((step) => (
          <li key={step.key} data-step={step.key} data-done={step.done ? "true" : "false"}>
            <span className={`badge ${step.done ? "badge-ok" : ""}`} aria-label={step.done ? "done" : "to do"}>{step.done ? "✓" : "…"}</span> <strong>{STEP_TEXT[step.key].title}</strong> {STEP_TEXT[step.key].how(appUrl)}
          </li>
        ))}
      </ol>
      <p className="muted" style={{ marginBottom: 0 }}>Every change is recorded in the audit log.</p>
    </div>
  );
}
