import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import { hashPassword } from "@/lib/auth/password";
import { hasRole, PUBLIC_ACTIONS, ROLE_NEEDED, ROLES, type Role } from "@/lib/auth/roles";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// Every server action and admin route, called as every role: below the role
// ROLE_NEEDED names, refused on the server (403 `forbidden`) before anything
// changes; at or above it, never refused for the role. The lists are read
// from the files ("use server" modules, route.ts under app/admin), so a new
// action or route without an entry in the table fails here. The role is read
// from the database on each call: a demotion or removal applies to the next.
// The session is the one thing stood in for (next-auth's cookie lookup);
// e2e/team.spec.ts signs in for real.

let session: { user: { id: string } } | null = null;
vi.mock("next-auth", async (original) => ({ ...(await original<typeof import("next-auth")>()), getServerSession: async () => session }));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));

const ROOT = path.resolve(__dirname, "../..");
const ids: Record<Role, string> = { viewer: "adm_role_viewer", editor: "adm_role_editor", owner: "adm_role_owner" };

function filesUnder(dir: string, test: (file: string) => boolean): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile() && test(f));
}
const relative = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

const sources = ["app", "components", "lib"].flatMap((dir) => filesUnder(path.join(ROOT, dir), (f) => /\.tsx?$/.test(f) && !f.endsWith(".test.ts")));
const DIRECTIVE = /^["']use server["'];?\s*$/m; // a module of server actions
const INLINE = /^\s+["']use server["'];?\s*$/m; // an action declared inside a function
const actionFiles = sources.filter((f) => DIRECTIVE.test(fs.readFileSync(f, "utf8")));
const routeFiles = filesUnder(path.join(ROOT, "app/admin"), (f) => /route\.ts$/.test(f));
const pageFiles = filesUnder(path.join(ROOT, "app/admin"), (f) => /page\.tsx$/.test(f));

type Fn = (...args: unknown[]) => Promise<unknown>;
async function exportsOf(file: string): Promise<Record<string, Fn>> {
  const mod = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(mod).filter(([, v]) => typeof v === "function")) as Record<string, Fn>;
}

/** Runs `fn` as `role`; answers how it ended: "refused for the role", another error, or done. */
async function asRole(role: Role | null, fn: () => Promise<unknown>): Promise<"refused" | "signed-out" | "ran"> {
  session = role ? { user: { id: ids[role] } } : null;
  try {
    const out = await fn();
    if (out instanceof Response && out.status === 403 && /role/.test(await out.clone().text())) return "refused";
    if (out instanceof Response && out.status === 401) return "signed-out";
    return "ran";
  } catch (err) {
    const e = err as { code?: string; message?: string; digest?: string };
    if (e.code === "forbidden" && /role/.test(e.message ?? "")) return "refused";
    if (String(e.digest ?? "").startsWith("NEXT_REDIRECT") && String(e.digest).includes("/login")) return "signed-out";
    return "ran"; // failed for another reason (its dummy input): it got past the role check
  } finally {
    session = null;
  }
}

const auditCount = () => getDb().auditLog.count();
const form = () => {
  const f = new FormData();
  f.set("id", "nothing");
  f.set("name", "x");
  return f;
};
/** Dummy arguments in every shape the actions take: (prev, form), (form), (id, prev, form), (input), (target, input). */
const argsFor = (fn: Fn): unknown[] => (fn.length >= 3 ? ["dash_none", { status: "idle" }, form()] : fn.length === 2 ? [{ status: "idle", dashboardId: "dash_none" }, form()] : [form()]);

beforeAll(async () => {
  migrateTestDatabase();
  const passwordHash = await hashPassword(crypto.randomBytes(12).toString("hex"));
  for (const role of ROLES) await getDb().adminUser.upsert({ where: { id: ids[role] }, create: { id: ids[role], email: `${role}@roles.test`, name: role, role, passwordHash }, update: { role } });
});
afterAll(async () => {
  await closeAnalytics();
});

describe("the role table", () => {
  it("names every server action and every admin route, and nothing that does not exist", async () => {
    const actions: string[] = [];
    for (const file of actionFiles) for (const name of Object.keys(await exportsOf(file))) actions.push(`${relative(file)}#${name}`);
    expect(actions.length).toBeGreaterThan(15);
    expect(actions.filter((a) => !(a in ROLE_NEEDED.actions) && !(PUBLIC_ACTIONS as readonly string[]).includes(a))).toEqual([]);
    expect([...Object.keys(ROLE_NEEDED.actions), ...PUBLIC_ACTIONS].filter((a) => !actions.includes(a)).sort()).toEqual([]);
    // Inline actions cannot be listed from a module's exports: there are none.
    expect(sources.filter((f) => INLINE.test(fs.readFileSync(f, "utf8"))).map(relative)).toEqual([]);
    const routes: string[] = [];
    for (const file of routeFiles) for (const method of Object.keys(await exportsOf(file)).filter((m) => /^[A-Z]+$/.test(m))) routes.push(`${relative(file)}#${method}`);
    expect(routes.sort()).toEqual(Object.keys(ROLE_NEEDED.routes).sort());
  });

  it("names every admin page, and each page checks the role of its own entry first", () => {
    const pages = pageFiles.map((file) => {
      const page = `/${path.dirname(relative(file))}`.replace(/^\/app/, "");
      const source = fs.readFileSync(file, "utf8");
      return { page, checks: new RegExp(`await requirePage\\("${page.replace(/[[\]]/g, "\\$&")}",`).test(source), otherGate: /requireAdmin\(|getAdmin\(/.test(source) };
    });
    expect(pages.map((p) => p.page).sort()).toEqual(Object.keys(ROLE_NEEDED.pages).sort());
    expect(pages.filter((p) => !p.checks || p.otherGate)).toEqual([]);
  });
});

describe.each(Object.entries(ROLE_NEEDED.actions))("server action %s", (key, needed) => {
  it(`is refused below ${needed} before anything changes, and runs for ${needed} and above`, async () => {
    const [file, name] = key.split("#");
    const fn = (await exportsOf(path.join(ROOT, file)))[name];
    expect(await asRole(null, () => fn(...argsFor(fn)))).toBe("signed-out");
    for (const role of ROLES) {
      const before = await auditCount();
      const outcome = await asRole(role, () => fn(...argsFor(fn)));
      if (hasRole(role, needed)) expect(outcome, role).toBe("ran");
      else {
        expect(outcome, role).toBe("refused");
        expect(await auditCount(), `${role}: nothing recorded`).toBe(before);
      }
    }
  });
});

describe.each(Object.entries(ROLE_NEEDED.routes))("admin route %s", (key, needed) => {
  it(`answers 403 below ${needed} and 401 signed out`, async () => {
    const [file, method] = key.split("#");
    const handler = (await exportsOf(path.join(ROOT, file)))[method];
    const call = () => handler(new Request("http://test/admin/x"), { params: Promise.resolve({ id: "dash_none" }) });
    expect(await asRole(null, call)).toBe("signed-out");
    for (const role of ROLES) expect(await asRole(role, call), role).toBe(hasRole(role, needed) ? "ran" : "refused");
  });
});

describe("the role is read on every request", () => {
  it("a demoted teammate is refused on the next call, a promoted one allowed, a removed one signed out", async () => {
    const { createKeyAction } = await import("@/app/admin/keys/actions");
    const call = () => createKeyAction({ status: "idle" }, form());
    const id = "adm_role_changing";
    await getDb().adminUser.create({ data: { id, email: "changing@roles.test", name: "c", role: "owner", passwordHash: "x" } });
    const as = async () => {
      session = { user: { id } };
      try {
        return await call();
      } finally {
        session = null;
      }
    };
    expect(await as()).toMatchObject({ status: "error" }); // ran: refused for its input ("a key needs a scope"), not the role
    await getDb().adminUser.update({ where: { id }, data: { role: "editor" } });
    await expect(as()).rejects.toMatchObject({ code: "forbidden" });
    await getDb().adminUser.update({ where: { id }, data: { role: "owner" } });
    expect(await as()).toMatchObject({ status: "error" });
    await getDb().adminUser.delete({ where: { id } });
    await expect(as()).rejects.toMatchObject({ digest: expect.stringContaining("/login") });
  });
});
