"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { EmbedView } from "@/lib/embed/open-embed";
import type { WidgetResult } from "@/lib/embed/embed-widgets";
import type { FilterState, TimeRange } from "@/lib/query/widget-spec";
import type { Answer } from "@/lib/ai/ask";
import type { ViewState } from "@/lib/views/view-state";
import { AskBox } from "./ask-box";
import { applyTheme, postToHost, useHostBridge } from "./host-bridge";
import { SavedViews } from "./saved-views";
import { WidgetBody } from "./widget-body";

// The dashboard as a tenant's end user sees it. The first render comes with
// data from the server; filter changes, drill-downs, dropdown values and CSV
// exports go to the data endpoints with the short-lived data token, which
// lives only in this component's memory.

/** The admin preview passes server actions instead of the embed's data endpoints. */
export type DashboardActions = {
  query: (input: { widget_id: string; filters: FilterState }) => Promise<WidgetResult>;
  values: (input: { dimension: string }) => Promise<{ values: { value: string }[] }>;
};

type Props = { view: Omit<EmbedView, "ok">; actions?: DashboardActions };

const RANGES: { value: TimeRange["kind"]; label: string; days: number }[] = [
  { value: "last_7_days", label: "Last 7 days", days: 7 },
  { value: "last_30_days", label: "Last 30 days", days: 30 },
  { value: "this_month", label: "This month", days: 31 },
  { value: "last_90_days", label: "Last 90 days", days: 90 },
];
const ROW_HEIGHT = 72;

/** A JWT's lifetime in ms (exp - iat, both set by the server) and its expiry; read only to schedule a refresh, the server verifies. */
function tokenTimes(token: string): { lifetimeMs: number; expiresAt: number } {
  try {
    const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return { lifetimeMs: (claims.exp - claims.iat) * 1000, expiresAt: claims.exp * 1000 };
  } catch {
    return { lifetimeMs: 0, expiresAt: 0 };
  }
}

async function post(path: string, token: string, body: unknown): Promise<Response> {
  return fetch(path, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body), cache: "no-store" });
}

