import type { ReactNode } from "react";

/** The card of the pages a signed-out person sees (sign-in, joining from an invite). */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="card auth-card">
        <div className="brand">
          <span className="brand-mark" aria-hidden>E</span> Enclave
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
