"use client";

import { useState } from "react";
import type { Answer } from "@/lib/ai/ask";
import { WidgetBody } from "./widget-body";

// The customer's ask box: a question in, a chart of their own data out, with
// a short plain-words rationale. Views → Save view keeps the answers on screen. The server answers with a spec it ran under
// the session's scope — never SQL.

type Props = {
  /** The data token, read at call time (it is refreshed while the page is open). */
  token: () => string;
  answers: Answer[];
  onAnswers: (next: Answer[]) => void;
};

const EXAMPLES = ["signups by country last 30 days", "top pages this month", "average order value per week"];

export function AskBox({ token, answers, onAnswers }: Props) {
  const [question, setQuestion] = useState("");
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<string>();

  async function ask(text: string) {
    if (text.trim().length < 3) return setMessage("Type a question first, for example “signups by country last 30 days”.");
    setPending(true);
    setMessage(undefined);
    try {
      const res = await fetch("/api/embed/ask", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token()}` }, body: JSON.stringify({ question: text }), cache: "no-store" });
      const body = await res.json();
      if (!res.ok) setMessage(body.error?.message ?? "The question could not be answered.");
      else if (body.status === "refused") setMessage(body.message);
      else {
        onAnswers([{ ...body.answer, id: `${body.answer.id}` }, ...answers].slice(0, 10));
        setQuestion("");
      }
    } catch {
      setMessage("Could not reach the server. Try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <section className="card ask" aria-label="Ask a question" data-testid="ask-box">
      <form
        className="ask-form"
        onSubmit={(e) => {
          e.preventDefault();
          void ask(question);
        }}
      >
        <label htmlFor="ask-question" className="visually-hidden">Ask a question about your data</label>
        <input id="ask-question" type="text" value={question} maxLength={500} onChange={(e) => setQuestion(e.target.value)} placeholder={`Ask a question, e.g. “${EXAMPLES[0]}”`} disabled={pending} />
        <button className="btn btn-primary" type="submit" disabled={pending}>{pending ? "Thinking…" : "Ask"}</button>
      </form>
      {message && <p className="ask-message" role="status" data-testid="ask-message">{message}</p>}
      {answers.map((a) => (
        <article key={a.id} className="ask-answer" data-testid="ask-answer">
          <div className="widget-head">
            <div>
              <h2>{a.view.title}</h2>
              <p className="muted widget-desc">“{a.question}”</p>
            </div>
            <div className="widget-tools">
              <button type="button" className="btn btn-sm btn-ghost" onClick={() => onAnswers(answers.filter((x) => x.id !== a.id))} aria-label={`Remove the answer to “${a.question}”`}>Remove</button>
            </div>
          </div>
          <div className="widget-body" style={{ height: a.view.chart === "kpi" ? 110 : 260 }}>
            <WidgetBody widget={a.view} rows={a.rows} height={a.view.chart === "kpi" ? 90 : 240} />
          </div>
          <p className="ask-rationale" data-testid="ask-rationale">{a.rationale}</p>
        </article>
      ))}
    </section>
  );
}