export function EmbedDashboard({ view, actions }: Props) {
  const token = useRef(view.dataToken);
  const [filters, setFilters] = useState<FilterState>(view.initialFilters);
  const [breakdowns, setBreakdowns] = useState<Record<string, string>>({});
  const [results, setResults] = useState<Record<string, WidgetResult>>(() => Object.fromEntries(view.results.map((r) => [r.widget_id, r])));
  const [loading, setLoading] = useState<Record<string, boolean>>({});
  const [options, setOptions] = useState<Record<string, string[]>>({});
  const [sessionError, setSessionError] = useState<{ code: string; message: string }>();
  const [answers, setAnswers] = useState<Answer[]>([]);

  const load = useCallback(async (widgetId: string, state: FilterState) => {
    setLoading((l) => ({ ...l, [widgetId]: true }));
    if (actions) {
      const result = await actions.query({ widget_id: widgetId, filters: state }).catch(() => ({ widget_id: widgetId, error: { code: "error", message: "This chart could not be loaded." } }));
      setResults((r) => ({ ...r, [widgetId]: result }));
      setLoading((l) => ({ ...l, [widgetId]: false }));
      return;
    }
    try {
      const res = await post("/api/embed/query", token.current, { widget_id: widgetId, filters: state });
      const body = await res.json();
      if (res.status === 401) {
        setSessionError({ code: body.error?.code ?? "session_ended", message: body.error?.message ?? "This session has ended." });
        postToHost(view.origins, body.error?.code === "session_expired" ? "expired" : "error", { code: body.error?.code });
      }
      setResults((r) => ({ ...r, [widgetId]: res.ok ? body : { widget_id: widgetId, error: body.error ?? { code: "error", message: "This chart could not be loaded." } } }));
    } catch {
      setResults((r) => ({ ...r, [widgetId]: { widget_id: widgetId, error: { code: "network", message: "Could not reach the server." } } }));
    } finally {
      setLoading((l) => ({ ...l, [widgetId]: false }));
    }
  }, [view.origins, actions]);

  const widgetState = useCallback((widgetId: string, state: FilterState): FilterState => (breakdowns[widgetId] ? { ...state, breakdown: breakdowns[widgetId] } : state), [breakdowns]);

  function apply(next: FilterState, notify = true) {
    setFilters(next);
    for (const w of view.widgets) void load(w.id, widgetState(w.id, next));
    if (notify) postToHost(view.origins, "filter-change", { filters: next });
  }

  // A saved view (re-checked by the server for this session) replaces filters and drill-downs.
  function openView(next: FilterState, drill: Record<string, string>, state?: ViewState) {
    setBreakdowns(drill);
    void rerunAnswers(state?.ai_answers ?? []);
    setFilters(next);
    for (const w of view.widgets) void load(w.id, drill[w.id] ? { ...next, breakdown: drill[w.id] } : next);
    postToHost(view.origins, "filter-change", { filters: next });
  }

  // Answers in a view run again under this session (the server re-checks them; no model is asked).
  async function rerunAnswers(saved: ViewState["ai_answers"]) {
    const again = await Promise.all(
      saved.map(async (a) => {
        const res = await post("/api/embed/answer", token.current, { question: a.question, spec: a.spec }).catch(() => undefined);
        return res?.ok ? ({ ...(await res.json()).answer, id: a.id } as Answer) : undefined;
      }),
    );
    setAnswers(again.filter((a): a is Answer => a !== undefined));
  }

  // The host may set the theme, and restore filters after rotating to a new session.
  useHostBridge(view.origins, (message) => {
    if (message.type === "set-theme") applyTheme(message.theme);
    else if (message.type === "set-filters" && message.filters && typeof message.filters === "object") apply(message.filters as FilterState, false);
  });

  // Tell the host when the session ends, and keep the data token fresh until then.
  // Both are timed from what the server measured (time left, a token's exp - iat),
  // never from the browser's clock, which may be minutes off.
  useEffect(() => {
    if (actions) return; // the admin preview has no session to expire
    const expire = setTimeout(() => {
      setSessionError({ code: "session_expired", message: "This embed session has expired." });
      postToHost(view.origins, "expired", { code: "session_expired" });
    }, view.sessionExpiresInMs);
    let refresh: ReturnType<typeof setTimeout>;
    const schedule = () => {
      const { lifetimeMs, expiresAt } = tokenTimes(token.current);
      if (expiresAt + 1_000 >= Date.parse(view.sessionExpiresAt)) return; // it lasts as long as the session (exp is in whole seconds)
      refresh = setTimeout(async () => {
        const res = await post("/api/embed/refresh", token.current, {});
        if (res.ok) {
          token.current = (await res.json()).data_token;
          schedule();
        }
      }, Math.max(1_000, lifetimeMs - 60_000));
    };
    schedule();
    return () => {
      clearTimeout(expire);
      clearTimeout(refresh);
    };
  }, [view.sessionExpiresAt, view.sessionExpiresInMs, view.origins, actions]);

  // Dropdown values for the dashboard's dimension filters, scoped like everything else.
  useEffect(() => {
    for (const dim of view.dimensionFilters) {
      const request = actions
        ? actions.values({ dimension: dim.id })
        : post("/api/embed/filter-values", token.current, { dimension: dim.id, limit: 200 }).then((r) => (r.ok ? r.json() : { values: [] }));
      void request.then((body: { values: { value: string }[] }) => setOptions((o) => ({ ...o, [dim.id]: body.values.map((v) => v.value) })));
    }
  }, [view.dimensionFilters, actions]);

  const dimensionValue = (dim: string) => {
    const f = filters.filters?.find((x) => x.field === dim && x.op === "equals");
    return f && f.op === "equals" ? f.value : "";
  };
  const setDimension = (dim: string, value: string) => {
    const rest = (filters.filters ?? []).filter((f) => f.field !== dim);
    apply({ ...filters, filters: value ? [...rest, { field: dim, op: "equals", value }] : rest });
  };
  const ranges = RANGES.filter((r) => !view.permissions.maxDateRangeDays || r.days <= view.permissions.maxDateRangeDays);

  async function exportCsv(widgetId: string, title: string) {
    const res = await post("/api/embed/export", token.current, { widget_id: widgetId, filters: widgetState(widgetId, filters) });
    if (!res.ok) return;
    const url = URL.createObjectURL(await res.blob());
    const a = Object.assign(document.createElement("a"), { href: url, download: `${title}.csv` });
    a.click();
    URL.revokeObjectURL(url);
  }

  const layoutFor = (id: string, index: number) => view.layout.find((l) => l.widget_id === id) ?? { x: (index % 2) * 6, y: Math.floor(index / 2) * 4, w: 6, h: 4 };

  return (
    <div className="embed" data-testid="embed-dashboard">
      <header className="embed-head">
        <h1>{view.title}</h1>
        <div className="filter-bar" role="group" aria-label="Filters">
          {view.dateFilter && ranges.length > 0 && (
            <label className="filter">
              <span>Period</span>
              <select value={filters.time_range?.kind ?? view.dateFilter.default.kind} onChange={(e) => apply({ ...filters, time_range: { kind: e.target.value } as TimeRange })} data-testid="filter-period">
                {ranges.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
              </select>
            </label>
          )}
          {view.dimensionFilters.map((dim) => (
            <label key={dim.id} className="filter">
              <span>{dim.label}</span>
              <select value={dimensionValue(dim.id)} onChange={(e) => setDimension(dim.id, e.target.value)} data-testid={`filter-${dim.id}`}>
                <option value="">All</option>
                {(options[dim.id] ?? []).map((v) => <option key={v} value={v}>{v}</option>)}
              </select>
            </label>
          ))}
          {Object.entries(view.locked).map(([dim, values]) => (
            <span key={dim} className="chip chip-locked" title="Set by the site you are using; it cannot be changed here" data-testid={`locked-${dim}`}>
              <svg width="11" height="11" viewBox="0 0 16 16" aria-hidden="true"><path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z" /></svg>
              <span className="visually-hidden">Locked:</span> {view.dimensions.find((d) => d.id === dim)?.label ?? dim}: {values.join(", ")}
            </span>
          ))}
        </div>
        {!actions && <SavedViews token={token} filters={filters} breakdowns={breakdowns} aiAnswers={answers} onOpen={openView} />}
      </header>
      {sessionError && (
        // The same data-enclave-error as the refusal page, for the host's scripts and our tests.
        <div className="alert alert-error" role="alert" data-testid="embed-session-error" data-enclave-error={sessionError.code}>{sessionError.message}</div>
      )}
      {view.permissions.allowAi && !actions && <AskBox token={() => token.current} answers={answers} onAnswers={setAnswers} />}
      <div className="dash-grid">
        {view.widgets.map((w, i) => {
          const l = layoutFor(w.id, i);
          const result = results[w.id];
          return (
            <section key={w.id} className="card widget" style={{ gridColumn: `${l.x + 1} / span ${l.w}`, gridRow: `${l.y + 1} / span ${l.h}` }} data-testid={`widget-${w.id}`} aria-busy={loading[w.id] ? true : undefined}>
              <div className="widget-head">
                <div>
                  <h2>{w.title}</h2>
                  {w.description && <p className="muted widget-desc">{w.description}</p>}
                </div>
                <div className="widget-tools">
                  {w.drillable && view.permissions.allowDrillDown && (
                    <select
                      aria-label={`Break ${w.title} down by`}
                      value={breakdowns[w.id] ?? w.breakdown?.id ?? ""}
                      onChange={(e) => {
                        const next = { ...breakdowns, [w.id]: e.target.value };
                        setBreakdowns(next);
                        void load(w.id, { ...filters, breakdown: e.target.value });
                      }}
                      data-testid={`drill-${w.id}`}
                    >
                      {view.dimensions.map((d) => <option key={d.id} value={d.id}>{d.label}</option>)}
                    </select>
                  )}
                  {view.permissions.allowExport && (
                    <button type="button" className="btn btn-sm" onClick={() => exportCsv(w.id, w.title)} data-testid={`export-${w.id}`}>
                      CSV
                    </button>
                  )}
                </div>
              </div>
              <div className="widget-body">
                {!result ? (
                  <div className="empty">Loading…</div>
                ) : "error" in result ? (
                  <div className="empty" role="status">{result.error.message}</div>
                ) : (
                  <WidgetBody widget={{ ...w, breakdown: breakdowns[w.id] ? view.dimensions.find((d) => d.id === breakdowns[w.id]) : w.breakdown }} rows={result.rows} height={l.h * ROW_HEIGHT - 70} />
                )}
              </div>
            </section>
          );
        })}
      </div>
    </div>
  );
}
