import { z } from "zod";

// Allowed origins of a dashboard: exact scheme://host[:port], no paths or
// wildcards, so a signed origin can go into frame-ancestors as it is.

export const OriginString = z
  .string()
  .trim()
  .transform((v, ctx) => {
    try {
      const url = new URL(v);
      if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password || (url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) throw new Error();
      return url.origin;
    } catch {
      ctx.addIssue({ code: "custom", message: `"${v}" is not an origin: expected scheme://host[:port], e.g. https://app.example.com` });
      return z.NEVER;
    }
  });

export const AllowedOrigins = z.array(OriginString).max(50);

export function parseStoredOrigins(stored: string): string[] {
  const parsed = AllowedOrigins.safeParse(JSON.parse(stored));
  return parsed.success ? parsed.data : [];
}
