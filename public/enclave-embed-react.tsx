"use client";
// <EnclaveEmbed /> for React hosts. Copy this file (and enclave-embed.d.ts) into
// your app, or import it from here. It loads enclave-embed.js from your Enclave
// server once and mounts the dashboard.
//
//   <EnclaveEmbed
//     runtimeUrl="https://analytics.example.com/enclave-embed.js"
//     fetchToken={({ locale }) => fetch(`/api/enclave-session?locale=${locale ?? ""}`).then((r) => r.json())}
//     locale="de"                          // changing it mints a new session in that locale
//     theme={{ mode: "dark", brand: "#4f46e5" }}
//     onEvent={(e) => console.log(e.type)}
//   />

import { useEffect, useRef } from "react";
import type { EnclaveEvent, EnclaveInstance, EnclaveSession, EnclaveTheme, EnclaveTokenRequest } from "./enclave-embed";

type Props = {
  runtimeUrl: string;
  fetchToken: (request: EnclaveTokenRequest) => Promise<EnclaveSession>;
  theme?: EnclaveTheme;
  /** BCP 47; a change renews the session in the new locale (setLocale). */
  locale?: string;
  onEvent?: (event: EnclaveEvent) => void;
  className?: string;
};

const loading = new Map<string, Promise<void>>();

function loadRuntime(src: string): Promise<void> {
  if (typeof window !== "undefined" && window.Enclave) return Promise.resolve();
  let promise = loading.get(src);
  if (!promise) {
    promise = new Promise<void>((resolve, reject) => {
      const script = Object.assign(document.createElement("script"), { src, async: true });
      script.onload = () => resolve();
      script.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.appendChild(script);
    });
    loading.set(src, promise);
  }
  return promise;
}

export function EnclaveEmbed({ runtimeUrl, fetchToken, theme, locale, onEvent, className }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const instance = useRef<EnclaveInstance | null>(null);
  const latest = useRef({ fetchToken, onEvent });
  useEffect(() => {
    latest.current = { fetchToken, onEvent };
  });

  useEffect(() => {
    let cancelled = false;
    loadRuntime(runtimeUrl).then(() => {
      if (cancelled || !container.current || !window.Enclave) return;
      instance.current = window.Enclave.mount(container.current, {
        fetchToken: (request) => latest.current.fetchToken(request),
        onEvent: (e) => latest.current.onEvent?.(e),
        theme,
        locale,
      });
    });
    return () => {
      cancelled = true;
      instance.current?.destroy();
      instance.current = null;
    };
    // Mount once per runtime; theme changes go through setTheme below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runtimeUrl]);

  useEffect(() => {
    if (theme) instance.current?.setTheme(theme);
  }, [theme]);

  // The first locale went to mount; a later change renews the session in the new one.
  const mountedLocale = useRef(locale);
  useEffect(() => {
    if (!locale || locale === mountedLocale.current) return;
    mountedLocale.current = locale;
    void instance.current?.setLocale(locale);
  }, [locale]);

  return <div ref={container} className={className} />;
}
