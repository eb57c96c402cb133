import "server-only";
import fs from "node:fs";
import path from "node:path";
import { closeAnalytics, getAnalytics } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { recordAudit } from "@/lib/audit";
import { setupProof } from "@/lib/auth/admin-proof";
import { readLedger, type LedgerEntry } from "@/lib/backup/erasure-ledger";
import { countStoredEvents, EVENTS_FILE, loadEvents } from "@/lib/backup/events-dump";
import { readVerifiedManifest } from "@/lib/backup/manifest";
import { closeDb, getDb } from "@/lib/db";
import { getEnv, pointAtDataDir } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { deleteTenantData } from "@/lib/tenants/delete-tenant-data";
import { eraseUserData } from "@/lib/tenants/erase-user";

// Restores a backup into an empty DATA_DIR with the server stopped. The work is
// done in a sibling staging directory and moved into place only when it is
// complete, so a server never starts on half a restore:
//   1. check the backup against its manifest, the ledger, the target;
//   2. copy app.db and secrets.json, apply this version's migrations;
//   3. load the events (rollups are rebuilt by the next start);
//   4. erase again every tenant the ledger says was erased at or after the
//      backup began (events, rollup rows, saved views, AI questions, sessions),
//      and revoke again every API key and session the ledger says was revoked;
//   5. rename the staging directory to DATA_DIR.
// Runs in a process of its own (the CLI): it points the environment at the staging directory.

export type RestoreOptions = {
  from: string;
  /** Restore without re-applying erasures (the install's ledger is lost): reported, never silent. */
  withoutLedger?: boolean;
  /** The metadata migrations this code has. */
  knownMigrations: string[];
  /** Applies the metadata migrations to the app.db in `dataDir`. */
  migrate(dataDir: string): void;
};

export type RestoreReport = { data_dir: string; backup_started_at: string; events: number; secrets: "included" | "from_environment"; erasures_reapplied: string[]; user_erasures_reapplied: number; revocations_reapplied: number; ledger: string | null };

