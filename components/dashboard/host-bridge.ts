"use client";

import { useEffect, useRef } from "react";

// The embed's side of the postMessage protocol with the host page's runtime
// (public/enclave-embed.js). It talks only to the signed origins of the
// session, and listens only to its parent window at one of those origins.

export type HostMessage =
  | { source: "enclave-host"; type: "set-theme"; theme: { mode?: "light" | "dark"; brand?: string } }
  | { source: "enclave-host"; type: "set-filters"; filters: unknown };

export type EmbedEvent = "ready" | "resize" | "error" | "expired" | "filter-change";

const COLOR = /^#[0-9a-fA-F]{3,8}$/;

export function applyTheme(theme: { mode?: string; brand?: string }) {
  const root = document.documentElement;
  if (theme.mode === "light" || theme.mode === "dark") root.dataset.theme = theme.mode;
  if (theme.brand && COLOR.test(theme.brand)) {
    root.style.setProperty("--brand", theme.brand);
    root.style.setProperty("--chart-1", theme.brand);
  }
}

/** Where to post: the parent's origin when the browser tells it, else each signed origin (others drop it). */
function targets(origins: string[]): string[] {
  if (typeof window === "undefined" || window.parent === window) return [];
  const ancestor = (window.location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins?.[0];
  return ancestor && origins.includes(ancestor) ? [ancestor] : origins;
}

export function postToHost(origins: string[], type: EmbedEvent, payload: Record<string, unknown> = {}) {
  for (const origin of targets(origins)) window.parent.postMessage({ source: "enclave", type, ...payload }, origin);
}

export function useHostBridge(origins: string[], onMessage: (message: HostMessage) => void) {
  const handler = useRef(onMessage);
  useEffect(() => {
    handler.current = onMessage;
  });
  useEffect(() => {
    const listener = (event: MessageEvent) => {
      if (event.source !== window.parent || !origins.includes(event.origin)) return;
      const data = event.data as Partial<HostMessage> | null;
      if (data?.source === "enclave-host" && (data.type === "set-theme" || data.type === "set-filters")) handler.current(data as HostMessage);
    };
    window.addEventListener("message", listener);
    // Theme from the URL fragment (never sent to the server), then tell the host we are here.
    const hash = new URLSearchParams(window.location.hash.slice(1));
    applyTheme({ mode: hash.get("theme") ?? undefined, brand: hash.get("brand") ?? undefined });
    postToHost(origins, "ready");
    const observer = new ResizeObserver(() => postToHost(origins, "resize", { height: Math.ceil(document.documentElement.scrollHeight) }));
    observer.observe(document.body);
    return () => {
      window.removeEventListener("message", listener);
      observer.disconnect();
    };
  }, [origins]);
}
