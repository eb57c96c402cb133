// The page's calls to its data endpoints. The data token lives only here, in
// memory (refreshed in place), and travels only in the Authorization header.

export type ApiResult<T> = { ok: true; status: number; body: T } | { ok: false; status: number; code: string; message: string };

export class Api {
  constructor(private token: string) {}

  setToken(token: string) {
    this.token = token;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
      const json = await res.json().catch(() => ({}));
      if (res.ok) return { ok: true, status: res.status, body: json as T };
      return { ok: false, status: res.status, code: json?.error?.code ?? "error", message: json?.error?.message ?? "Something went wrong. Try again." };
    } catch {
      return { ok: false, status: 0, code: "network", message: "Could not reach the server. Check your connection and try again." };
    }
  }

  /** For downloads (CSV): the raw response. */
  raw(path: string, body: unknown): Promise<Response> {
    return fetch(path, { method: "POST", headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" }, body: JSON.stringify(body), cache: "no-store" });
  }
}
