import "server-only";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { getAnalytics } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { recordAudit } from "@/lib/audit";
import { backupStartTime, ensureErasureLedger } from "@/lib/backup/erasure-ledger";
import { dumpEvents, EVENTS_FILE } from "@/lib/backup/events-dump";
import { BACKUP_FORMAT, describeFiles, writeManifest, type Manifest } from "@/lib/backup/manifest";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { getSecrets } from "@/lib/secrets";

// An online backup, made by the process that owns the stores (the server, or
// the CLI when no server runs), while ingest goes on:
//   app.db              the metadata store (SQLite VACUUM INTO: one consistent snapshot)
//   events.native.zst   every event (one engine SELECT: one consistent snapshot)
//   secrets.json        the generated secrets, when they do not come from env
//   manifest.json       what the backup holds, sizes and checksums; written last
// Not in it: rollup tables (rebuilt at start), the operator token, the erasure
// ledger, result caches, and anything of a ClickHouse server (CLICKHOUSE_URL).

export const BackupInput = z.object({ to: z.string().min(1).max(4096) }).strict();

const running = globalThis as unknown as { enclaveBackupRunning?: boolean };

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** The directory a backup may be written to: absolute, outside DATA_DIR, and absent or empty. */
export function checkBackupTarget(to: string, dataDir: string): string {
  if (!path.isAbsolute(to)) throw new AppError("validation_failed", `The backup directory must be an absolute path (got "${to}").`);
  const dir = path.resolve(to);
  if (inside(dir, dataDir) || inside(dataDir, dir)) {
    throw new AppError("validation_failed", `The backup directory ${dir} overlaps the data directory ${dataDir}: a backup kept with the data dies with it. Choose a directory outside DATA_DIR.`);
  }
  if (fs.existsSync(dir) && (!fs.statSync(dir).isDirectory() || fs.readdirSync(dir).length > 0)) {
    throw new AppError("conflict", `${dir} already exists and is not an empty directory. Choose a new directory for each backup.`);
  }
  return dir;
}

export async function createBackup(to: string, actor: string): Promise<Manifest> {
  const env = getEnv();
  if (env.CLICKHOUSE_URL) {
    throw new AppError(
      "bad_request",
      "Backups cover the embedded analytics store. With CLICKHOUSE_URL set, back up the ClickHouse server with its own BACKUP command, and DATA_DIR's app.db (sqlite3 .backup) and secrets.json yourself.",
    );
  }
  const dir = checkBackupTarget(to, env.DATA_DIR);
  if (running.enclaveBackupRunning) throw new AppError("conflict", "A backup is already running on this server. Wait for it to finish.");
  running.enclaveBackupRunning = true;
  const existed = fs.existsSync(dir);
  try {
    // Dated no later than any erasure still running: a restore of this backup makes that one again.
    const started = backupStartTime();
    // A restore needs the ledger; one that never existed is told apart from one that was lost.
    ensureErasureLedger();
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    const dbFile = path.join(dir, "app.db");
    await getDb().$executeRawUnsafe("VACUUM INTO ?", dbFile);
    fs.chmodSync(dbFile, 0o600);
    const migrations = (await getDb().$queryRawUnsafe<{ name: string }[]>("SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name")).map((m) => m.name);
    // The CLI may be the first to open an install's store: the events table exists from then on, as after a start.
    await ensureAnalyticsSchema(getAnalytics());
    const events = await dumpEvents(getAnalytics(), path.join(dir, EVENTS_FILE));
    fs.chmodSync(path.join(dir, EVENTS_FILE), 0o600);
    const fromEnv = env.NEXTAUTH_SECRET !== undefined && env.EMBED_SIGNING_KEYS !== undefined;
    if (!fromEnv) {
      getSecrets(); // generated on first use: make sure the file the server signs with is the one copied
      fs.copyFileSync(path.join(env.DATA_DIR, "secrets.json"), path.join(dir, "secrets.json"));
      fs.chmodSync(path.join(dir, "secrets.json"), 0o600);
    }
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      database: env.CLICKHOUSE_DATABASE,
      migrations,
      secrets: fromEnv ? "from_environment" : "included",
      events,
      files: await describeFiles(dir),
    };
    writeManifest(dir, manifest);
    await recordAudit({ actor, action: "backup.create", target: dir, meta: { events, started_at: manifest.started_at } });
    return manifest;
  } catch (err) {
    // A half-written backup is removed, so it is never mistaken for one.
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    if (!existed) fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  } finally {
    running.enclaveBackupRunning = false;
  }
}
