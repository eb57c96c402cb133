"use client";

import { useActionState } from "react";
import type { MintState, OriginsState } from "@/app/admin/dashboards/[id]/embed/actions";
import type { MintableWidget } from "@/lib/embed/mintable-widgets";
import { DIMENSIONS } from "@/lib/query/catalog";

type Props = {
  origins: string[];
  widgets: MintableWidget[];
  adminOrigin: string;
  tenants: string[];
  saveOrigins: (prev: OriginsState, form: FormData) => Promise<OriginsState>;
  mint: (prev: MintState, form: FormData) => Promise<MintState>;
};

export function OriginsEditor({ origins, saveOrigins }: Pick<Props, "origins" | "saveOrigins">) {
  const [state, action, pending] = useActionState(saveOrigins, { status: "idle" });
  return (
    <form action={action} className="card" aria-labelledby="origins-title">
      <h2 id="origins-title">Allowed origins</h2>
      <p className="muted">Pages on these origins may frame this dashboard (Content-Security-Policy: frame-ancestors). One per line, scheme://host[:port]. Applies to sessions minted afterwards.</p>
      {state.status === "error" && <div className="alert alert-error" role="alert" data-testid="origins-error">{state.message}</div>}
      {state.status === "saved" && <div className="alert alert-success" role="status" data-testid="origins-saved">Saved {state.origins.length} origins.</div>}
      <div className="field">
        <label htmlFor="origins">Origins</label>
        <textarea id="origins" name="origins" rows={4} className="mono" defaultValue={origins.join("\n")} />
      </div>
      <button className="btn btn-primary" type="submit" disabled={pending}>{pending ? "Saving…" : "Save origins"}</button>
    </form>
  );
}

export function TestSessionMinter({ tenants, widgets, mint, origins, adminOrigin }: Pick<Props, "tenants" | "widgets" | "mint" | "origins" | "adminOrigin">) {
  const [state, action, pending] = useActionState(mint, { status: "idle" });
  return (
    <form action={action} className="card" aria-labelledby="mint-title">
      <h2 id="mint-title">Try it: mint a test session</h2>
      <p className="muted">Every option of POST /v1/embed-sessions, checked by the same rules.</p>
      {!origins.includes(adminOrigin) && <div className="alert alert-warning">Add {adminOrigin} to the allowed origins to see the embed framed here.</div>}
      {state.status === "error" && <div className="alert alert-error" role="alert" data-testid="mint-error">{state.message}</div>}
      <div className="inline-form">
        <label className="filter"><span>Tenant</span><input name="tenant" list="mint-tenants" defaultValue={tenants[0] ?? ""} required data-testid="mint-tenant" /></label>
        <datalist id="mint-tenants">{tenants.map((t) => <option key={t} value={t} />)}</datalist>
        <label className="filter"><span>User id</span><input name="user_id" placeholder="optional" maxLength={200} style={{ width: 130 }} /></label>
        <label className="filter"><span>Lifetime (s)</span><input name="ttl" type="number" min={10} max={86400} defaultValue={3600} style={{ width: 100 }} /></label>
        <label className="filter"><span>Locale</span><input name="locale" defaultValue="en" placeholder="en, de-DE" maxLength={35} style={{ width: 90 }} data-testid="mint-locale" /></label>
        <label className="filter"><span>Max date range (days)</span><input name="max_date_range_days" type="number" min={1} max={3660} placeholder="any" style={{ width: 110 }} /></label>
      </div>
      <div className="inline-form">
        <label className="filter"><span>Lock</span>
          <select name="lock_dim" defaultValue="">
            <option value="">nothing</option>
            {DIMENSIONS.map((d) => <option key={d.id} value={d.id}>{d.label}</option>)}
          </select>
        </label>
        <label className="filter"><span>to values</span><input name="lock_values" placeholder="US, CA" /></label>
      </div>
      <fieldset className="field">
        <legend>Allows</legend>
        <div className="checks">
          <label><input type="checkbox" name="allow_ai" /> AI questions</label>
          <label><input type="checkbox" name="allow_export" /> export</label>
          <label><input type="checkbox" name="allow_drill_down" defaultChecked /> drill-down</label>
          <label><input type="checkbox" name="allow_save_views" defaultChecked /> saved views</label>
          <label><input type="checkbox" name="single_use" /> single use (the link opens once)</label>
        </div>
      </fieldset>
      <fieldset className="field">
        <legend>Hidden widgets</legend>
        {widgets.length === 0 ? (
          <span className="hint">Publish the dashboard to choose widgets to hide.</span>
        ) : (
          <div className="checks">{widgets.map((w) => <label key={w.id}><input type="checkbox" name="hidden_widgets" value={w.id} /> {w.title}</label>)}</div>
        )}
      </fieldset>
      <fieldset className="field">
        <legend>Breakdowns and drills allowed</legend>
        <span className="hint">None checked: every dimension.</span>
        <div className="checks">{DIMENSIONS.map((d) => <label key={d.id}><input type="checkbox" name="allowed_dimensions" value={d.id} /> {d.label}</label>)}</div>
      </fieldset>
      <button className="btn btn-primary" type="submit" disabled={pending}>{pending ? "Minting…" : "Mint and open"}</button>
      {state.status === "minted" && (
        <>
          <p className="muted">Session <code>{state.session_id}</code>, expires {state.expires_at}. <a href={state.embed_url} target="_blank" rel="noreferrer">Open in a new tab</a></p>
          <iframe key={state.session_id} src={state.embed_url} title="Embed test" className="embed-test" data-testid="embed-test-frame" />
        </>
      )}
    </form>
  );
}
