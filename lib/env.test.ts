import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "@/lib/env";

function problems(source: Record<string, string>): string[] {
  try {
    parseEnv(source);
  } catch (err) {
    if (err instanceof EnvError) return err.problems;
    throw err;
  }
  throw new Error("expected the environment to be refused");
}

describe("parseEnv", () => {
  it("gives sensible defaults for an empty environment", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATA_DIR).toBe(path.resolve("./data"));
    expect(env.CLICKHOUSE_URL).toBeUndefined();
    expect(env.CLICKHOUSE_DATABASE).toBe("enclave");
    expect(env.appUrl).toBe("http://localhost:3000");
    expect(env.DEMO_EVENTS).toBe(100_000);
  });

  it("names the bad variable, what it expects, and what it got", () => {
    expect(problems({ PORT: "eighty" })).toEqual(['PORT: expected a whole number between 1 and 65535 (got "eighty")']);
    expect(problems({ PORT: "70000" })[0]).toMatch(/^PORT: expected at most 65535/);
    expect(problems({ CLICKHOUSE_URL: "localhost:8123" })[0]).toMatch(/^CLICKHOUSE_URL: expected an http\(s\) URL/);
    expect(problems({ CLICKHOUSE_DATABASE: "a-b; DROP" })[0]).toMatch(/^CLICKHOUSE_DATABASE: expected a database name/);
    expect(problems({ TRUST_PROXY: "proxy.internal" })[0]).toMatch(/^TRUST_PROXY: "proxy.internal" is not an IP address or CIDR range/);
    expect(parseEnv({ TRUST_PROXY: "10.0.0.0/8, 192.168.1.5" }).TRUST_PROXY).toBe("10.0.0.0/8, 192.168.1.5");
    expect(problems({ ADMIN_EMAIL: "nope", ADMIN_PASSWORD: "long-enough-password" })[0]).toMatch(/^ADMIN_EMAIL: expected an email address/);
  });

  it("takes an SMTP server with its sender, and says what is missing or wrong without echoing the URL", () => {
    expect(parseEnv({ SMTP_URL: "smtp://u:p@mail.internal:587", MAIL_FROM: "Enclave <e@x.co>" })).toMatchObject({ SMTP_URL: "smtp://u:p@mail.internal:587", MAIL_FROM: "Enclave <e@x.co>" });
    expect(problems({ SMTP_URL: "smtp://mail.internal" })).toEqual(["MAIL_FROM: set the sender of Enclave's mail (e.g. Enclave <enclave@yourcompany.com>) when SMTP_URL is set"]);
    const bad = problems({ SMTP_URL: "https://user:hunter2-secret@mail.internal", MAIL_FROM: "e@x.co" });
    expect(bad[0]).toMatch(/^SMTP_URL: expected smtp:\/\//);
    expect(bad.join("\n")).not.toContain("hunter2-secret");
    expect(problems({ CLICKHOUSE_URL: "ftp://default:hunter2-secret@ch.internal" }).join("\n")).not.toContain("hunter2-secret");
  });

  it("never echoes secret values in its messages", () => {
    const msgs = problems({ NEXTAUTH_SECRET: "short-secret-value", ADMIN_EMAIL: "a@b.co", ADMIN_PASSWORD: "tiny" });
    expect(msgs.join("\n")).not.toContain("short-secret-value");
    expect(msgs.join("\n")).not.toContain("tiny");
    expect(msgs).toContain("NEXTAUTH_SECRET: expected at least 32 characters (generate one with: openssl rand -base64 32)");
  });

  it("reports every problem at once", () => {
    expect(problems({ PORT: "x", DEMO_EVENTS: "-1", LOGIN_MAX_FAILURES: "0" })).toHaveLength(3);
  });

  it("requires ADMIN_EMAIL and ADMIN_PASSWORD together", () => {
    expect(problems({ ADMIN_EMAIL: "a@b.co" })).toEqual(["ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither"]);
  });

  it("parses a rotating signing key set and refuses weak keys", () => {
    const env = parseEnv({ EMBED_SIGNING_KEYS: `old:${"a".repeat(32)}, new:${"b".repeat(40)}` });
    expect(env.EMBED_SIGNING_KEYS?.map((k) => k.kid)).toEqual(["old", "new"]);
    expect(problems({ EMBED_SIGNING_KEYS: "k1:short" })[0]).toMatch(/^EMBED_SIGNING_KEYS: expected comma-separated kid:secret pairs/);
  });

  it("treats blank variables as unset", () => {
    expect(parseEnv({ PORT: "", CLICKHOUSE_URL: "  " }).PORT).toBe(3000);
  });

  it("formats a message that says what to do", () => {
    try {
      parseEnv({ PORT: "x" });
    } catch (err) {
      expect((err as Error).message).toMatch(/^Invalid configuration:\n {2}- PORT: .*\nFix these environment variables and start again\.$/);
    }
  });
});
