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
});
