"use client";

import { useState } from "react";

/** `what`: read by screen readers after the visible word ("Copy the curl snippet"). */
type Props = { value: string; what?: string; className?: string };

/**
 * Copies `value` to the clipboard. The clipboard exists only on secure pages
 * (https, localhost) and may be refused: then the button says so, and the
 * text is still there to select.
 */
export function CopyButton({ value, what, className = "btn btn-sm" }: Props) {
  const [outcome, setOutcome] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <button
      type="button"
      className={className}
      onClick={async () => {
        try {
          if (!navigator.clipboard) throw new Error("no clipboard");
          await navigator.clipboard.writeText(value);
          setOutcome("copied");
        } catch {
          setOutcome("failed");
        }
      }}
    >
      <span aria-live="polite">{outcome === "copied" ? "Copied" : outcome === "failed" ? "Select and copy" : "Copy"}</span>
      {what && <span className="visually-hidden"> {what}</span>}
    </button>
  );
}
