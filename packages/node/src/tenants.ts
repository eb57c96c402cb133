import { segment, type Api } from "./api.js";
import type { TenantDeletion, TenantSessionsRevoked } from "./types.js";

export class Tenants {
  constructor(private readonly api: Api) {}

  /** Revokes every session of the tenant minted until now (`embed` scope). */
  revokeSessions(tenantId: string): Promise<TenantSessionsRevoked> {
    return this.api.call({ method: "POST", path: `/v1/tenants/${segment(tenantId)}/revoke-sessions` });
  }

  /** Erases the tenant's events, saved views and cached results, and revokes its sessions (`admin` scope). */
  deleteData(tenantId: string): Promise<TenantDeletion> {
    return this.api.call({ method: "DELETE", path: `/v1/tenants/${segment(tenantId)}/data` });
  }
}
