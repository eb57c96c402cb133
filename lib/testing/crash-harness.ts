import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

// One harness for the fault tests: starts lib/testing/server-child.ts (the
// app's real route handlers behind the production server's drain) on this
// test file's data directory, waits for READY, sends signals, waits for the
// exit, and starts it again on the same directory. Node runs the child itself
// (no wrapper process in between), so a signal reaches the process that holds
// the data.

const ROOT = path.resolve(__dirname, "../..");
const CHILD = path.join(ROOT, "lib/testing/server-child.ts");

export type ChildExit = { code: number | null; signal: NodeJS.Signals | null; at: number };

export type ChildServer = {
  proc: ChildProcess;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** Everything the child printed on stdout and stderr so far. */
  output(): string;
  signal(signal: NodeJS.Signals): void;
  /** Settles when the process has ended, with how and when (Date.now()). */
  exited: Promise<ChildExit>;
};

export type StartOptions = {
  /** Added to (or, undefined, removed from) this process's environment; DATA_DIR is shared unless set. */
  env?: Record<string, string | undefined>;
  /**
   * RLIMIT_FSIZE for the child, in bytes (what `ulimit -f` sets): a write past
   * it fails with EFBIG (Node ignores SIGXFSZ, which would otherwise kill it).
   */
  fileSizeLimit?: number;
  /** How long to wait for READY (default 60 s). */
  readyTimeoutMs?: number;
};

const running = new Set<ChildProcess>();

export function startChild(options: StartOptions = {}): Promise<ChildServer> {
  const env: Record<string, string | undefined> = { ...process.env, TSX_TSCONFIG_PATH: path.join(ROOT, "tsconfig.json"), ...options.env };
  const nodeArgs = ["--conditions=react-server", "--import", "tsx", CHILD];
  // prlimit sets the limit and execs node: the pid is node's.
  const [command, args] =
    options.fileSizeLimit === undefined ? [process.execPath, nodeArgs] : ["prlimit", [`--fsize=${options.fileSizeLimit}`, "--", process.execPath, ...nodeArgs]];
  const proc = spawn(command, args, { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  running.add(proc);
  let text = "";
  const exited = new Promise<ChildExit>((resolve) =>
    proc.once("exit", (code, signal) => {
      running.delete(proc);
      resolve({ code, signal, at: Date.now() });
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`the child printed no READY within ${options.readyTimeoutMs ?? 60_000} ms:\n${text}`));
    }, options.readyTimeoutMs ?? 60_000);
    let ready = false;
    proc.stderr!.on("data", (d: Buffer) => (text += d));
    proc.stdout!.on("data", (d: Buffer) => {
      text += d;
      const m = /READY (\d+)/.exec(text);
      if (m && !ready) {
        ready = true;
        clearTimeout(timer);
        resolve({ proc, baseUrl: `http://127.0.0.1:${m[1]}`, output: () => text, signal: (s) => proc.kill(s), exited });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`the child exited before READY (code ${code}, signal ${signal}):\n${text}`));
    });
  });
}

/** Sends `signal` and waits for the exit. */
export async function stopChild(child: ChildServer, signal: NodeJS.Signals = "SIGTERM"): Promise<ChildExit> {
  child.signal(signal);
  return child.exited;
}

/** For afterAll: no child outlives its test file. */
export async function killChildren(): Promise<void> {
  const waits = [...running].map((proc) => new Promise((resolve) => proc.once("exit", resolve)));
  for (const proc of running) proc.kill("SIGKILL");
  await Promise.all(waits);
}
