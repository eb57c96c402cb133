import type { NextConfig } from "next";
import { contentSecurityPolicy } from "./scripts/server/security-headers.mjs";

// Every route but /embed/* refuses to be framed. Pages get their
// Content-Security-Policy (frame-ancestors 'none', scripts by a fresh nonce)
// from proxy.ts; embed pages get theirs, with frame-ancestors from the signed
// session, from lib/embed/embed-response.ts, never from here.
const denyFraming = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
];

// The API is outside proxy.ts (Next would buffer every request body for it, and cut
// ingest bodies at 10 MB): its answers (JSON, next-auth's redirects and its plain
// sign-out page) carry the same policy, without a nonce: no script runs.
const apiPolicy = [{ key: "Content-Security-Policy", value: contentSecurityPolicy({ frameAncestors: "none" }) }];

const embedHeaders = [
  { key: "Referrer-Policy", value: "no-referrer" },
  { key: "Cache-Control", value: "no-store" },
  { key: "X-Content-Type-Options", value: "nosniff" },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  serverExternalPackages: ["chdb", "better-sqlite3"],
  async headers() {
    return [
      // Negative lookahead: everything except /embed and /embed/…
      { source: "/((?!embed(?:/|$)).*)", headers: denyFraming },
      { source: "/embed/:path*", headers: embedHeaders },
      { source: "/api/:path*", headers: apiPolicy },
      { source: "/v1/:path*", headers: apiPolicy },
    ];
  },
};

export default nextConfig;
