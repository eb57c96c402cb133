"use client";

import { useState } from "react";

/** A secret shown once (an API key, an invite link) with a button that copies it. */
export function CopySecret({ value, testId }: { value: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret-box">
      <code data-testid={testId}>{value}</code>
      <button
        type="button"
        className="btn btn-sm"
        onClick={async () => {
          await navigator.clipboard?.writeText(value);
          setCopied(true);
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
