import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// Embed code must never reach the admin-only cross-tenant readers, not even
// through another module. This walks the real import graph from every embed
// entry point.

const root = path.resolve(__dirname, "../..");
const ADMIN_ONLY = [
  "lib/query/cross-tenant.ts",
  "lib/tenants/overview.ts",
  "lib/tenants/delete-tenant-data.ts",
  "lib/tenants/session-counts.ts",
  "lib/audit-search.ts",
  "lib/audit-export.ts",
  "lib/backup/events-dump.ts",
];
// lib/embed holds the direct server path (direct-server.ts, embed-page.ts); components/embed-client the page script.
const EMBED_ROOTS = ["app/embed", "app/api/embed", "lib/embed", "lib/views", "components/dashboard", "components/embed-client", "proxy.ts"];

function files(rel: string): string[] {
  const abs = path.join(root, rel);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isFile()) return [rel];
  return fs.readdirSync(abs).flatMap((name) => files(path.join(rel, name))).filter((f) => /\.(ts|tsx)$/.test(f) && !/\.test\.tsx?$/.test(f));
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = spec.startsWith("@/") ? path.join(root, spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(path.join(root, from)), spec) : undefined;
  if (!base) return undefined; // a package
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts"), path.join(base, "index.tsx")]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return path.relative(root, candidate);
  }
  return undefined;
}

/** Every project file reachable from `entry`, with the path that reached it. */
export function reachable(entries: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = entries.map((e) => [e] as string[]);
  while (queue.length) {
    const trail = queue.shift()!;
    const file = trail[trail.length - 1];
    if (seen.has(file)) continue;
    seen.set(file, trail);
    const text = fs.readFileSync(path.join(root, file), "utf8");
    for (const m of text.matchAll(/(?:import|export)\s[^"']*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g)) {
      const target = resolveImport(file, m[1] ?? m[2] ?? m[3]);
      if (target && !seen.has(target)) queue.push([...trail, target]);
    }
  }
  return seen;
}

describe("embed code and admin-only readers", () => {
  it("no embed entry point reaches an admin-only reader", () => {
    const graph = reachable(EMBED_ROOTS.flatMap(files));
    const leaks = ADMIN_ONLY.filter((f) => graph.has(f)).map((f) => graph.get(f)!.join(" → "));
    expect(leaks).toEqual([]);
  });

  it("the walker does find the readers from admin pages (so the check above can fail)", () => {
    const graph = reachable(["app/admin/page.tsx", "app/admin/dashboards/[id]/page.tsx", "app/admin/tenants/page.tsx", "app/admin/audit/page.tsx", "app/admin/audit/export/route.ts", "app/v1/tenants/[tenant_id]/data/route.ts", "app/api/operator/backup/route.ts"]);
    expect(ADMIN_ONLY.filter((f) => !graph.has(f))).toEqual([]);
  });
});
