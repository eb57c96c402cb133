import "server-only";
import type { AdminContext } from "@/lib/auth/admin-session";
import type { ApiKeyContext } from "@/lib/auth/with-api-key";
import { AppError } from "@/lib/errors";

// Proof that an admin asked, for the cross-tenant readers (lib/query/cross-tenant.ts)
// and preview-as-tenant. Only the functions that authenticate issue proofs:
// getAdmin() (a signed-in admin, re-read from the database), withApiKey() (a
// resolved API key) and the setup process. A proof built by hand, a copy of a
// genuine one, or a key without the admin scope is refused; a key restricted
// to a tenant may act only for that tenant.

export type AdminProof = { kind: "admin"; admin: AdminContext } | { kind: "api_key"; ctx: ApiKeyContext } | { kind: "setup"; reason: string };

// On globalThis so proofs stay recognised however Next splits the server bundles.
const shared = globalThis as unknown as { enclaveIssuedProofs?: WeakSet<object> };
const issued = (shared.enclaveIssuedProofs ??= new WeakSet<object>());

/** Marks an authenticated admin or API key context as genuine. Called by the authenticating code only. */
export function issueProofSubject<T extends AdminContext | ApiKeyContext>(subject: T): T {
  issued.add(subject);
  return subject;
}

/** For the setup process (migrations, demo data) run by `npm start` and the CLI: never reachable from a request. */
export function setupProof(reason: string): AdminProof {
  const proof = Object.freeze({ kind: "setup" as const, reason });
  issued.add(proof);
  return proof;
}

export type CheckedProof = { actor: string; /** Set for a key restricted to one tenant: reads must stay within it. */ onlyTenant: string | null };

/** Throws unless `proof` is genuine, may act as an admin, and (with `tenantId`) may act for that tenant. */
export function checkAdminProof(proof: AdminProof | undefined, options: { tenantId?: string } = {}): CheckedProof {
  if (!proof || typeof proof !== "object") throw new AppError("forbidden", "This needs an admin.");
  if (proof.kind === "setup") {
    if (!issued.has(proof)) throw new AppError("forbidden", "This needs an admin.");
    return { actor: "system", onlyTenant: null };
  }
  if (proof.kind === "admin") {
    if (!issued.has(proof.admin)) throw new AppError("forbidden", "This needs a signed-in admin.");
    return { actor: proof.admin.actor, onlyTenant: null };
  }
  if (proof.kind === "api_key") {
    if (!issued.has(proof.ctx)) throw new AppError("forbidden", "This needs an API key with the \"admin\" scope.");
    if (!proof.ctx.key.scopes.includes("admin")) throw new AppError("insufficient_scope", 'This needs an API key with the "admin" scope.');
    if (options.tenantId !== undefined) proof.ctx.assertTenant(options.tenantId);
    return { actor: proof.ctx.actor, onlyTenant: proof.ctx.key.tenantId };
  }
  throw new AppError("forbidden", "This needs an admin.");
}
