import "server-only";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@prisma/client";
import { getEnv } from "@/lib/env";

// One Prisma client per process, opened on first use (never at import time:
// `next build` imports route modules).

const globalForDb = globalThis as unknown as { enclaveDb?: PrismaClient };

export function databaseUrl(dataDir = getEnv().DATA_DIR): string {
  return `file:${path.join(dataDir, "app.db")}`;
}

export function getDb(): PrismaClient {
  globalForDb.enclaveDb ??= new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: databaseUrl() }) });
  return globalForDb.enclaveDb;
}

/** Closes the process's client (at shutdown); the next getDb() opens a new one. */
export async function closeDb(): Promise<void> {
  const db = globalForDb.enclaveDb;
  globalForDb.enclaveDb = undefined;
  await db?.$disconnect();
}
