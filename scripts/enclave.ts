// The enclave CLI. Touches only the metadata store and DATA_DIR/secrets.json, so it works while the server runs.
//   npm run enclave -- keys create --name ci --scopes embed,ingest,admin [--tenant acme] [--expires 90d] [--json]
//   npm run enclave -- keys list [--json]
//   npm run enclave -- keys revoke <id-or-prefix>
//   npm run enclave -- admin create --email a@b.c [--password …] [--name …] [--role viewer|editor|owner]
//   npm run enclave -- admin set-password --email a@b.c [--password …]
//   npm run enclave -- signing-keys list | rotate | retire <kid> [--force]
// signing-keys edits DATA_DIR/secrets.json (atomically); the server picks the change up on its next token.
//   npm run enclave -- backup --to DIR [--url http://127.0.0.1:3000]
//   npm run enclave -- restore --from DIR [--without-ledger]
//   npm run enclave -- import FILE [--format ndjson|csv|parquet] [--tenant-column NAME] [--map SRC=DEST …] [--rejected PATH] [--url URL]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { parseArgs } from "node:util";
import { analyticsOwnerPid, closeAnalytics } from "@/lib/analytics/engine";
import { createBackup } from "@/lib/backup/create-backup";
import type { Manifest } from "@/lib/backup/manifest";
import { readOrCreateOperatorToken } from "@/lib/backup/operator-token";
import { restoreBackup } from "@/lib/backup/restore-backup";
import { createApiKey, listApiKeys, revokeApiKey } from "@/lib/auth/api-keys";
import { isExpired } from "@/lib/auth/key-expiry";
import { listSigningKeys, retireSigningKey, rotateSigningKey } from "@/lib/embed/signing-keys";
import { createAdmin, setAdminPassword } from "@/lib/auth/admin-users";
import { isRole, ROLES } from "@/lib/auth/roles";
import { generatePassword } from "@/lib/auth/password";
import { getDb } from "@/lib/db";
import { EnvError, getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { ZodError } from "zod";
import { importFile } from "@/scripts/import/import-command";

const ACTOR = "cli";
const ROOT = path.resolve(__dirname, "..");

const USAGE = `usage: npm run enclave -- <command>

  keys create --name NAME --scopes embed,ingest,admin [--tenant TENANT] [--expires WHEN] [--json]
  keys list [--json]
  keys revoke ID_OR_PREFIX
  admin create --email EMAIL [--name NAME] [--password PASSWORD] [--role viewer|editor|owner]  (default owner)
  admin set-password --email EMAIL [--password PASSWORD]
  signing-keys list [--json]
  signing-keys rotate
  signing-keys retire KID [--force]
  backup --to DIR [--url URL]
  restore --from DIR [--without-ledger]
  import FILE [--format ndjson|csv|parquet] [--tenant-column NAME] [--map SRC=DEST …] [--rejected PATH] [--url URL]

--expires takes a date (2027-01-31: the key works through that day, UTC), a
date and time with its zone (2027-01-31T12:00:00Z) or a number of days (90d).
Without --password a password is generated and printed once.
signing-keys retire refuses the newest key and, without --force, a key whose
tokens may still be live.
backup asks the server running on DATA_DIR (at --url, default http://127.0.0.1:$PORT)
for an online backup, or makes it itself when no server answers. restore needs the
server stopped and an empty DATA_DIR. A backup holds the secrets: keep it like them.
import loads historical events through the ingest rules (README, "Importing history"): DEST is
tenant_id, name, ts, user_id, value, event_id, properties.KEY or - (skip the column); rejected
rows go to FILE.rejected.ndjson; importing the same file again stores nothing twice.`;

class UsageError extends Error {}

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      scopes: { type: "string" },
      tenant: { type: "string" },
      expires: { type: "string" },
      force: { type: "boolean", default: false },
      email: { type: "string" },
      password: { type: "string" },
      role: { type: "string" },
      to: { type: "string" },
      from: { type: "string" },
      url: { type: "string" },
      "without-ledger": { type: "boolean", default: false },
      format: { type: "string" },
      "tenant-column": { type: "string" },
      map: { type: "string", multiple: true },
      rejected: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [group, command, arg] = positionals;
  if (values.help || !group) throw new UsageError("");

  if (group === "keys" && command === "create") {
    if (!values.name || !values.scopes) throw new UsageError("keys create needs --name and --scopes");
    const scopes = values.scopes.split(",").map((s) => s.trim()).filter(Boolean);
    if (values.expires !== undefined && !values.expires.trim()) throw new UsageError("--expires needs a value, e.g. 90d or 2027-01-31");
    const { key, secret } = await createApiKey(
      { name: values.name, scopes, ...(values.tenant ? { tenant_id: values.tenant } : {}), ...(values.expires ? { expires_at: values.expires } : {}) },
      ACTOR,
    );
    if (values.json) {
      console.log(JSON.stringify({ id: key.id, name: key.name, prefix: key.prefix, scopes: key.scopes, tenant_id: key.tenantId, expires_at: key.expiresAt, secret }));
    } else {
      console.log(`Created API key ${key.id} (${key.name}), scopes ${key.scopes.join(",")}${key.tenantId ? `, tenant ${key.tenantId}` : ""}${key.expiresAt ? `, expires ${key.expiresAt.toISOString()}` : ", never expires"}.`);
      console.log("Secret (shown once, store it now):");
      console.log(secret);
    }
    return;
  }
  if (group === "keys" && command === "list") {
    const keys = await listApiKeys();
    if (values.json) {
      console.log(JSON.stringify(keys.map((k) => ({ id: k.id, name: k.name, prefix: k.prefix, scopes: k.scopes, tenant_id: k.tenantId, created_at: k.createdAt, expires_at: k.expiresAt, last_used_at: k.lastUsedAt, revoked_at: k.revokedAt }))));
      return;
    }
    if (keys.length === 0) console.log("No API keys yet. Create one with: npm run enclave -- keys create --name NAME --scopes embed");
    for (const k of keys) {
      const status = k.revokedAt ? "  REVOKED" : isExpired(k.expiresAt) ? "  EXPIRED" : "";
      console.log(`${k.id}  ${k.prefix}…  ${k.name}  [${k.scopes.join(",")}]${k.tenantId ? ` tenant=${k.tenantId}` : ""}${k.expiresAt ? ` expires=${k.expiresAt.toISOString()}` : ""}${status}`);
    }
    return;
  }
  if (group === "keys" && command === "revoke") {
    if (!arg) throw new UsageError("keys revoke needs the key's id or prefix");
    const key = await revokeApiKey(arg, ACTOR);
    console.log(`Revoked ${key.id} (${key.name}).`);
    return;
  }
  if (group === "admin" && (command === "create" || command === "set-password")) {
    if (!values.email) throw new UsageError(`admin ${command} needs --email`);
    const password = values.password ?? generatePassword();
    if (values.role !== undefined && (command !== "create" || !isRole(values.role))) throw new UsageError(command === "create" ? `--role is one of ${ROLES.join(", ")}` : "--role is for admin create; change a teammate's role on the Team page");
    if (command === "create") await createAdmin({ email: values.email, password, name: values.name ?? values.email, role: isRole(values.role) ? values.role : "owner", actor: ACTOR });
    else await setAdminPassword({ email: values.email, password, actor: ACTOR });
    console.log(`${command === "create" ? `Created ${values.role ?? "owner"}` : "Set the password of"} ${values.email.toLowerCase()}.`);
    if (!values.password) console.log(`Password (shown once): ${password}`);
    return;
  }
  if (group === "backup" && !command) {
    if (!values.to) throw new UsageError("backup needs --to DIR");
    const manifest = await backup(path.resolve(values.to), values.url);
    if (values.json) return console.log(JSON.stringify(manifest));
    console.log(`Backed up ${manifest.events.toLocaleString("en")} events, the metadata store${manifest.secrets === "included" ? " and secrets.json" : " (secrets come from the environment: not included)"} to ${path.resolve(values.to)}.`);
    console.log(`Events stored before ${manifest.started_at} are all in it. It holds everything needed to act as this install: keep it as safe as DATA_DIR/secrets.json.`);
    return;
  }
  if (group === "restore" && !command) {
    if (!values.from) throw new UsageError("restore needs --from DIR");
    const report = await restoreBackup({ from: values.from, withoutLedger: values["without-ledger"], knownMigrations: knownMigrations(), migrate });
    if (values.json) return console.log(JSON.stringify(report));
    console.log(`Restored the backup of ${report.backup_started_at} (${report.events.toLocaleString("en")} events) into ${report.data_dir}.`);
    if (report.ledger === null) console.log("The erasure ledger was NOT read (--without-ledger): tenants erased and keys or sessions revoked after this backup are back. Erase and revoke them again.");
    else {
      console.log(`Erasures made after the backup, applied again: ${report.erasures_reapplied.length ? report.erasures_reapplied.join(", ") : "none"} (ledger ${report.ledger}).`);
      console.log(`End users erased after the backup, erased again: ${report.user_erasures_reapplied}.`);
      console.log(`Revocations applied again: ${report.revocations_reapplied} (API keys and sessions revoked after the backup).`);
    }
    if (report.secrets === "from_environment") console.log("Secrets come from the environment: start with the same NEXTAUTH_SECRET and EMBED_SIGNING_KEYS.");
    console.log("Rollups are rebuilt by the next start. Start the server with: npm start");
    return;
  }
  if (group === "import") {
    if (!command || arg) throw new UsageError("import takes one FILE");
    return importFile(command, values);
  }
  if (group === "signing-keys") return signingKeys(command, arg, values);
  throw new UsageError(`unknown command: ${positionals.join(" ")}`);
}

