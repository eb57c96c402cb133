import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

// Step 2: the production server exactly as `npm start` runs it (migrations,
// setup, build if needed, next start), on its own port and data directory,
// plus the CLI for API keys and the API for embed sessions.

export type RunningServer = { url: string; pid: number; startSeconds: number; stop(): Promise<void> };

const ROOT = path.resolve(__dirname, "..");

export async function startServer(options: { dataDir: string; port: number; resultCacheTtl?: number; logFile: string; exposeGc?: boolean }): Promise<RunningServer> {
  const url = `http://localhost:${options.port}`;
  const log = fs.openSync(options.logFile, "a");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: options.dataDir,
    PORT: String(options.port),
    NEXTAUTH_URL: url,
    APP_URL: url,
    ADMIN_EMAIL: "bench@enclave.local",
    ADMIN_PASSWORD: crypto.randomBytes(18).toString("base64url"),
    // Non-zero so the first start publishes the demo dashboard; the events
    // table already holds the benchmark's data, so no demo events are added.
    DEMO_EVENTS: "1",
  };
  // A global gc() in the server, for GET /api/operator/memory?collect=1 (the soak's memory samples).
  if (options.exposeGc) env.NODE_OPTIONS = [process.env.NODE_OPTIONS, "--expose-gc"].filter(Boolean).join(" ");
  if (options.resultCacheTtl !== undefined) env.RESULT_CACHE_TTL_SECONDS = String(options.resultCacheTtl);
  else delete env.RESULT_CACHE_TTL_SECONDS;
  const started = performance.now();
  // detached: its own process group, so stop() ends start.mjs and next-server together.
  const child = spawn(process.execPath, [path.join(ROOT, "scripts/start.mjs")], { cwd: ROOT, env, stdio: ["ignore", log, log], detached: true });
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => child.on("exit", (code) => { exited = code; resolve(); }));
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`the server exited (code ${exited}) before it was ready; see ${options.logFile}`);
    if (Date.now() > deadline) throw new Error(`the server was not ready within 10 minutes; see ${options.logFile}`);
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const startSeconds = (performance.now() - started) / 1000;
  return {
    url,
    pid: child.pid!,
    startSeconds,
    async stop() {
      if (exited === undefined) process.kill(-child.pid!, "SIGTERM");
      const timer = setTimeout(() => exited === undefined && process.kill(-child.pid!, "SIGKILL"), 15_000);
      await exit;
      clearTimeout(timer);
      fs.closeSync(log);
    },
  };
}

/** A key from the CLI (`enclave keys create --json`), which works while the server runs. */
export function createApiKey(dataDir: string, scopes: string[]): string {
  const result = spawnSync(process.execPath, [path.join(ROOT, "scripts/run-ts.mjs"), "scripts/enclave.ts", "keys", "create", "--name", "bench", "--scopes", scopes.join(","), "--json"], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`keys create failed: ${result.stderr || result.stdout}`);
  return (JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { secret: string }).secret;
}

export type EmbedSession = { tenant: string; token: string; url: string };

export async function mintSession(server: { url: string }, key: string, tenant: string): Promise<EmbedSession> {
  const res = await fetch(`${server.url}/v1/embed-sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ tenant_id: tenant, dashboard_id: "dash_demo", expires_in: 86_400 }),
  });
  const body = (await res.json()) as { embed_url?: string; token?: string; error?: { message: string } };
  if (res.status !== 201 || !body.embed_url || !body.token) throw new Error(`minting a session for ${tenant} failed: ${res.status} ${body.error?.message ?? ""}`);
  return { tenant, token: body.token, url: body.embed_url };
}
