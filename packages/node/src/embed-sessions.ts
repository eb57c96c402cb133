import { segment, type Api } from "./api.js";
import type { EmbedSession, EmbedSessionCreated, EmbedSessionInput } from "./types.js";

/** Embed sessions: one tenant, one published dashboard, a signed URL for an iframe. Needs the `embed` scope. */
export class EmbedSessions {
  constructor(private readonly api: Api) {}

  /** Mints a session; put `embed_url` in an iframe. A key restricted to a tenant gets `tenant_forbidden` for any other. */
  create(input: EmbedSessionInput): Promise<EmbedSessionCreated> {
    return this.api.call({ method: "POST", path: "/v1/embed-sessions", json: input });
  }

  /** The session's state. Another tenant's session is `not_found` to a key restricted to a tenant. */
  get(sessionId: string): Promise<EmbedSession> {
    return this.api.call({ method: "GET", path: `/v1/embed-sessions/${segment(sessionId)}` });
  }

  /** Revokes the session; its open embeds stop getting data within 5 seconds. */
  revoke(sessionId: string): Promise<EmbedSession> {
    return this.api.call({ method: "DELETE", path: `/v1/embed-sessions/${segment(sessionId)}` });
  }
}
