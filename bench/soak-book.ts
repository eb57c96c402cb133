import { pct } from "./stats";

// The soak's bookkeeping: every request's time by kind, the errors, and the
// embed sessions with what the load did to them (revoked one by one or per
// tenant), so a 401 can be told apart: expected after a revocation, an error
// otherwise; and a 2xx well after a revocation is an error too.

export type Kind = "mint" | "page" | "render" | "render-country" | "filter-values" | "ingest" | "ingest-retry" | "revoke" | "revoke-tenant" | "publish" | "count";

/** Revocation reaches every request within 5 s (DESIGN: any cache holds ≤ 5 s); a little slack for the request in flight. */
export const REVOCATION_GRACE_MS = 5_500;

export type Session = {
  id: string;
  tenant: string;
  url: string;
  mintSentAt: number;
  mintDoneAt: number;
  /** When a revocation that covers it was sent (a 401 after this is expected). */
  revokeSentAt?: number;
  /** When the server confirmed it (a 2xx for a request started well after this is an error). */
  revokedAt?: number;
};

export class SoakBook {
  readonly times = new Map<Kind, number[]>();
  readonly errors: string[] = [];
  errorCount = 0;
  requests = 0;
  revoked401 = 0;
  servedAfterRevocation = 0;
  readonly sessions = new Map<string, Session>();
  /** Sessions a user is on right now: the ones worth revoking. */
  readonly inUse = new Set<string>();
  private tenantRevocations: { tenant: string; sentAt: number; doneAt?: number }[] = [];

  time(kind: Kind, ms: number) {
    this.requests++;
    let list = this.times.get(kind);
    if (!list) this.times.set(kind, (list = []));
    list.push(ms);
  }

  error(text: string) {
    this.errorCount++;
    if (this.errors.length < 30) this.errors.push(text);
  }

  /** A minted session; a tenant revocation in flight while it was minted may or may not cover it. */
  add(s: Session) {
    for (const r of this.tenantRevocations) {
      if (r.tenant === s.tenant && s.mintSentAt <= (r.doneAt ?? Infinity) && s.mintDoneAt >= r.sentAt) s.revokeSentAt = r.sentAt;
    }
    this.sessions.set(s.id, s);
  }

  revokeSent(id: string, at: number) {
    const s = this.sessions.get(id);
    if (s && s.revokeSentAt === undefined) s.revokeSentAt = at;
  }

  revokeDone(id: string, at: number) {
    const s = this.sessions.get(id);
    if (s && s.revokedAt === undefined) s.revokedAt = at;
  }

  /** Every session of the tenant known when the request was sent is covered; ones minted meanwhile may be. */
  tenantRevokeSent(tenant: string, at: number) {
    this.tenantRevocations.push({ tenant, sentAt: at });
    for (const s of this.sessions.values()) if (s.tenant === tenant && s.revokeSentAt === undefined) s.revokeSentAt = at;
  }

  tenantRevokeDone(tenant: string, sentAt: number, at: number) {
    const r = this.tenantRevocations.find((x) => x.tenant === tenant && x.sentAt === sentAt);
    if (r) r.doneAt = at;
    for (const s of this.sessions.values()) if (s.tenant === tenant && s.mintDoneAt < sentAt && s.revokedAt === undefined) s.revokedAt = at;
  }

  /** Judges an answer for a session's request started at `startedAt`: "ok", "revoked" (an expected 401), or "error". */
  judge(s: Session, status: number, code: string | undefined, startedAt: number, what: string): "ok" | "revoked" | "error" {
    if (status >= 200 && status < 300) {
      if (s.revokedAt !== undefined && startedAt > s.revokedAt + REVOCATION_GRACE_MS) {
        this.servedAfterRevocation++;
        this.error(`${what}: session ${s.id} of ${s.tenant} served ${Math.round(startedAt - s.revokedAt)} ms after its revocation`);
        return "error";
      }
      return "ok";
    }
    if (status === 401 && code === "session_revoked" && s.revokeSentAt !== undefined) {
      this.revoked401++;
      return "revoked";
    }
    this.error(`${what}: HTTP ${status} ${code ?? ""} for a session of ${s.tenant}${s.revokeSentAt === undefined ? " nobody revoked" : ""}`);
    return "error";
  }

  latency(kinds?: Kind[]) {
    const all = [...this.times].filter(([k]) => !kinds || kinds.includes(k)).flatMap(([, v]) => v);
    return { n: all.length, p50: pct(all, 50), p95: pct(all, 95), p99: pct(all, 99) };
  }
}
