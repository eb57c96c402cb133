import { t } from "@/lib/embed/messages";
import type { Dashboard } from "./dashboard";
import { h, swapHtml } from "./dom";
import type { SavedAnswer } from "./types";

// The customer's ask box: a question in, a chart of their own data out (drawn
// by the server, like every card), with a short plain-words rationale. The
// server answers with a spec it ran under the session's scope — never SQL.

type AnswerBody = { id: string; question: string; spec: unknown; title: string; rationale: string; html: string };

// The example stays English in every language: questions are read in English.
const EXAMPLE = "signups by country last 30 days";

export function installAsk(d: Dashboard): { reopen(answers: SavedAnswer[]): Promise<void> } {
  const box = d.root.querySelector<HTMLElement>('[data-testid="ask-box"]');
  const none = { reopen: async () => {} };
  if (!box) return none;
  const form = box.querySelector("form")!;
  const input = box.querySelector<HTMLInputElement>("input")!;
  const button = box.querySelector<HTMLButtonElement>("button[type=submit]")!;
  const list = box.querySelector<HTMLElement>(".ask-answers")!;
  let answers: AnswerBody[] = [];
  const locale = d.config.locale;

  const message = (text?: string) => {
    box.querySelector('[data-testid="ask-message"]')?.remove();
    if (text) form.after(h("p", { class: "ask-message", role: "status", "data-testid": "ask-message" }, text));
  };

  function draw() {
    d.answers = answers.map(({ id, question, spec }) => ({ id, question, spec }));
    list.replaceChildren(
      ...answers.map((a) => {
        const body = h("div", { class: "widget-body", style: "height: 260px" });
        const article = h(
          "article",
          { class: "ask-answer", "data-testid": "ask-answer" },
          h("div", { class: "widget-head" }, h("div", {}, h("h2", {}, a.title), h("p", { class: "muted widget-desc" }, `“${a.question}”`)), h("div", { class: "widget-tools" }, h("button", { type: "button", class: "btn btn-sm btn-ghost", "aria-label": t(locale, "ask.remove_label", { question: a.question }), onclick: () => ((answers = answers.filter((x) => x !== a)), draw()) }, t(locale, "ask.remove")))),
          body,
          h("p", { class: "ask-rationale", "data-testid": "ask-rationale" }, a.rationale),
        );
        const slot = h("div");
        body.append(slot);
        swapHtml(slot, a.html);
        return article;
      }),
    );
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = input.value;
    if (question.trim().length < 3) return message(t(locale, "ask.too_short", { example: EXAMPLE }));
    button.disabled = input.disabled = true;
    button.textContent = t(locale, "ask.thinking");
    message();
    const res = await d.api.call<{ status: "answered"; answer: AnswerBody } | { status: "refused"; message: string }>("POST", "/api/embed/ask", { question });
    button.disabled = input.disabled = false;
    button.textContent = t(locale, "ask.submit");
    if (!res.ok) return res.status === 401 ? d.failed(res) : message(res.message);
    if (res.body.status === "refused") return message(res.body.message);
    answers = [res.body.answer, ...answers].slice(0, 10);
    input.value = "";
    draw();
  });

  return {
    /** Answers kept in an opened view run again under this session (re-checked by the server; no model is asked). */
    async reopen(saved) {
      const again = await Promise.all(saved.map(async (a) => {
        const res = await d.api.call<{ answer: AnswerBody }>("POST", "/api/embed/answer", { question: a.question, spec: a.spec });
        return res.ok ? { ...res.body.answer, id: a.id } : undefined;
      }));
      answers = again.filter((a): a is AnswerBody => a !== undefined);
      draw();
    },
  };
}
