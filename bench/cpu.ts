import fs from "node:fs";
import path from "node:path";

// The server's own CPU accounting: user + system time of its process (the
// one that owns the embedded engine, so the engine's threads are in it), from
// /proc, in milliseconds. Linux only; undefined elsewhere.

const TICKS_PER_SECOND = 100;

export function serverPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, "clickhouse", "enclave-owner.pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function cpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the ")" that ends the command name: state is 0, utime 11, stime 12.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
