"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { hasRole, ROLE_NEEDED, type Role } from "@/lib/auth/roles";

export const ADMIN_NAV = [
  { href: "/admin", label: "Overview", exact: true },
  { href: "/admin/dashboards", label: "Dashboards" },
  { href: "/admin/keys", label: "API keys" },
  { href: "/admin/tenants", label: "Tenants" },
  { href: "/admin/ai", label: "AI" },
  { href: "/admin/team", label: "Team" },
  { href: "/admin/audit", label: "Audit log" },
] as const;

/** The pages `role` may open (the server refuses the others whatever the menu shows). */
export function AdminNav({ role }: { role: Role }) {
  const pathname = usePathname();
  return (
    <nav className="nav" aria-label="Admin">
      {ADMIN_NAV.filter((item) => hasRole(role, ROLE_NEEDED.pages[item.href])).map((item) => {
        const active = "exact" in item && item.exact ? pathname === item.href : pathname.startsWith(item.href);
        return (
          <Link key={item.href} href={item.href} aria-current={active ? "page" : undefined}>
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
