"use client";

import { useState, useTransition } from "react";
import type { Answer, Debug } from "@/lib/ai/ask";
import { WidgetBody } from "@/components/admin/recharts-widget";

// Preview-as-tenant's AI panel: ask as the tenant, see what the customer would
// see, and (debug) the prompt, the raw model output, the spec, the effective
// SQL and stats. SQL mode asks the model for SQL, which must pass the guard.

type Result = { status: "answered"; answer: Answer; debug?: Debug } | { status: "refused"; message: string; debug?: Debug } | { status: "error"; message: string };
type Props = {
  tenant: string;
  ask: (input: { question: string; mode: "spec" | "sql" }) => Promise<Result>;
  /** Absent for a viewer: sending an answer to the review queue is an editor's. */
  suggest?: (input: { logId: string }) => Promise<{ ok: true; id: string } | { ok: false; message: string }>;
};

export function AdminAskPanel({ tenant, ask, suggest }: Props) {
  const [question, setQuestion] = useState("");
  const [mode, setMode] = useState<"spec" | "sql">("spec");
  const [debug, setDebug] = useState(true);
  const [result, setResult] = useState<Result>();
  const [note, setNote] = useState<string>();
  const [pending, start] = useTransition();

  return (
    <section className="card" aria-labelledby="admin-ask-title" data-testid="admin-ask">
      <h2 id="admin-ask-title">Ask as {tenant}</h2>
      <p className="muted">The customer gets the chart and the rationale only. Questions are logged under Admin → AI.</p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          setNote(undefined);
          start(async () => setResult(await ask({ question, mode })));
        }}
      >
        <label className="visually-hidden" htmlFor="admin-ask-question">Question</label>
        <input id="admin-ask-question" value={question} onChange={(e) => setQuestion(e.target.value)} placeholder="signups by country last 30 days" style={{ minWidth: 320 }} maxLength={500} />
        <label className="filter"><span>Answer as</span>
          <select value={mode} onChange={(e) => setMode(e.target.value as "spec" | "sql")} aria-label="Answer as">
            <option value="spec">a widget spec (what customers get)</option>
            <option value="sql">custom SQL (admins only, guarded)</option>
          </select>
        </label>
        <label className="check"><input type="checkbox" checked={debug} onChange={(e) => setDebug(e.target.checked)} /> debug</label>
        <button className="btn btn-primary" type="submit" disabled={pending}>{pending ? "Asking…" : "Ask"}</button>
      </form>
      {result && result.status !== "answered" && <div className={`alert ${result.status === "error" ? "alert-error" : ""}`} data-testid="admin-ask-message">{result.message}</div>}
      {result?.status === "answered" && (
        <div data-testid="admin-ask-answer">
          <h3>{result.answer.view.title}</h3>
          <div style={{ height: result.answer.view.chart === "kpi" ? 100 : 260 }}>
            <WidgetBody widget={result.answer.view} rows={result.answer.rows} height={result.answer.view.chart === "kpi" ? 90 : 240} />
          </div>
          <p className="muted">{result.answer.rationale}</p>
          {suggest && <button type="button" className="btn btn-sm" disabled={pending} onClick={() => start(async () => { const r = await suggest({ logId: result.answer.id }); setNote(r.ok ? "Sent to the review queue (Admin → AI)." : r.message); })}>Send to review queue</button>}
          {note && <span className="muted" role="status" data-testid="admin-ask-note"> {note}</span>}
        </div>
      )}
      {debug && result && "debug" in result && result.debug && (
        <div className="ask-debug" data-testid="admin-ask-debug">
          <details open><summary>Outcome: {result.debug.parsed} · {result.debug.provider} · {result.debug.latency_ms} ms{result.debug.stats ? ` · ${result.debug.stats.rows_read.toLocaleString("en")} rows read` : ""}</summary></details>
          <details><summary>Prompt</summary><pre className="mono">{result.debug.prompt.map((m) => `[${m.role}]\n${m.content}`).join("\n\n")}</pre></details>
          <details open><summary>Raw model output</summary><pre className="mono">{result.debug.raw || "(empty)"}</pre></details>
          {result.debug.spec && <details open><summary>Spec</summary><pre className="mono">{JSON.stringify(result.debug.spec, null, 2)}</pre></details>}
          {result.debug.sql && !result.debug.effective_sql && <details open><summary>Generated SQL (not run)</summary><pre className="mono">{result.debug.sql}</pre></details>}
          {result.debug.effective_sql && <details open><summary>Effective SQL</summary><pre className="mono" data-testid="admin-ask-sql">{result.debug.effective_sql}</pre>{result.debug.params && <pre className="mono">{JSON.stringify(result.debug.params)}</pre>}{result.debug.engine_filter && <pre className="mono">{result.debug.engine_filter}</pre>}</details>}
        </div>
      )}
    </section>
  );
}
