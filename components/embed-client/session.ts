import { t } from "@/lib/embed/messages";
import type { Dashboard } from "./dashboard";

// The session's clock, from what the server measured: the time it had left
// when the page was rendered, and the data token's own lifetime (exp - iat).
// The browser's clock is never compared with the server's: it may be minutes off.

function tokenTimes(token: string): { lifetimeMs: number; expiresAt: number } {
  try {
    const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return { lifetimeMs: (claims.exp - claims.iat) * 1000, expiresAt: claims.exp * 1000 };
  } catch {
    return { lifetimeMs: 0, expiresAt: 0 };
  }
}

export function installSessionClock(d: Dashboard) {
  setTimeout(() => d.endSession("session_expired", t(d.config.locale, d.config.mode === "preview" ? "session.preview_expired" : "session.expired")), d.config.sessionExpiresInMs);
  if (d.config.mode !== "embed") return;
  let token = d.config.dataToken;
  const schedule = () => {
    const { lifetimeMs, expiresAt } = tokenTimes(token);
    if (expiresAt + 1_000 >= Date.parse(d.config.sessionExpiresAt)) return; // it lasts as long as the session (exp is in whole seconds)
    setTimeout(async () => {
      const res = await d.api.call<{ data_token: string }>("POST", "/api/embed/refresh", {});
      if (res.ok) {
        token = res.body.data_token;
        d.api.setToken(token);
        schedule();
      } else if (res.status === 401 || res.status === 409) d.endSession(res.code, res.message);
    }, Math.max(1_000, lifetimeMs - 60_000));
  };
  schedule();
}
