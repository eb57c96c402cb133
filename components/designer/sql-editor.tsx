"use client";

import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, type CompletionContext, type CompletionResult, type CompletionSource } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { keywordCompletionSource, schemaCompletionSource, sql as sqlLanguage, StandardSQL } from "@codemirror/lang-sql";
import { linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import { EditorState, Prec } from "@codemirror/state";
import { EditorView, keymap, lineNumbers } from "@codemirror/view";
import { useEffect, useRef } from "react";
import type { GuardVerdict } from "@/lib/query/guard";

// The SQL editor of custom-SQL widgets: CodeMirror 6 with its SQL mode,
// completion of the catalog's tables, columns and property keys, the guard's
// verdict inline (at the engine's position for a syntax error, on the refused
// name otherwise) and Cmd/Ctrl+Enter to run the preview at once. The guard runs
// on the server (validate); the editor only shows where it points.

export type SqlCatalog = { tables: { name: string; columns: string[] }[]; propertyKeys: string[] };

type Props = {
  /** The id of the label that names the editor (its content is a textbox labelled by it). */
  labelledBy: string;
  value: string;
  onChange: (sql: string) => void;
  /** The guard's verdict for a text (a server action). */
  validate: (sql: string) => Promise<GuardVerdict>;
  /** Each verdict for the text as it stands (stale ones are dropped). */
  onVerdict: (verdict: GuardVerdict) => void;
  /** Cmd/Ctrl+Enter: run the preview now. */
  onRun: () => void;
  catalog: SqlCatalog;
};

/** The range a refusal points at: the engine's offset (the word there), the first use of the refused name, or the first line. */
export function diagnosticRange(text: string, at: Extract<GuardVerdict, { ok: false }>["at"]): { from: number; to: number } {
  const firstLine = { from: 0, to: Math.max(0, text.indexOf("\n") === -1 ? text.length : text.indexOf("\n")) };
  if (!at) return firstLine;
  if ("offset" in at) {
    const from = Math.min(Math.max(0, at.offset), Math.max(0, text.length - 1));
    const word = /^[A-Za-z0-9_]+/.exec(text.slice(from))?.[0];
    return { from, to: Math.min(text.length, from + (word?.length || 1)) };
  }
  const escaped = at.identifier.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const found = new RegExp(`(?<![A-Za-z0-9_.])[\`"]?${escaped}[\`"]?(?![A-Za-z0-9_])`, "i").exec(text);
  if (!found) return firstLine;
  return { from: found.index, to: found.index + found[0].length };
}

/** Keys of the properties map after `properties['`. */
function propertyKeySource(keys: string[]): CompletionSource {
  return (context: CompletionContext): CompletionResult | null => {
    const before = context.matchBefore(/properties\s*\[\s*'[A-Za-z0-9_.:-]*$/i);
    if (!before) return null;
    const quote = before.text.lastIndexOf("'");
    return { from: before.from + quote + 1, options: keys.map((key) => ({ label: key, type: "property", detail: "property key" })), validFor: /^[A-Za-z0-9_.:-]*$/ };
  };
}

export function SqlEditor({ labelledBy, value, onChange, validate, onVerdict, onRun, catalog }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The latest callbacks, read by the editor's extensions (made once).
  const latest = useRef({ onChange, validate, onVerdict, onRun });
  useEffect(() => {
    latest.current = { onChange, validate, onVerdict, onRun };
  });

  const catalogKey = JSON.stringify(catalog);
  useEffect(() => {
    if (!host.current) return;
    const schema = Object.fromEntries(catalog.tables.map((t) => [t.name, t.columns]));
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          bracketMatching(),
          closeBrackets(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          sqlLanguage({ dialect: StandardSQL, upperCaseKeywords: true }),
          autocompletion({
            override: [propertyKeySource(catalog.propertyKeys), schemaCompletionSource({ dialect: StandardSQL, schema, defaultTable: catalog.tables[0]?.name }), keywordCompletionSource(StandardSQL, true)],
          }),
          lintGutter(),
          linter(
            async (v) => {
              const text = v.state.doc.toString();
              const verdict = await latest.current.validate(text);
              // A verdict for text that has changed since is dropped (the next run brings the current one).
              if (v.state.doc.toString() !== text) return [];
              latest.current.onVerdict(verdict);
              if (verdict.ok) return [];
              const diagnostic: Diagnostic = { ...diagnosticRange(text, verdict.at), severity: "error", message: verdict.reason, source: "SQL guard" };
              return [diagnostic];
            },
            { delay: 350 },
          ),
          Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => (latest.current.onRun(), true) }])),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ "aria-labelledby": labelledBy, "aria-multiline": "true", "data-testid": "sql-editor" }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latest.current.onChange(update.state.doc.toString());
          }),
          EditorView.theme({ "&": { fontSize: "13px", border: "1px solid var(--border)", borderRadius: "6px" }, ".cm-scroller": { fontFamily: "var(--font-mono, ui-monospace, monospace)", minHeight: "10rem", maxHeight: "24rem" }, "&.cm-focused": { outline: "2px solid var(--accent, #2563eb)", outlineOffset: "1px" } }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is made once per catalog; the text follows `value` below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogKey, labelledBy]);

  // A change from outside (undo in the designer, another widget picked): the editor shows it.
  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
  }, [value]);

  return <div ref={host} className="sql-editor" />;
}
