"use client";

import { useActionState, useRef } from "react";
import type { RevokeTenantState } from "@/app/admin/tenants/actions";
import { ConfirmSubmit } from "./confirm-submit";

type Props = { tenantId: string; action: (prev: RevokeTenantState, form: FormData) => Promise<RevokeTenantState> };

/**
 * A tenant row's menu: a <details> disclosure (Enter or Space opens it, Escape
 * closes it) holding "Revoke all sessions…", confirmed; the outcome is shown
 * beside the menu so it stays visible once the menu closes.
 */
export function RevokeTenantForm({ tenantId, action }: Props) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const menu = useRef<HTMLDetailsElement>(null);
  return (
    <div className="row-menu-cell">
      <details
        className="row-menu"
        ref={menu}
        onKeyDown={(event) => {
          if (event.key !== "Escape" || !menu.current?.open) return;
          menu.current.open = false;
          menu.current.querySelector("summary")?.focus();
        }}
      >
        <summary className="btn btn-sm btn-ghost" aria-label={`Actions for ${tenantId}`}>⋯</summary>
        <form action={formAction} className="row-menu-items" onSubmit={() => menu.current && (menu.current.open = false)}>
          <input type="hidden" name="tenant_id" value={tenantId} />
          <ConfirmSubmit className="row-menu-item danger" message={`Revoke every embed session of "${tenantId}"? Open embeds stop on their next request; sessions minted afterwards work.`}>
            {pending ? "Revoking…" : "Revoke all sessions…"}
          </ConfirmSubmit>
        </form>
      </details>
      {state.status !== "idle" && (
        <div className={state.status === "revoked" ? "muted" : "field-error"} role="status" data-testid="revoke-result" style={{ marginTop: 6, maxWidth: 260, fontSize: 12.5 }}>
          {state.message}
        </div>
      )}
    </div>
  );
}
