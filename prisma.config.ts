import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// The Prisma CLI (migrate deploy, generate) uses its bundled WASM engine through
// this adapter, so it works offline. DATA_DIR is resolved the same way as lib/env.ts.
const dataDir = path.resolve(process.env.DATA_DIR || "./data");

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => {
    // SQLite cannot create the file in a missing directory, and Prisma then
    // reports only "External error id#0".
    fs.mkdirSync(dataDir, { recursive: true });
    return new PrismaBetterSQLite3({ url: `file:${path.join(dataDir, "app.db")}` });
  },
  schema: "prisma/schema.prisma",
});
