"use client";

import type { ReactNode } from "react";

/** A submit button that asks before a destructive action. */
export function ConfirmSubmit({ message, children, className = "btn btn-sm btn-danger" }: { message: string; children: ReactNode; className?: string }) {
  return (
    <button
      type="submit"
      className={className}
      onClick={(event) => {
        if (!window.confirm(message)) event.preventDefault();
      }}
    >
      {children}
    </button>
  );
}
