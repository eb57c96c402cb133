"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

type Props = {
  callbackUrl: string;
  initialError?: string;
  errors: Record<string, string>;
  /** Email and password are accepted (PASSWORD_SIGN_IN). */
  password: boolean;
  /** Single sign-on, when configured: next-auth's provider id and the button's label. */
  sso?: { id: string; name: string };
};

export function LoginForm({ callbackUrl, initialError, errors, password, sso }: Props) {
  const router = useRouter();
  const [error, setError] = useState(initialError);
  const [pending, setPending] = useState(false);
  const [redirecting, setRedirecting] = useState(false);

  async function onSso() {
    if (!sso) return;
    setRedirecting(true);
    setError(undefined);
    try {
      // Leaves for the identity provider; it sends the browser back to callbackUrl.
      await signIn(sso.id, { callbackUrl });
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
      setRedirecting(false);
    }
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    try {
      const result = await signIn("credentials", {
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        redirect: false,
      });
      if (result?.ok && !result.error) {
        router.replace(callbackUrl);
        router.refresh();
        return;
      }
      setError(errors[result?.error ?? ""] ?? "Sign-in failed. Try again.");
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
    }
    setPending(false);
  }

  const alert = error && (
    <div className="alert alert-error" role="alert" data-testid="form-error">
      {error}
    </div>
  );
  return (
    <>
      {sso && (
        <div style={{ marginBottom: password ? "1rem" : 0 }}>
          {!password && alert}
          <button className="btn btn-primary" type="button" onClick={onSso} disabled={redirecting} style={{ width: "100%", justifyContent: "center" }} data-testid="sso-sign-in">
            {redirecting ? "Going to your identity provider…" : `Sign in with ${sso.name}`}
          </button>
        </div>
      )}
      {sso && password && <p className="muted" style={{ textAlign: "center", margin: "0 0 1rem", fontSize: "0.875rem" }}>or with your email and password</p>}
      {password && (
        <form onSubmit={onSubmit} noValidate>
          {alert}
          <div className="field">
            <label htmlFor="email">Email</label>
            <input id="email" name="email" type="email" autoComplete="username" required autoFocus={!sso} />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input id="password" name="password" type="password" autoComplete="current-password" required />
          </div>
          <button className={sso ? "btn" : "btn btn-primary"} type="submit" disabled={pending} style={{ width: "100%", justifyContent: "center" }}>
            {pending ? "Signing in…" : "Sign in"}
          </button>
        </form>
      )}
    </>
  );
}
