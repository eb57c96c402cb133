import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import { verifyPassword } from "@/lib/auth/password";
import { acceptInvite, changeRole, createInvite, listTeam, readInvite, removeTeammate, revokeInvite } from "@/lib/auth/team";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// Teammates and invites on the real metadata store: an invite link works once,
// for its email and role, until it expires or is withdrawn; the last owner can
// neither be removed nor demoted, even by two owners acting at once.

const tokenOf = (url: string) => url.split("/invite/")[1];
const audits = (action: string) => getDb().auditLog.findMany({ where: { action }, orderBy: { id: "asc" } });

beforeAll(() => migrateTestDatabase());
beforeEach(async () => {
  await getDb().adminInvite.deleteMany({});
  await getDb().adminUser.deleteMany({});
  await getDb().adminUser.create({ data: { id: "adm_owner", email: "owner@team.test", name: "Owner", role: "owner", passwordHash: "x" } });
});
afterAll(async () => {
  await closeAnalytics();
});

describe("invites", () => {
  it("an invite link makes one teammate with its email and role, once; the token is not stored", async () => {
    const invite = await createInvite({ email: "New@Team.test", role: "editor" }, "admin:owner@team.test");
    expect(invite).toMatchObject({ email: "new@team.test", role: "editor" });
    const token = tokenOf(invite.url);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(await getDb().adminInvite.findMany())).not.toContain(token);
    expect(await readInvite(token)).toMatchObject({ status: "valid", email: "new@team.test", role: "editor" });
    expect((await listTeam()).invites.map((i) => i.email)).toEqual(["new@team.test"]);

    await expect(acceptInvite(token, { name: "New", password: "short" })).rejects.toMatchObject({ code: "validation_failed" });
    expect(await readInvite(token)).toMatchObject({ status: "valid" }); // a refused form uses nothing up
    expect(await acceptInvite(token, { name: "New", password: "a long enough password" })).toEqual({ email: "new@team.test", role: "editor" });
    const user = await getDb().adminUser.findUniqueOrThrow({ where: { email: "new@team.test" } });
    expect(user.role).toBe("editor");
    expect(await verifyPassword("a long enough password", user.passwordHash)).toBe(true);
    expect(await readInvite(token)).toEqual({ status: "used" });
    await expect(acceptInvite(token, { name: "Again", password: "a long enough password" })).rejects.toMatchObject({ code: "invalid_token" });
    expect(await getDb().adminUser.count({ where: { email: "new@team.test" } })).toBe(1);
    expect((await listTeam()).invites).toEqual([]);
    expect((await audits("team.invite")).map((a) => a.target)).toEqual(["new@team.test"]);
    expect((await audits("team.join")).map((a) => [a.target, JSON.parse(a.meta)])).toEqual([["new@team.test", { role: "editor" }]]);
  });

  it("two accepts of one link at once make one teammate", async () => {
    const token = tokenOf((await createInvite({ email: "race@team.test", role: "viewer" }, "admin:owner@team.test")).url);
    const results = await Promise.allSettled([acceptInvite(token, { name: "A", password: "a long enough password" }), acceptInvite(token, { name: "B", password: "a long enough password" })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await getDb().adminUser.count({ where: { email: "race@team.test" } })).toBe(1);
  });

  it("refuses bad input, a teammate's email, and links that expired, were withdrawn, replaced or never existed", async () => {
    await expect(createInvite({ email: "not an email", role: "editor" }, "a")).rejects.toMatchObject({ code: "validation_failed" });
    await expect(createInvite({ email: "x@team.test", role: "admin" }, "a")).rejects.toMatchObject({ code: "validation_failed", message: expect.stringContaining("viewer, editor, owner") });
    await expect(createInvite({ email: "owner@team.test", role: "viewer" }, "a")).rejects.toMatchObject({ code: "conflict" });
    expect(await getDb().adminInvite.count()).toBe(0);

    const first = tokenOf((await createInvite({ email: "twice@team.test", role: "viewer" }, "a")).url);
    const second = tokenOf((await createInvite({ email: "twice@team.test", role: "owner" }, "a")).url);
    expect(await readInvite(first)).toEqual({ status: "revoked" });
    expect(await readInvite(second)).toMatchObject({ status: "valid", role: "owner" });
    const pending = (await listTeam()).invites.find((i) => i.email === "twice@team.test")!;
    await revokeInvite(pending.id, "a");
    expect(await readInvite(second)).toEqual({ status: "revoked" });
    await expect(acceptInvite(second, { name: "T", password: "a long enough password" })).rejects.toMatchObject({ code: "invalid_token" });

    const old = tokenOf((await createInvite({ email: "late@team.test", role: "viewer" }, "a")).url);
    await getDb().adminInvite.updateMany({ where: { email: "late@team.test" }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await readInvite(old)).toEqual({ status: "expired" });
    await expect(acceptInvite(old, { name: "L", password: "a long enough password" })).rejects.toMatchObject({ code: "invalid_token", message: expect.stringContaining("expired") });
    expect(await readInvite("x".repeat(43))).toEqual({ status: "unknown" });
    expect(await getDb().adminUser.count()).toBe(1);
  });
});

describe("roles and removal", () => {
  it("the last owner can be neither demoted nor removed; another owner can", async () => {
    await expect(changeRole({ id: "adm_owner", role: "editor" }, "a")).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("at least one owner") });
    await expect(removeTeammate("adm_owner", "a")).rejects.toMatchObject({ code: "conflict" });
    await getDb().adminUser.create({ data: { id: "adm_two", email: "two@team.test", name: "Two", role: "viewer", passwordHash: "x" } });
    await expect(changeRole({ id: "adm_two", role: "superuser" }, "a")).rejects.toMatchObject({ code: "validation_failed" });
    await changeRole({ id: "adm_two", role: "owner" }, "admin:owner@team.test");
    await changeRole({ id: "adm_owner", role: "viewer" }, "admin:two@team.test");
    expect((await listTeam()).teammates.map((t) => [t.email, t.role])).toEqual([["owner@team.test", "viewer"], ["two@team.test", "owner"]]);
    await expect(removeTeammate("adm_two", "a")).rejects.toMatchObject({ code: "conflict" });
    await removeTeammate("adm_owner", "admin:two@team.test");
    expect((await audits("team.role_change")).map((a) => [a.target, JSON.parse(a.meta)])).toEqual([
      ["two@team.test", { from: "viewer", to: "owner" }],
      ["owner@team.test", { from: "owner", to: "viewer" }],
    ]);
    expect((await audits("team.remove")).map((a) => a.target)).toEqual(["owner@team.test"]);
    await expect(removeTeammate("adm_gone", "a")).rejects.toMatchObject({ code: "not_found" });
  });

  it("an owner's pending invites stop working when they are demoted or removed; a removed teammate's own invite too", async () => {
    await getDb().adminUser.create({ data: { id: "adm_leaving", email: "leaving@team.test", name: "L", role: "owner", passwordHash: "x" } });
    const byLeaving = tokenOf((await createInvite({ email: "friend@team.test", role: "owner" }, "admin:leaving@team.test")).url);
    await changeRole({ id: "adm_leaving", role: "editor" }, "admin:owner@team.test");
    expect(await readInvite(byLeaving)).toEqual({ status: "revoked" });

    const again = tokenOf((await createInvite({ email: "friend2@team.test", role: "owner" }, "admin:owner@team.test")).url);
    const forLeaving = tokenOf((await createInvite({ email: "pending@team.test", role: "viewer" }, "admin:owner@team.test")).url);
    await getDb().adminUser.create({ data: { id: "adm_pending", email: "pending@team.test", name: "P", role: "viewer", passwordHash: "x" } });
    await removeTeammate("adm_pending", "admin:owner@team.test");
    expect(await readInvite(forLeaving)).toEqual({ status: "revoked" }); // it would have brought them back
    expect(await readInvite(again)).toMatchObject({ status: "valid" }); // the remaining owner's invites stand
  });

  it("two owners demoting each other at once leave one owner", async () => {
    await getDb().adminUser.create({ data: { id: "adm_two", email: "two@team.test", name: "Two", role: "owner", passwordHash: "x" } });
    await Promise.allSettled([changeRole({ id: "adm_owner", role: "editor" }, "a"), changeRole({ id: "adm_two", role: "editor" }, "b")]);
    expect(await getDb().adminUser.count({ where: { role: "owner" } })).toBe(1);
    await Promise.allSettled([removeTeammate("adm_owner", "a"), removeTeammate("adm_two", "b")]);
    expect(await getDb().adminUser.count({ where: { role: "owner" } })).toBe(1);
  });
});
