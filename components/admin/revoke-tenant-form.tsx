"use client";

import { useActionState } from "react";
import type { RevokeTenantState } from "@/app/admin/tenants/actions";
import { ConfirmSubmit } from "./confirm-submit";

type Props = { tenantId: string; action: (prev: RevokeTenantState, form: FormData) => Promise<RevokeTenantState> };

/** "Revoke all sessions" for one tenant, confirmed, with the outcome shown beside it. */
export function RevokeTenantForm({ tenantId, action }: Props) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction}>
      <input type="hidden" name="tenant_id" value={tenantId} />
      <ConfirmSubmit message={`Revoke every embed session of "${tenantId}"? Open embeds stop on their next request; sessions minted afterwards work.`}>
        {pending ? "Revoking…" : "Revoke all sessions"}
      </ConfirmSubmit>
      {state.status !== "idle" && (
        <div className={state.status === "revoked" ? "muted" : "field-error"} role="status" data-testid="revoke-result" style={{ marginTop: 6, maxWidth: 260, fontSize: 12.5 }}>
          {state.message}
        </div>
      )}
    </form>
  );
}
