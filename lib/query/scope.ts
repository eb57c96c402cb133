import "server-only";
import { AppError } from "@/lib/errors";
import { isTenantId } from "@/lib/tenant-id";
import { checkAdminProof, type AdminProof } from "@/lib/auth/admin-proof";

// TenantScope: the only thing that names a tenant to the query engine. It is
// constructed here and nowhere else; the executor refuses any object that did
// not come from these constructors (a structural copy is not enough).

declare const scopeBrand: unique symbol;

export type TenantScope = {
  readonly tenantId: string;
  readonly source: "embed" | "admin_preview" | "validation";
  /** Who asked: "embed:<session id>", "admin:<email>", "apikey:<prefix>". */
  readonly actor: string;
  readonly [scopeBrand]: true;
};

// On globalThis so a scope stays recognised however Next splits the server bundles.
const shared = globalThis as unknown as { enclaveIssuedScopes?: WeakSet<object> };
const issued = (shared.enclaveIssuedScopes ??= new WeakSet<object>());

function issue(tenantId: string, source: TenantScope["source"], actor: string): TenantScope {
  if (!isTenantId(tenantId)) throw new AppError("validation_failed", `"${tenantId}" is not a valid tenant id.`);
  const scope = Object.freeze({ tenantId, source, actor }) as TenantScope;
  issued.add(scope);
  return scope;
}

/** Whether the executor may run queries for this scope: issued here, and not a validation scope. */
export function isIssuedScope(scope: unknown): scope is TenantScope {
  return typeof scope === "object" && scope !== null && issued.has(scope) && (scope as TenantScope).source !== "validation";
}

/** For compiling without running (publish checks). The executor refuses it. */
export function scopeForValidation(): TenantScope {
  return issue("validation-only", "validation", "system:validation");
}

/** A verified embed session names its tenant (lib/embed verifies the token first). */
export type VerifiedEmbedSession = { verified: true; sessionId: string; tenantId: string };

export function scopeFromEmbedSession(session: VerifiedEmbedSession): TenantScope {
  if (session.verified !== true) throw new AppError("unauthenticated", "This embed session could not be verified.");
  return issue(session.tenantId, "embed", `embed:${session.sessionId}`);
}

/** An admin's explicit choice to preview as a tenant: a signed-in admin or an `admin`-scoped API key (a restricted one for its tenant only). */
export type PreviewAuthority = AdminProof;

export function scopeForAdminPreview(authority: PreviewAuthority, tenantId: string): TenantScope {
  if (!authority || authority.kind === "setup") throw new AppError("forbidden", "Previewing as a tenant needs an admin.");
  const { actor } = checkAdminProof(authority, { tenantId });
  return issue(tenantId, "admin_preview", actor);
}
