import "server-only";
import fs from "node:fs";
import path from "node:path";
import { WIDGET_BODY_CSS } from "@/components/dashboard/render/styles";

// The embed page's stylesheet, inlined in its <head> so the first paint needs
// no other request: the design system shared with the admin console
// (dashboard.css, which app/globals.css imports too), the rendered widgets'
// rules, and what only the page itself needs.

const PAGE_CSS = `
html { background: var(--bg); }
.widget-loading { display: grid; place-items: center; height: 100%; min-height: 60px; color: var(--text-muted); font-size: 13px; }
.widget-note { font-size: 12px; color: var(--text-muted); margin: 6px 0 0; }
.enclave-tip { position: fixed; z-index: 50; pointer-events: none; max-width: 280px; white-space: pre-line; background: var(--surface); color: var(--text); border: 1px solid var(--border); border-radius: var(--radius-sm); box-shadow: var(--shadow); padding: 6px 8px; font-size: 12px; }
.mark:focus-visible { outline: 2px solid var(--brand); outline-offset: 1px; }
`;

/** Comments and layout whitespace go: every page carries this. */
export function minifyCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\s+/g, " ")
    // Not around ":" — in a selector "a :is(…)" and "a:is(…)" differ.
    .replace(/\s*([{};,>])\s*/g, "$1")
    .replace(/;}/g, "}")
    .trim();
}

let cached: string | undefined;

export function embedCss(): string {
  cached ??= minifyCss(fs.readFileSync(path.join(/* turbopackIgnore: true */ process.cwd(), "components/dashboard/dashboard.css"), "utf8") + WIDGET_BODY_CSS + PAGE_CSS);
  return cached;
}
