"use client";

import { useActionState, type ReactNode } from "react";
import type { PublishState } from "@/app/admin/dashboards/[id]/versions/actions";

/** `children`: what publishing would change (the page's "changes since live"). */
export function PublishForm({ action, children }: { action: (prev: PublishState, form: FormData) => Promise<PublishState>; children?: ReactNode }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className="card" aria-labelledby="publish-title">
      <h2 id="publish-title">Publish the draft</h2>
      <p className="muted">Publishing checks every widget (it must compile; custom SQL must pass the guard), stores an immutable version and makes it live. Embeds show it on their next load.</p>
      {state.status === "error" && <div className="alert alert-error" role="alert" data-testid="publish-error">{state.message}</div>}
      {state.status === "published" && <div className="alert alert-success" role="status" data-testid="publish-ok">Version {state.number} is live.</div>}
      {children}
      <div className="inline-form">
        <label className="visually-hidden" htmlFor="publish-note">Note</label>
        <input id="publish-note" name="note" type="text" placeholder="What changed (optional)" maxLength={500} style={{ minWidth: 320 }} />
        <button className="btn btn-primary" type="submit" disabled={pending}>{pending ? "Publishing…" : "Publish"}</button>
      </div>
    </form>
  );
}
