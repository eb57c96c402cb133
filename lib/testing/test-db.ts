import { execFileSync } from "node:child_process";
import path from "node:path";

/** Applies the real Prisma migrations to this test file's DATA_DIR. */
export function migrateTestDatabase(): void {
  const root = path.resolve(__dirname, "../..");
  execFileSync(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    stdio: "pipe",
  });
}
