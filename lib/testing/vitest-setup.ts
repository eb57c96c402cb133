import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// Each test file gets its own data directory: chdb allows one per process,
// and SQLite files must not be shared between parallel workers.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "enclave-test-"));
process.env.DATA_DIR = dir;
process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.CHECKPOINT_DISABLE = "1";
delete process.env.CLICKHOUSE_URL;
delete process.env.NEXTAUTH_SECRET;
delete process.env.EMBED_SIGNING_KEYS;
delete process.env.ADMIN_EMAIL;
delete process.env.ADMIN_PASSWORD;
process.env.EMBED_WARM_AT_MINT = "0"; // tests that want warming turn it on themselves
process.env.ROLLUPS = "0"; // built in the background after a publish: tests that want them build them themselves
