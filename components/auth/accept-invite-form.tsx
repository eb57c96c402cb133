"use client";

import { useActionState } from "react";
import type { AcceptState } from "@/app/invite/[token]/actions";

export function AcceptInviteForm({ action, email }: { action: (prev: AcceptState, form: FormData) => Promise<AcceptState>; email: string }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  if (state.status === "joined") {
    return (
      <div className="alert alert-success" role="status" data-testid="invite-joined">
        <p>You joined as {state.email}.</p>
        <a className="btn btn-primary" href="/login?callbackUrl=%2Fadmin">Sign in</a>
      </div>
    );
  }
  return (
    <form action={formAction}>
      {state.status === "error" && <div className="alert alert-error" role="alert">{state.message}</div>}
      <div className="field">
        <label htmlFor="invite-email-shown">Email</label>
        <input id="invite-email-shown" type="email" value={email} readOnly />
      </div>
      <div className="field">
        <label htmlFor="invite-name">Your name</label>
        <input id="invite-name" name="name" type="text" required maxLength={120} autoComplete="name" />
      </div>
      <div className="field">
        <label htmlFor="invite-password">Password</label>
        <input id="invite-password" name="password" type="password" required minLength={12} autoComplete="new-password" />
        <span className="hint">At least 12 characters.</span>
      </div>
      <button className="btn btn-primary" type="submit" disabled={pending}>{pending ? "Joining…" : "Join"}</button>
    </form>
  );
}
