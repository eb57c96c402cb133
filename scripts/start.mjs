#!/usr/bin/env node
// `npm start`: migrate the metadata store, prepare secrets/admin/analytics/demo
// data, build if the sources changed since the last build, then serve.
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = process.env.PORT || "3000";
const env = {
  ...process.env,
  PORT: port,
  NEXT_TELEMETRY_DISABLED: "1",
  CHECKPOINT_DISABLE: "1",
};
// next-auth builds its URLs from NEXTAUTH_URL; default it to this port.
env.NEXTAUTH_URL ||= env.APP_URL || `http://localhost:${port}`;
const appUrl = env.APP_URL || env.NEXTAUTH_URL;

function step(label, command, args, { quiet = false } = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, env, stdio: quiet ? "pipe" : "inherit", encoding: "utf8" });
  if (result.status !== 0) {
    if (quiet) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
    console.error(`\n✗ ${label} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
  console.log(`✓ ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** A hash of everything that goes into `next build`. */
function sourceHash() {
  const hash = crypto.createHash("sha256");
  const inputs = ["app", "components", "lib", "public", "types", "scripts/server", "proxy.ts", "instrumentation.ts", "next.config.ts", "package.json", "tsconfig.json", "prisma/schema.prisma"];
  const walk = (rel) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    const stat = fs.statSync(abs);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) walk(path.join(rel, name));
    } else if (!/\.test\.tsx?$/.test(rel)) {
      hash.update(rel).update("\0").update(fs.readFileSync(abs)).update("\0");
    }
  };
  inputs.forEach(walk);
  return hash.digest("hex");
}

const dataDir = path.resolve(root, env.DATA_DIR || "./data");
fs.mkdirSync(dataDir, { recursive: true });
console.log(`Enclave: data in ${dataDir}, ${env.CLICKHOUSE_URL ? "ClickHouse server" : "embedded ClickHouse (chdb)"}`);

step("metadata migrations applied", process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "migrate", "deploy"], { quiet: true });
step("stores prepared", process.execPath, [path.join(root, "scripts/run-ts.mjs"), "scripts/setup.ts"]);

// The dashboard page's script is bundled first: the page links the file its manifest names.
step("embed page script built", process.execPath, [path.join(root, "scripts/build-embed.mjs")], { quiet: true });

const stampFile = path.join(root, ".next", "enclave-source-hash");
const hash = sourceHash();
const built = fs.existsSync(path.join(root, ".next", "BUILD_ID")) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === hash;
if (built) {
  console.log("✓ build is up to date");
} else {
  console.log("… building the app (first start or changed sources)");
  step("app built", process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { quiet: true });
  fs.writeFileSync(stampFile, hash);
}

// The server's memory settings, for a footprint that holds steady under load (README, Operations):
// V8 lets its old generation grow to at most twice what survived the last full collection (by
// default up to four times: under a steady load the heap took minutes to find its size, RSS rising
// 100+ MB and falling back), and glibc keeps two malloc arenas for the engine's threads, not 8 per core.
const serverFlags = (env.SERVER_NODE_FLAGS ?? "--heap-growing-percent=100").split(/\s+/).filter(Boolean);
env.MALLOC_ARENA_MAX ??= "2";

// scripts/server.mjs: Next's handler behind a preflight (client address from the socket, 405/400 for what Next would 500 on).
const server = spawn(process.execPath, [...serverFlags, path.join(root, "scripts/server.mjs")], { cwd: root, env: { ...env, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "inherit"] });
let announced = false;
server.stdout.on("data", (chunk) => {
  const text = chunk.toString();
  // next prints its own banner; ours says where to go.
  if (!announced && /Ready in/.test(text)) {
    announced = true;
    console.log(`\n  Enclave is running at ${appUrl}\n  Sign in at ${appUrl}/login   (health: ${appUrl}/api/health)\n`);
    return;
  }
  if (announced) process.stdout.write(text);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
