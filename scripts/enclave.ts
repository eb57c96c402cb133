// The enclave CLI. Touches only the metadata store, so it works while the server runs.
//   npm run enclave -- keys create --name ci --scopes embed,ingest,admin [--tenant acme] [--json]
//   npm run enclave -- keys list [--json]
//   npm run enclave -- keys revoke <id-or-prefix>
//   npm run enclave -- admin create --email a@b.c [--password …] [--name …]
//   npm run enclave -- admin set-password --email a@b.c [--password …]
import { parseArgs } from "node:util";
import { createApiKey, listApiKeys, revokeApiKey } from "@/lib/auth/api-keys";
import { createAdmin, setAdminPassword } from "@/lib/auth/admin-users";
import { generatePassword } from "@/lib/auth/password";
import { getDb } from "@/lib/db";
import { EnvError } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { ZodError } from "zod";

const ACTOR = "cli";

const USAGE = `usage: npm run enclave -- <command>

  keys create --name NAME --scopes embed,ingest,admin [--tenant TENANT] [--json]
  keys list [--json]
  keys revoke ID_OR_PREFIX
  admin create --email EMAIL [--name NAME] [--password PASSWORD]
  admin set-password --email EMAIL [--password PASSWORD]

Without --password a password is generated and printed once.`;

class UsageError extends Error {}

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      scopes: { type: "string" },
      tenant: { type: "string" },
      email: { type: "string" },
      password: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [group, command, arg] = positionals;
  if (values.help || !group) throw new UsageError("");

  if (group === "keys" && command === "create") {
    if (!values.name || !values.scopes) throw new UsageError("keys create needs --name and --scopes");
    const scopes = values.scopes.split(",").map((s) => s.trim()).filter(Boolean);
    const { key, secret } = await createApiKey({ name: values.name, scopes, ...(values.tenant ? { tenant_id: values.tenant } : {}) }, ACTOR);
    if (values.json) {
      console.log(JSON.stringify({ id: key.id, name: key.name, prefix: key.prefix, scopes: key.scopes, tenant_id: key.tenantId, secret }));
    } else {
      console.log(`Created API key ${key.id} (${key.name}), scopes ${key.scopes.join(",")}${key.tenantId ? `, tenant ${key.tenantId}` : ""}.`);
      console.log("Secret (shown once, store it now):");
      console.log(secret);
    }
    return;
  }
  if (group === "keys" && command === "list") {
    const keys = await listApiKeys();
    if (values.json) {
      console.log(JSON.stringify(keys.map((k) => ({ id: k.id, name: k.name, prefix: k.prefix, scopes: k.scopes, tenant_id: k.tenantId, created_at: k.createdAt, last_used_at: k.lastUsedAt, revoked_at: k.revokedAt }))));
      return;
    }
    if (keys.length === 0) console.log("No API keys yet. Create one with: npm run enclave -- keys create --name NAME --scopes embed");
    for (const k of keys) {
      console.log(`${k.id}  ${k.prefix}…  ${k.name}  [${k.scopes.join(",")}]${k.tenantId ? ` tenant=${k.tenantId}` : ""}${k.revokedAt ? "  REVOKED" : ""}`);
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
    if (command === "create") await createAdmin({ email: values.email, password, name: values.name ?? values.email, actor: ACTOR });
    else await setAdminPassword({ email: values.email, password, actor: ACTOR });
    console.log(`${command === "create" ? "Created admin" : "Set the password of"} ${values.email.toLowerCase()}.`);
    if (!values.password) console.log(`Password (shown once): ${password}`);
    return;
  }
  throw new UsageError(`unknown command: ${positionals.join(" ")}`);
}

run(process.argv.slice(2))
  .then(() => getDb().$disconnect())
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
