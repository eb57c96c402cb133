"use client";

import { useState, type FormEvent } from "react";
import type { ViewSummary } from "@/lib/views/view-state";

// One row of the saved-views list: open; for the owner also rename, share and
// delete (with a confirmation step). The server decides; this only asks.

type Props = {
  view: ViewSummary;
  canChange: boolean;
  busy: boolean;
  onOpen: () => void;
  onRename: (name: string) => Promise<boolean>;
  onShare: (shared: boolean) => void;
  onDelete: () => void;
};

export function SavedViewItem({ view, canChange, busy, onOpen, onRename, onShare, onDelete }: Props) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(view.name);
  const [confirming, setConfirming] = useState(false);

  async function rename(e: FormEvent) {
    e.preventDefault();
    if (await onRename(name)) setRenaming(false);
  }

  return (
    <li data-testid="view-item" data-view-id={view.id}>
      {renaming ? (
        <form className="view-rename" onSubmit={rename}>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} aria-label={`New name for ${view.name}`} data-testid="view-rename-input" autoFocus />
          <button type="submit" className="btn btn-sm btn-primary" disabled={busy || !name.trim()}>Save</button>
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => setRenaming(false)}>Cancel</button>
        </form>
      ) : (
        <button type="button" className="btn btn-sm btn-ghost view-open" onClick={onOpen} disabled={busy} aria-label={`Open view ${view.name}`} data-testid="view-open" title={view.name}>
          <span className="view-open-name">{view.name}</span>
        </button>
      )}
      {view.shared && <span className="badge">{view.owned ? "Shared" : "Shared with you"}</span>}
      {canChange && view.owned && !renaming && (
        <span className="view-actions">
          <button type="button" className="btn btn-sm btn-ghost" disabled={busy} onClick={() => { setName(view.name); setRenaming(true); }} aria-label={`Rename ${view.name}`}>Rename</button>
          <button type="button" className="btn btn-sm btn-ghost" disabled={busy} onClick={() => onShare(!view.shared)} aria-label={`${view.shared ? "Stop sharing" : "Share"} ${view.name}`}>
            {view.shared ? "Unshare" : "Share"}
          </button>
          {confirming ? (
            <span role="group" aria-label={`Delete ${view.name}?`} className="view-confirm">
              <button type="button" className="btn btn-sm btn-danger" disabled={busy} onClick={onDelete} data-testid="view-delete-confirm">Delete</button>
              <button type="button" className="btn btn-sm btn-ghost" onClick={() => setConfirming(false)}>Keep</button>
            </span>
          ) : (
            <button type="button" className="btn btn-sm btn-ghost" disabled={busy} onClick={() => setConfirming(true)} aria-label={`Delete ${view.name}`} data-testid="view-delete">Delete</button>
          )}
        </span>
      )}
    </li>
  );
}