async function signingKeys(command: string | undefined, kid: string | undefined, values: { json: boolean; force: boolean }): Promise<void> {
  if (command === "list") {
    const { source, keys } = await listSigningKeys();
    if (values.json) {
      console.log(JSON.stringify({ source, keys: keys.map((k) => ({ kid: k.kid, created_at: k.createdAt, signs: k.signs, superseded_at: k.supersededAt, retirable_at: k.retirableAt })) }));
      return;
    }
    if (source === "env") console.log("Signing keys come from EMBED_SIGNING_KEYS (newest last); rotate them there.");
    const now = new Date();
    for (const k of keys) {
      const state = k.signs
        ? "signs new tokens"
        : k.retirableAt
          ? `verifies older tokens; ${k.retirableAt <= now ? "can be retired now" : `can be retired after ${k.retirableAt.toISOString()}`}`
          : "verifies older tokens";
      console.log(`${k.kid}  ${k.createdAt ? `added ${k.createdAt.toISOString()}` : ""}  ${state}`.replace(/ {3,}/g, "  "));
    }
    return;
  }
  if (command === "rotate") {
    const { kid: added, previous } = await rotateSigningKey(ACTOR);
    console.log(`Added signing key ${added}; it signs new embed tokens from now on (the server uses it from its next token, no restart).`);
    console.log(`${previous} still verifies the tokens it signed. Retire it once they have expired: npm run enclave -- signing-keys retire ${previous}`);
    return;
  }
  if (command === "retire") {
    if (!kid) throw new UsageError("signing-keys retire needs the key's kid (see signing-keys list)");
    const { liveSessions } = await retireSigningKey(kid, { actor: ACTOR, force: values.force });
    console.log(`Retired signing key ${kid}; tokens it signed are refused from now on.`);
    if (liveSessions > 0) console.log(`warning: ${liveSessions} active embed session${liveSessions === 1 ? "" : "s"} signed with it stopped working; mint new ones.`);
    return;
  }
  throw new UsageError(`unknown command: signing-keys ${command ?? ""}`.trim());
}

