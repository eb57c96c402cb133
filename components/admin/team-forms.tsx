"use client";

import { useActionState } from "react";
import { CopySecret } from "@/components/admin/copy-secret";
import type { InviteFormState, TeamActionState } from "@/app/admin/team/actions";
import { ROLE_LABEL, ROLE_SUMMARY, ROLES, type Role } from "@/lib/auth/roles";

type InviteAction = (prev: InviteFormState, form: FormData) => Promise<InviteFormState>;
type RowAction = (prev: TeamActionState, form: FormData) => Promise<TeamActionState>;

/** Invite by email; the link is shown to copy (no email server needed). */
export function InviteForm({ action, days }: { action: InviteAction; days: number }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className="card" aria-labelledby="invite-title">
      <h2 id="invite-title">Invite a teammate</h2>
      {state.status === "error" && <div className="alert alert-error" role="alert">{state.message}</div>}
      {state.status === "invited" && (
        <div className="alert alert-success" role="status">
          <p>
            {state.mail?.sent ? <>The link was mailed to <strong>{state.email}</strong> ({ROLE_LABEL[state.role as Role]}). You can also send it yourself:</> : <>Send this link to <strong>{state.email}</strong> ({ROLE_LABEL[state.role as Role]}).</>} It works once, until {state.expiresAt}; it is shown only now.
          </p>
          {state.mail && !state.mail.sent && <p data-testid="invite-mail-failed">It could not be mailed ({state.mail.reason}); copy it instead.</p>}
          <CopySecret value={state.url} testId="invite-url" />
        </div>
      )}
      <div className="field">
        <label htmlFor="invite-email">Email</label>
        <input id="invite-email" name="email" type="email" required maxLength={200} placeholder="teammate@yourcompany.com" />
      </div>
      <fieldset className="field">
        <legend>Role</legend>
        <div className="checks">
          {ROLES.map((r) => (
            <label key={r}><input type="radio" name="role" value={r} defaultChecked={r === "editor"} /> {ROLE_LABEL[r]} — {ROLE_SUMMARY[r]}</label>
          ))}
        </div>
      </fieldset>
      <p className="hint">The link expires after {days} days. A new invite for the same email replaces the old link.</p>
      <button className="btn btn-primary" type="submit" disabled={pending}>{pending ? "Inviting…" : "Create invite link"}</button>
    </form>
  );
}

/** A teammate's role select and remove button, with the server's answer beside them. */
export function TeammateControls({ id, email, role, self, changeRole, remove }: { id: string; email: string; role: Role; self: boolean; changeRole: RowAction; remove: RowAction }) {
  const [changed, changeAction, changing] = useActionState(changeRole, { status: "idle" });
  const [removed, removeAction, removing] = useActionState(remove, { status: "idle" });
  const answer = removed.status !== "idle" ? removed : changed;
  return (
    <div className="inline-form" style={{ gap: 6 }}>
      <form action={changeAction} className="inline-form" style={{ gap: 6 }}>
        <input type="hidden" name="id" value={id} />
        <label className="visually-hidden" htmlFor={`role-${id}`}>Role of {email}</label>
        <select id={`role-${id}`} name="role" defaultValue={role} data-testid="teammate-role">
          {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABEL[r]}</option>)}
        </select>
        <button className="btn btn-sm" type="submit" disabled={changing}>Change role</button>
      </form>
      <form action={removeAction} onSubmit={(e) => { if (!confirm(self ? "Remove yourself? You lose access to this console at once." : `Remove ${email}? They lose access at once.`)) e.preventDefault(); }}>
        <input type="hidden" name="id" value={id} />
        <button className="btn btn-sm btn-danger" type="submit" disabled={removing}>Remove</button>
      </form>
      {answer.status !== "idle" && <span className={answer.status === "error" ? "alert-inline-error" : "muted"} role={answer.status === "error" ? "alert" : "status"} data-testid="teammate-answer">{answer.message}</span>}
    </div>
  );
}

export function RevokeInviteButton({ id, action }: { id: string; action: RowAction }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className="inline-form">
      <input type="hidden" name="id" value={id} />
      <button className="btn btn-sm" type="submit" disabled={pending}>Withdraw</button>
      {state.status === "error" && <span className="alert-inline-error" role="alert">{state.message}</span>}
    </form>
  );
}
