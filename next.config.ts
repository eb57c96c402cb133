import type { NextConfig } from "next";

// Every route but /embed/* refuses to be framed. Embed responses get their
// frame-ancestors from the signed session (proxy.ts), never from here.
const denyFraming = [
  { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
];

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
    ];
  },
};

export default nextConfig;
