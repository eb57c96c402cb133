"use client";

import { useActionState } from "react";
import type { ImportState } from "@/app/admin/dashboards/actions";

/** Upload a file made by Export JSON (or the API); it becomes a new draft. */
export function ImportDashboardForm({ action }: { action: (prev: ImportState, form: FormData) => Promise<ImportState> }) {
  const [state, formAction, pending] = useActionState(action, {});
  return (
    <form action={formAction} className="inline-form" aria-label="Import a dashboard">
      <label htmlFor="import-file">Import JSON</label>
      <input id="import-file" name="file" type="file" accept=".json,application/json" required />
      <button className="btn" type="submit" disabled={pending}>{pending ? "Importing…" : "Import"}</button>
      {state.error && <div className="alert alert-error" data-testid="import-error" style={{ flexBasis: "100%" }}>{state.error}</div>}
    </form>
  );
}
