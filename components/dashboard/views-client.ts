import type { OpenedView, ViewState, ViewSummary } from "@/lib/views/view-state";

// The embed's calls to /api/embed/views with the in-memory data token. Errors
// come back as the server's plain message (never thrown), for the UI to show.

export type ViewsResult<T> = { ok: true; body: T } | { ok: false; message: string };

async function request<T>(token: string, method: string, path: string, body?: unknown): Promise<ViewsResult<T>> {
  try {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`/api/embed/views${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
    const json = await res.json().catch(() => ({}));
    if (res.ok) return { ok: true, body: json as T };
    return { ok: false, message: json?.error?.message ?? "Something went wrong. Try again." };
  } catch {
    return { ok: false, message: "Could not reach the server. Check your connection and try again." };
  }
}

const at = (id: string) => `/${encodeURIComponent(id)}`;

export const viewsApi = {
  list: (token: string) => request<{ views: ViewSummary[]; can_save: boolean }>(token, "GET", ""),
  create: (token: string, input: { name: string; state: ViewState; shared: boolean }) => request<{ view: ViewSummary }>(token, "POST", "", input),
  open: (token: string, id: string) => request<OpenedView>(token, "GET", at(id)),
  update: (token: string, id: string, input: { name?: string; shared?: boolean }) => request<{ view: ViewSummary }>(token, "PATCH", at(id), input),
  remove: (token: string, id: string) => request<{ id: string; deleted: true }>(token, "DELETE", at(id)),
};
