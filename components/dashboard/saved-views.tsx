"use client";

import { useEffect, useId, useState, type FormEvent, type RefObject } from "react";
import type { FilterState } from "@/lib/query/widget-spec";
import type { AiAnswer, ViewNotice, ViewState, ViewSummary } from "@/lib/views/view-state";
import { SavedViewItem } from "./saved-view-item";
import { viewsApi } from "./views-client";

// The embed's "Views" control: save the current filters, drill-downs (and AI
// answers, once the ask box passes them) under a name, optionally shared with
// the tenant's team; open, rename, share and delete. Opening shows what the
// server changed to fit this session. Hidden when the session may not save
// and has nothing to open.

type Props = {
  /** The dashboard's in-memory data token (refreshed in place). */
  token: RefObject<string>;
  filters: FilterState;
  breakdowns: Record<string, string>;
  aiAnswers?: AiAnswer[];
  onOpen: (filters: FilterState, breakdowns: Record<string, string>, state: ViewState) => void;
};

/** Only what a view stores of an answer (the ask box's answers carry rows too), with ids made unique. */
function savedAnswers(answers: AiAnswer[]): AiAnswer[] {
  const seen = new Set<string>();
  return answers.map(({ id, question, spec }, i) => {
    const unique = seen.has(id) ? `${id.slice(0, 56)}-${i}` : id;
    seen.add(unique);
    return { id: unique, question, spec };
  });
}

export function SavedViews({ token, filters, breakdowns, aiAnswers = [], onOpen }: Props) {
  const panelId = useId();
  const [views, setViews] = useState<ViewSummary[]>();
  const [canSave, setCanSave] = useState(false);
  const [expanded, setExpanded] = useState(false);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [opened, setOpened] = useState<{ name: string; notices: ViewNotice[] }>();
  const [name, setName] = useState("");
  const [share, setShare] = useState(false);

  function listed(res: Awaited<ReturnType<typeof viewsApi.list>>) {
    if (res.ok) {
      setViews(res.body.views);
      setCanSave(res.body.can_save);
    } else if (views) setError(res.message);
  }

  // The list on mount (decides whether the control shows at all), and again whenever the panel opens.
  useEffect(() => {
    let live = true;
    void viewsApi.list(token.current).then((res) => {
      if (!live || !res.ok) return;
      setViews(res.body.views);
      setCanSave(res.body.can_save);
    });
    return () => {
      live = false;
    };
  }, [token]);

  /** Runs one request at a time with a progress line; returns whether it worked. */
  async function run<T>(progress: string, call: () => Promise<{ ok: true; body: T } | { ok: false; message: string }>, done: (body: T) => void): Promise<boolean> {
    setBusy(progress);
    setError(undefined);
    setStatus(undefined);
    const res = await call();
    setBusy(undefined);
    if (!res.ok) {
      setError(res.message);
      return false;
    }
    done(res.body);
    return true;
  }

  function save(e: FormEvent) {
    e.preventDefault();
    const widgets = Object.fromEntries(Object.entries(breakdowns).map(([id, breakdown]) => [id, { breakdown }]));
    const state: ViewState = { filters, widgets, ai_answers: savedAnswers(aiAnswers) };
    void run("Saving…", () => viewsApi.create(token.current, { name, state, shared: share }), ({ view }) => {
      setViews((v) => [view, ...(v ?? [])]);
      setName("");
      setShare(false);
      setStatus(`Saved “${view.name}”.`);
    });
  }

  function open(view: ViewSummary) {
    void run(`Opening “${view.name}”…`, () => viewsApi.open(token.current, view.id), (body) => {
      const drill = Object.fromEntries(Object.entries(body.state.widgets).flatMap(([id, w]) => (w.breakdown ? [[id, w.breakdown]] : [])));
      onOpen(body.state.filters, drill, body.state);
      setOpened({ name: body.view.name, notices: body.notices });
      setExpanded(false);
    });
  }

  const replace = (next: ViewSummary) => setViews((v) => v?.map((x) => (x.id === next.id ? next : x)));

  if (!views || (!canSave && views.length === 0)) return null;
  return (
    <>
      <div className="views" data-testid="saved-views" onKeyDown={(e) => e.key === "Escape" && setExpanded(false)}>
        <button type="button" className="btn btn-sm" aria-expanded={expanded} aria-controls={panelId} onClick={() => { if (!expanded) void viewsApi.list(token.current).then(listed); setExpanded(!expanded); }} data-testid="views-toggle">
          Views{views.length ? ` (${views.length})` : ""}
        </button>
        {expanded && (
          <div id={panelId} className="card views-panel" role="region" aria-label="Saved views" data-testid="views-panel">
            {canSave && (
              <form className="views-save" onSubmit={save} aria-label="Save the current view">
                <label className="filter">
                  <span>View name</span>
                  <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder="e.g. Germany, last 7 days" data-testid="view-name" />
                </label>
                <label className="check">
                  <input type="checkbox" checked={share} onChange={(e) => setShare(e.target.checked)} data-testid="view-share" /> Share with my team
                </label>
                <button type="submit" className="btn btn-sm btn-primary" disabled={Boolean(busy) || !name.trim()} data-testid="view-save">Save view</button>
              </form>
            )}
            {busy && <p className="muted views-line" role="status">{busy}</p>}
            {status && <p className="views-line" role="status" data-testid="views-status">{status}</p>}
            {error && <p className="field-error views-line" role="alert" data-testid="views-error">{error}</p>}
            {views.length === 0 ? (
              <p className="muted views-line">No saved views yet.</p>
            ) : (
              <ul className="views-list" aria-label="Your views and views shared with you">
                {views.map((v) => (
                  <SavedViewItem
                    key={v.id}
                    view={v}
                    canChange={canSave}
                    busy={Boolean(busy)}
                    onOpen={() => open(v)}
                    onRename={(next) => run("Renaming…", () => viewsApi.update(token.current, v.id, { name: next }), ({ view }) => replace(view))}
                    onShare={(shared) => void run(shared ? "Sharing…" : "Unsharing…", () => viewsApi.update(token.current, v.id, { shared }), ({ view }) => replace(view))}
                    onDelete={() => void run("Deleting…", () => viewsApi.remove(token.current, v.id), () => setViews((all) => all?.filter((x) => x.id !== v.id)))}
                  />
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
      {opened && (
        <div className={`views-opened alert ${opened.notices.length ? "alert-warning" : "alert-success"}`} role="status" data-testid="view-opened">
          <div className="views-opened-body">
            Showing “{opened.name}”.{opened.notices.length > 0 && " Some of it was adjusted for this session:"}
            {opened.notices.length > 0 && (
              <ul data-testid="view-notices">
                {opened.notices.map((n, i) => <li key={i} data-code={n.code}>{n.message}</li>)}
              </ul>
            )}
          </div>
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => setOpened(undefined)} aria-label="Dismiss">×</button>
        </div>
      )}
    </>
  );
}
