"use client";

// The designer's autosave state. A conflict keeps the admin's changes on screen
// and lets them choose: load the other admin's version, or overwrite it.

export type Status = { kind: "saved"; at?: string } | { kind: "saving" } | { kind: "pending" } | { kind: "error"; message: string } | { kind: "conflict"; updatedBy: string; revision: number };

export function SaveStatus({ status, invalid, onReloadTheirs, onKeepMine }: { status: Status; invalid: number; onReloadTheirs: () => void; onKeepMine: () => void }) {
  if (status.kind === "conflict") {
    return (
      <div className="alert alert-error save-status" role="alert" data-testid="save-status" data-state="conflict">
        {status.updatedBy} saved this draft after you opened it, so your latest changes were not saved. They are still here.
        <div style={{ display: "flex", gap: 6, marginTop: 6 }}>
          <button type="button" className="btn btn-sm" onClick={onReloadTheirs}>Load their version</button>
          <button type="button" className="btn btn-sm btn-danger" onClick={onKeepMine}>Keep mine (overwrite)</button>
        </div>
      </div>
    );
  }
  const text = { saved: "All changes saved", saving: "Saving…", pending: "Unsaved changes…", error: "" }[status.kind];
  return (
    <div className={`save-status ${status.kind === "error" ? "alert alert-error" : "muted"}`} role="status" data-testid="save-status" data-state={status.kind}>
      {status.kind === "error" ? `Not saved: ${status.message}` : text}
      {invalid > 0 && status.kind !== "error" && <div className="muted">{invalid} widget(s) need fixing before publishing</div>}
    </div>
  );
}
