import { segment, type Api } from "./api.js";
import type { AllowedOrigins, Dashboard, DashboardCreateInput, DashboardExport, DashboardListQuery, DashboardSummary, DashboardUpdateInput, ExportQuery, PublishInput, RollbackInput, Version } from "./types.js";

/**
 * Dashboards as code. Dashboards are shared by every tenant, so these calls
 * need an `admin` key without a tenant restriction (others get `tenant_forbidden`).
 */
export class Dashboards {
  constructor(private readonly api: Api) {}

  /** Dashboards, most recently edited first. */
  async list(query: DashboardListQuery = {}): Promise<DashboardSummary[]> {
    return (await this.api.call<{ dashboards: DashboardSummary[] }>({ method: "GET", path: "/v1/dashboards", query })).dashboards;
  }

  get(id: string): Promise<Dashboard> {
    return this.api.call({ method: "GET", path: `/v1/dashboards/${segment(id)}` });
  }

  /** Creates a dashboard whose draft is `definition`. */
  create(input: DashboardCreateInput): Promise<Dashboard> {
    return this.api.call({ method: "POST", path: "/v1/dashboards", json: input });
  }

  /** Replaces the draft; send the `draft_version` you read, or get a ConflictError. */
  update(id: string, input: DashboardUpdateInput): Promise<Dashboard> {
    return this.api.call({ method: "PUT", path: `/v1/dashboards/${segment(id)}`, json: input });
  }

  /** Publishes the draft as a new immutable version, which goes live. */
  publish(id: string, input: PublishInput = {}): Promise<Version> {
    return this.api.call({ method: "POST", path: `/v1/dashboards/${segment(id)}/publish`, json: input });
  }

  /** Published versions, newest first. */
  async versions(id: string): Promise<Version[]> {
    return (await this.api.call<{ versions: Version[] }>({ method: "GET", path: `/v1/dashboards/${segment(id)}/versions` })).versions;
  }

  /** Makes an earlier version live again. */
  rollback(id: string, input: RollbackInput): Promise<Version> {
    return this.api.call({ method: "POST", path: `/v1/dashboards/${segment(id)}/rollback`, json: input });
  }

  /** The draft, or `{ version }`, as a file `import()` reads. */
  export(id: string, query: ExportQuery = {}): Promise<DashboardExport> {
    return this.api.call({ method: "GET", path: `/v1/dashboards/${segment(id)}/export`, query });
  }

  /** Creates a new dashboard from an export; its draft is the file's definition. */
  import(file: DashboardExport): Promise<Dashboard> {
    return this.api.call({ method: "POST", path: "/v1/dashboards/import", json: file });
  }

  /** Origins that may frame this dashboard's embeds. */
  async allowedOrigins(id: string): Promise<string[]> {
    return (await this.api.call<AllowedOrigins>({ method: "GET", path: `/v1/dashboards/${segment(id)}/allowed-origins` })).origins;
  }

  /** Replaces the allowed origins. */
  async setAllowedOrigins(id: string, origins: string[]): Promise<string[]> {
    return (await this.api.call<AllowedOrigins>({ method: "PUT", path: `/v1/dashboards/${segment(id)}/allowed-origins`, json: { origins } })).origins;
  }
}
