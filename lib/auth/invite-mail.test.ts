import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMTPServer } from "smtp-server";
import { closeAnalytics } from "@/lib/analytics/engine";
import { createInvite, readInvite } from "@/lib/auth/team";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// Invites by mail through a real SMTP server started here (smtp-server): the
// invitee gets the link, and the link works; a refused delivery is reported
// with the server's words, and the invite stays valid to copy.

type Received = { from: string; to: string[]; body: string };
const received: Received[] = [];
let server: SMTPServer;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith("bounce@")) return callback(Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), body: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as { port: number };
  process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
  process.env.MAIL_FROM = "Enclave <enclave@e2e.test>";
  migrateTestDatabase();
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await closeAnalytics();
});

describe("invites by mail", () => {
  it("mails the link to the invitee, from MAIL_FROM; the mailed link works", async () => {
    const invite = await createInvite({ email: "mailed@team.test", role: "viewer" }, "admin:owner@team.test");
    expect(invite.mail).toEqual({ sent: true });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: "enclave@e2e.test", to: ["mailed@team.test"] });
    const unfolded = received[0].body.replace(/=\r?\n/g, "");
    expect(unfolded).toContain(invite.url);
    expect(unfolded).toContain("owner@team.test invited you");
    const token = /\/invite\/([A-Za-z0-9_-]{43})/.exec(unfolded)![1];
    expect(await readInvite(token)).toMatchObject({ status: "valid", email: "mailed@team.test", role: "viewer" });
  });

  it("a refused delivery is reported in the server's words, and the invite stays valid", async () => {
    const invite = await createInvite({ email: "bounce@team.test", role: "editor" }, "admin:owner@team.test");
    expect(invite.mail).toMatchObject({ sent: false, reason: expect.stringContaining("Mailbox unavailable") });
    expect(await readInvite(invite.url.split("/invite/")[1])).toMatchObject({ status: "valid" });
    expect(await getDb().adminInvite.count({ where: { email: "bounce@team.test" } })).toBe(1);
  });
});
