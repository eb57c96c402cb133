import type { Metadata } from "next";
import { ConfirmSubmit } from "@/components/admin/confirm-submit";
import { CreateKeyForm } from "@/components/admin/create-key-form";
import { requirePage } from "@/lib/auth/admin-session";
import { listApiKeys } from "@/lib/auth/api-keys";
import { isExpired } from "@/lib/auth/key-expiry";
import { formatDateTime } from "@/lib/format";
import { createKeyAction, revokeKeyAction } from "./actions";

export const metadata: Metadata = { title: "API keys" };

export default async function KeysPage() {
  await requirePage("/admin/keys", "/admin/keys");
  const keys = await listApiKeys();
  const now = new Date();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>API keys</h1>
          <p className="muted">Keys let your backend mint embed sessions, send events and manage dashboards. Secrets are stored hashed and shown once.</p>
        </div>
      </div>
      <CreateKeyForm action={createKeyAction} />
      <div className="card table-wrap">
        <h2>Keys</h2>
        {keys.length === 0 ? (
          <div className="empty">No API keys yet. Create one above, or run <code>npm run enclave -- keys create --name ci --scopes embed</code>.</div>
        ) : (
          <table className="table" data-testid="keys-table">
            <thead>
              <tr><th>Name</th><th>Prefix</th><th>Scopes</th><th>Tenant</th><th>Created</th><th>Expires</th><th>Last used</th><th>Status</th><th /></tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id} data-key-prefix={key.prefix}>
                  <td>{key.name}</td>
                  <td><code>{key.prefix}…</code></td>
                  <td>{key.scopes.map((s) => <span key={s} className="badge" style={{ marginRight: 4 }}>{s}</span>)}</td>
                  <td>{key.tenantId ?? <span className="muted">all</span>}</td>
                  <td>{formatDateTime(key.createdAt)}<div className="muted">{key.createdBy}</div></td>
                  <td data-testid="expires">{key.expiresAt ? formatDateTime(key.expiresAt) : <span className="muted">never</span>}</td>
                  <td data-testid="last-used">{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : <span className="muted">never</span>}</td>
                  <td>{key.revokedAt ? <span className="badge badge-error">revoked</span> : isExpired(key.expiresAt, now) ? <span className="badge badge-error">expired</span> : <span className="badge badge-ok">active</span>}</td>
                  <td>
                    {!key.revokedAt && (
                      <form action={revokeKeyAction}>
                        <input type="hidden" name="id" value={key.id} />
                        <ConfirmSubmit message={`Revoke "${key.name}"? Calls with this key will fail at once.`}>Revoke</ConfirmSubmit>
                      </form>
                    )}
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