/** Through the server when one answers (it owns the embedded store), else with the stores opened here. */
async function backup(to: string, url: string | undefined): Promise<Manifest> {
  const env = getEnv();
  const base = new URL(url ?? `http://127.0.0.1:${env.PORT}`);
  let answer: { status: number; body: string };
  try {
    answer = await postBackup(new URL("/api/operator/backup", base), readOrCreateOperatorToken(), JSON.stringify({ to }));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ECONNREFUSED") throw new Error(`Could not ask the server at ${base.origin} for a backup: ${(err as Error).message}`);
    const owner = analyticsOwnerPid(path.join(env.DATA_DIR, "clickhouse"));
    if (owner !== undefined) throw new Error(`No server answered at ${base.origin}, but process ${owner} holds ${env.DATA_DIR}. Pass the server's address with --url.`);
    return createBackup(to, ACTOR);
  }
  let body: (Manifest & { error?: { message: string } }) | undefined;
  try {
    body = JSON.parse(answer.body);
  } catch {
    body = undefined;
  }
  if (answer.status !== 200 || !body || body.error) throw new Error(body?.error?.message ?? `The server at ${base.origin} answered ${answer.status}: is it Enclave on this DATA_DIR?`);
  return body;
}

/** node:http rather than fetch: a large backup takes longer than fetch waits for response headers. */
function postBackup(url: URL, token: string, body: string): Promise<{ status: number; body: string }> {
  const request = url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function knownMigrations(): string[] {
  return fs.readdirSync(path.join(ROOT, "prisma/migrations"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
}

function migrate(dataDir: string): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/prisma/build/index.js"), "migrate", "deploy"], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, CHECKPOINT_DISABLE: "1" }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`applying the metadata migrations to the restored database failed:\n${r.stdout}${r.stderr}`);
}

run(process.argv.slice(2))
  .then(async () => {
    await closeAnalytics();
    await getDb().$disconnect();
  })
  .catch((err) => {
    if (err instanceof UsageError) {
      if (err.message) console.error(`error: ${err.message}\n`);
      console.error(USAGE);
      process.exit(2);
    }
    if (err instanceof AppError || err instanceof EnvError) console.error(`error: ${err.message}`);
    else if (err instanceof ZodError) console.error(`error: ${err.issues.map((i) => i.message).join("; ")}`);
    else if (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")) {
      console.error(`error: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    } else console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
