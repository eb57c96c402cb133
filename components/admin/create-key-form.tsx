"use client";

import { useActionState } from "react";
import { CopySecret } from "@/components/admin/copy-secret";
import type { CreateKeyState } from "@/app/admin/keys/actions";

type Props = { action: (prev: CreateKeyState, form: FormData) => Promise<CreateKeyState> };

export function CreateKeyForm({ action }: Props) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className="card" aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create an API key</h2>
      {state.status === "error" && <div className="alert alert-error" role="alert">{state.message}</div>}
      {state.status === "created" && (
        <div className="alert alert-success" role="status">
          <p><strong>{state.name}</strong> was created{state.expiresAt ? <> and works until <span data-testid="new-key-expires">{state.expiresAt}</span></> : null}. Copy the secret now: it is shown only once.</p>
          <CopySecret value={state.secret} testId="new-key-secret" />
        </div>
      )}
      <div className="field">
        <label htmlFor="key-name">Name</label>
        <input id="key-name" name="name" type="text" required maxLength={100} placeholder="production backend" />
      </div>
      <fieldset className="field">
        <legend>Scopes</legend>
        <div className="checks">
          <label><input type="checkbox" name="scopes" value="embed" defaultChecked /> embed — mint embed sessions</label>
          <label><input type="checkbox" name="scopes" value="ingest" /> ingest — send events</label>
          <label><input type="checkbox" name="scopes" value="admin" /> admin — dashboards, previews, tenants</label>
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor="key-tenant">Restrict to one tenant (optional)</label>
        <input id="key-tenant" name="tenant_id" type="text" maxLength={128} placeholder="acme" />
        <span className="hint">A restricted key may mint sessions, ingest, preview and delete only for this tenant.</span>
      </div>
      <div className="field">
        <label htmlFor="key-expires">Expires (optional)</label>
        <input id="key-expires" name="expires_at" type="text" maxLength={40} placeholder="2027-01-31 or 90d" />
        <span className="hint">A date (the key works through that day, UTC), a date and time with its zone, or a number of days such as 90d. Empty: never expires.</span>
      </div>
      <button className="btn btn-primary" type="submit" disabled={pending}>{pending ? "Creating…" : "Create key"}</button>
    </form>
  );
}
