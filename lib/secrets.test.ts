import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";

async function freshSecrets(env: Record<string, string | undefined>) {
  vi.resetModules();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const { getSecrets } = await import("@/lib/secrets");
    return getSecrets();
  } finally {
    process.env = saved;
  }
}

describe("secrets", () => {
  it("generates secrets once into the data directory with mode 600 and reuses them", async () => {
    const first = await freshSecrets({});
    const file = path.join(process.env.DATA_DIR!, "secrets.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first.nextAuthSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.embedSigningKeys).toHaveLength(1);
    const second = await freshSecrets({});
    expect(second).toEqual(first);
  });

  it("prefers values from the environment", async () => {
    const secret = "x".repeat(40);
    const result = await freshSecrets({ NEXTAUTH_SECRET: secret, EMBED_SIGNING_KEYS: `k9:${"y".repeat(32)}` });
    expect(result.nextAuthSecret).toBe(secret);
    expect(result.embedSigningKeys).toEqual([{ kid: "k9", secret: "y".repeat(32) }]);
  });

  it("refuses a corrupted secrets file with a message saying what to do", async () => {
    const dir = fs.mkdtempSync(path.join(process.env.DATA_DIR!, "corrupt-"));
    fs.writeFileSync(path.join(dir, "secrets.json"), "{}");
    await expect(freshSecrets({ DATA_DIR: dir })).rejects.toThrow(/not a valid secrets file.*delete it to generate new secrets/);
  });

  it("re-reads the file when it changes, and refuses rather than makes new secrets when it disappears", async () => {
    const dir = fs.mkdtempSync(path.join(process.env.DATA_DIR!, "reload-"));
    vi.resetModules();
    const saved = process.env.DATA_DIR;
    process.env.DATA_DIR = dir;
    try {
      const { getSecrets, newSigningKey, readSecretsFile, writeSecretsFile } = await import("@/lib/secrets");
      const first = getSecrets();
      const file = path.join(dir, "secrets.json");
      const stored = readSecretsFile(file);
      const added = newSigningKey(stored.embedSigningKeys.map((k) => k.kid));
      writeSecretsFile(file, { ...stored, embedSigningKeys: [...stored.embedSigningKeys, added] });
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(getSecrets()).toEqual({ nextAuthSecret: first.nextAuthSecret, embedSigningKeys: [...first.embedSigningKeys, { kid: added.kid, secret: added.secret }] });
      fs.rmSync(file);
      expect(() => getSecrets()).toThrow(/secrets.json is missing\. Restore it from a backup/);
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      process.env.DATA_DIR = saved;
    }
  });
});
