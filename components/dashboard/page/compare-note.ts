import { html, type Html } from "@/components/dashboard/render/html";
import { DEFAULT_LOCALE, t } from "@/lib/embed/messages";
import type { CompareStatus } from "@/lib/query/compile-widget";

// What a card says when the end user asked to compare with the previous
// period and its chart does not show it (lib/query/compile-widget.ts decides):
// the two periods together would read past the session's date bound, or the
// chart is broken down (one line per value already).

export type { CompareStatus };

export function compareNote(status: CompareStatus | undefined, locale: string = DEFAULT_LOCALE): Html {
  if (!status || status === "shown") return html``;
  return html`<p class="muted widget-desc compare-note" data-testid="compare-note">${t(locale, status === "too_long" ? "card.compare_too_long" : "card.compare_broken_down")}</p>`;
}
