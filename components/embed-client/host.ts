// The page's side of the postMessage protocol with the host's runtime
// (public/enclave-embed.js). It talks only to the signed origins of the
// session, and listens only to its parent window at one of those origins.

export type HostMessage = { source: "enclave-host"; type: "set-theme"; theme: { mode?: string; brand?: string } } | { source: "enclave-host"; type: "set-filters"; filters: unknown };
export type EmbedEvent = "ready" | "resize" | "error" | "expired" | "filter-change" | "drill";

const COLOR = /^#[0-9a-fA-F]{3,8}$/;

export function applyTheme(theme: { mode?: string; brand?: string }) {
  const root = document.documentElement;
  if (theme.mode === "light" || theme.mode === "dark") root.dataset.theme = theme.mode;
  if (theme.brand && COLOR.test(theme.brand)) {
    root.style.setProperty("--brand", theme.brand);
    root.style.setProperty("--chart-1", theme.brand);
  }
}

export class HostBridge {
  constructor(private readonly origins: string[]) {}

  /** Where to post: the parent's origin when the browser tells it, else each signed origin (others drop it). */
  private targets(): string[] {
    if (window.parent === window) return [];
    const ancestor = (window.location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins?.[0];
    return ancestor && this.origins.includes(ancestor) ? [ancestor] : this.origins;
  }

  post(type: EmbedEvent, payload: Record<string, unknown> = {}) {
    for (const origin of this.targets()) window.parent.postMessage({ source: "enclave", type, ...payload }, origin);
  }

  listen(onMessage: (message: HostMessage) => void) {
    window.addEventListener("message", (event) => {
      if (event.source !== window.parent || !this.origins.includes(event.origin)) return;
      const data = event.data as Partial<HostMessage> | null;
      if (data?.source === "enclave-host" && (data.type === "set-theme" || data.type === "set-filters")) onMessage(data as HostMessage);
    });
    const hash = new URLSearchParams(window.location.hash.slice(1));
    applyTheme({ mode: hash.get("theme") ?? undefined, brand: hash.get("brand") ?? undefined });
    const observer = new ResizeObserver(() => this.post("resize", { height: Math.ceil(document.documentElement.scrollHeight) }));
    observer.observe(document.body);
  }
}
