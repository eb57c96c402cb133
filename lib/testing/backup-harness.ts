// Processes for the backup tests: the API server child on a data directory,
// the enclave CLI, the store report, and migrations for another directory.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";

const root = path.resolve(__dirname, "../..");
const runTs = (script: string, args: string[] = []) => [path.join(root, "scripts/run-ts.mjs"), script, ...args];
// Node itself for the server (not the run-ts.mjs wrapper), so a signal reaches the process that holds the data.
const tsNode = (script: string) => ["--conditions=react-server", "--import", "tsx", path.join(root, script)];

export type ApiChild = { port: number; proc: ChildProcess; stop(): Promise<void>; call<T = unknown>(key: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> };

/** Starts lib/testing/api-child.ts on `dataDir`; resolves when it listens. */
export function startApi(dataDir: string, env: Record<string, string> = {}): Promise<ApiChild> {
  const proc = spawn(process.execPath, tsNode("lib/testing/api-child.ts"), {
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, "tsconfig.json"), DATA_DIR: dataDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr!.on("data", (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/READY (\d+)/);
      if (!m) return;
      const port = Number(m[1]);
      resolve({
        port,
        proc,
        stop: () =>
          new Promise((done) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return done();
            proc.once("exit", () => done());
            proc.kill("SIGTERM");
          }),
        async call(key, method, route, body) {
          const res = await fetch(`http://127.0.0.1:${port}${route}`, {
            method,
            headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          const text = await res.text();
          return { status: res.status, body: (text ? JSON.parse(text) : undefined) as never };
        },
      });
    });
    proc.once("exit", (code) => reject(new Error(`api child exited with ${code} before it was ready: ${stderr}`)));
  });
}

export type CliResult = { code: number | null; out: string; err: string };

/** Runs `npm run enclave -- …` (scripts/enclave.ts) with `env` on top of this process's environment. */
export function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, runTs("scripts/enclave.ts", args), { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout.on("data", (c) => (out += c));
    proc.stderr.on("data", (c) => (err += c));
    proc.on("exit", (code) => resolve({ code, out, err }));
  });
}

export type StoreReport = { events: { tenant_id: string; batch: string; n: number; sum: number }[]; rollups: Record<string, { state: string; tenants: string[] }> };

/** What lib/testing/store-report-child.ts finds in `dataDir` (no server may hold it). */
export function storeReport(dataDir: string): StoreReport {
  const r = spawnSync(process.execPath, runTs("lib/testing/store-report-child.ts"), { cwd: root, env: { ...process.env, DATA_DIR: dataDir, ROLLUPS: "1" }, encoding: "utf8" });
  const line = r.stdout.split("\n").find((l) => l.startsWith("REPORT "));
  if (r.status !== 0 || !line) throw new Error(`store report failed (${r.status}): ${r.stderr}`);
  return JSON.parse(line.slice("REPORT ".length));
}

/** Applies the real Prisma migrations to `dataDir`. */
export function migrateDir(dataDir: string): void {
  const r = spawnSync(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "migrate", "deploy"], { cwd: root, env: { ...process.env, DATA_DIR: dataDir, CHECKPOINT_DISABLE: "1" }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`migrate deploy failed: ${r.stdout}${r.stderr}`);
}
