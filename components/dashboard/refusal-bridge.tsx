"use client";

import { useEffect } from "react";
import { postToHost } from "./host-bridge";

/** Tells the host runtime why the embed shows no dashboard (expired, revoked, spent…). */
export function RefusalBridge({ code, origins }: { code: string; origins: string[] }) {
  useEffect(() => {
    postToHost(origins, code === "session_expired" ? "expired" : "error", { code });
  }, [code, origins]);
  return null;
}