function assertEmptyDataDir(dir: string): void {
  if (!fs.existsSync(dir)) return;
  if (!fs.statSync(dir).isDirectory() || fs.readdirSync(dir).length > 0) {
    throw new AppError(
      "conflict",
      `The data directory ${dir} is not empty. A backup is restored only into an empty data directory: stop the server, move the directory aside (e.g. mv ${dir} ${dir}.before-restore) and run restore again.`,
    );
  }
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreReport> {
  const target = getEnv();
  if (target.CLICKHOUSE_URL) throw new AppError("bad_request", "restore loads the embedded analytics store; unset CLICKHOUSE_URL (a ClickHouse server is restored with its own RESTORE command).");
  assertEmptyDataDir(target.DATA_DIR);
  const from = path.resolve(options.from);
  const manifest = await readVerifiedManifest(from);
  const newer = manifest.migrations.filter((m) => !options.knownMigrations.includes(m));
  if (newer.length) throw new AppError("conflict", `This backup was made by a newer Enclave (migrations ${newer.join(", ")} are unknown here). Restore it with that version or a later one.`);
  if (manifest.secrets === "from_environment" && (!target.NEXTAUTH_SECRET || !target.EMBED_SIGNING_KEYS)) {
    throw new AppError("validation_failed", "This backup's secrets came from the environment and are not in it. Set NEXTAUTH_SECRET and EMBED_SIGNING_KEYS to the values the backed-up install used, then run restore again.");
  }
  const ledger = options.withoutLedger ? [] : readLedger(target.erasureLedger);
  if (!ledger) {
    throw new AppError(
      "validation_failed",
      `There is no erasure ledger at ${target.erasureLedger}, so tenant data erased after this backup could come back. Point ERASURE_LEDGER at this install's ledger (copy it from the old machine), or pass --without-ledger if it is truly lost.`,
    );
  }
  // The latest erasure of each tenant made at or after the backup began.
  const since = Date.parse(manifest.started_at);
  const erased = [...new Set(ledger.flatMap((e) => (e.kind === "tenant_erasure" && Date.parse(e.at) >= since ? [e.tenant_id] : [])))].sort();
  // End users erased after the backup, in tenants not erased whole: each once.
  const erasedUsers = [...new Map(ledger.flatMap((e) => (e.kind === "user_erasure" && Date.parse(e.at) >= since && !erased.includes(e.tenant_id) ? [[`${e.tenant_id}\n${e.user_id}`, e] as const] : []))).values()];

  fs.mkdirSync(path.dirname(target.DATA_DIR), { recursive: true });
  const staging = fs.mkdtempSync(`${target.DATA_DIR}.restoring-`);
  let revocations = 0;
  // The stores open on first use: close any open ones, then open them on the staging directory.
  await closeAnalytics();
  await closeDb();
  pointAtDataDir(staging);
  try {
    for (const name of ["app.db", ...(manifest.secrets === "included" ? ["secrets.json"] : [])]) {
      fs.copyFileSync(path.join(from, name), path.join(staging, name));
      fs.chmodSync(path.join(staging, name), 0o600);
    }
    options.migrate(staging);
    const db = getDb();
    // Rollup tables are not in a backup: the next start builds the ones live versions need.
    await db.rollup.deleteMany();
    const engine = getAnalytics();
    await ensureAnalyticsSchema(engine);
    await loadEvents(engine, path.join(from, EVENTS_FILE));
    const loaded = await countStoredEvents(engine);
    if (loaded !== manifest.events) throw new Error(`${loaded} events were loaded, the manifest lists ${manifest.events}`);
    for (const tenant of erased) await deleteTenantData(setupProof("restore: erasure made after the backup"), tenant, { reapplying: true });
    for (const e of erasedUsers) await eraseUserData(setupProof("restore: erasure made after the backup"), e.tenant_id, e.user_id, { reapplying: true });
    revocations = await reapplyRevocations(ledger);
    await recordAudit({ actor: "system", action: "backup.restore", target: from, meta: { backup_started_at: manifest.started_at, events: manifest.events, erasures_reapplied: erased, user_erasures_reapplied: erasedUsers.length, revocations_reapplied: revocations, ledger: options.withoutLedger ? null : target.erasureLedger } });
    await closeAnalytics();
    await db.$disconnect();
    fs.rmSync(path.join(staging, "clickhouse", "enclave-owner.pid"), { force: true });
    if (fs.existsSync(target.DATA_DIR)) fs.rmdirSync(target.DATA_DIR);
    fs.renameSync(staging, target.DATA_DIR);
  } catch (err) {
    await closeAnalytics().catch(() => undefined);
    await getDb().$disconnect().catch(() => undefined);
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return { data_dir: target.DATA_DIR, backup_started_at: manifest.started_at, events: manifest.events, secrets: manifest.secrets, erasures_reapplied: erased, user_erasures_reapplied: erasedUsers.length, revocations_reapplied: revocations, ledger: options.withoutLedger ? null : target.erasureLedger };
}

/** Every revocation in the ledger, made again (those already in the backup change nothing). */
async function reapplyRevocations(ledger: LedgerEntry[]): Promise<number> {
  const db = getDb();
  let count = 0;
  for (const entry of ledger) {
    const when = new Date(entry.at);
    if (entry.kind === "api_key_revocation") {
      count += (await db.apiKey.updateMany({ where: { id: entry.key_id, revokedAt: null }, data: { revokedAt: when } })).count;
    } else if (entry.kind === "session_revocation") {
      count += (await db.embedSession.updateMany({ where: { id: entry.session_id, revokedAt: null }, data: { revokedAt: when } })).count;
    } else if (entry.kind === "tenant_sessions_revocation") {
      const cutoff = await db.tenantCutoff.findUnique({ where: { tenantId: entry.tenant_id } });
      if (!cutoff || cutoff.revokedBefore < when) {
        await db.tenantCutoff.upsert({ where: { tenantId: entry.tenant_id }, create: { tenantId: entry.tenant_id, revokedBefore: when }, update: { revokedBefore: when } });
      }
      count += (await db.embedSession.updateMany({ where: { tenantId: entry.tenant_id, revokedAt: null, createdAt: { lt: when } }, data: { revokedAt: when } })).count;
    }
  }
  return count;
}
