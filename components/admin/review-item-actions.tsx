"use client";

import { useActionState } from "react";
import type { ReviewState } from "@/app/admin/ai/actions";

type Action = (prev: ReviewState, form: FormData) => Promise<ReviewState>;
type Props = { id: string; status: string; addedTo: string | null; dashboards: { id: string; name: string }[]; decide: Action; add: Action };

/** Approve or reject a pending answer; add an approved one to a dashboard draft. */
export function ReviewItemActions({ id, status, addedTo, dashboards, decide, add }: Props) {
  const [decided, decideForm, deciding] = useActionState(decide, {});
  const [added, addForm, adding] = useActionState(add, {});
  const state = added.message || added.error ? added : decided;
  return (
    <div className="review-actions">
      {status === "pending" && (
        <form action={decideForm} className="inline-form">
          <input type="hidden" name="id" value={id} />
          <label className="visually-hidden" htmlFor={`note-${id}`}>Note</label>
          <input id={`note-${id}`} name="note" placeholder="Note (optional)" maxLength={500} />
          <button className="btn btn-sm btn-primary" name="decision" value="approved" disabled={deciding}>Approve</button>
          <button className="btn btn-sm" name="decision" value="rejected" disabled={deciding}>Reject</button>
        </form>
      )}
      {status === "approved" && !addedTo && (
        <form action={addForm} className="inline-form">
          <input type="hidden" name="id" value={id} />
          <label className="filter"><span>Dashboard</span>
            <select name="dashboard" required defaultValue="">
              <option value="" disabled>Choose…</option>
              {dashboards.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
            </select>
          </label>
          <button className="btn btn-sm btn-primary" disabled={adding}>Add to draft</button>
        </form>
      )}
      {addedTo && <span className="muted">Added to <a href={`/admin/dashboards/${addedTo}`}>{addedTo}</a></span>}
      {state.message && <span className="muted" role="status" data-testid={`review-note-${id}`}> {state.message}</span>}
      {state.error && <div className="alert alert-error" data-testid={`review-error-${id}`}>{state.error}</div>}
    </div>
  );
}
