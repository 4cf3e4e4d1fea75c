// What the Envoy benchmarks share: wrk, waiting for a quiet machine before a sample, and the median.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

// The load generator, installed from Debian's packages on first use.
export function ensureWrk(): void {
  if (spawnSync("sh", ["-c", "command -v wrk"]).status === 0) return;
  console.error("installing wrk (Debian) ...");
  execFileSync("sh", ["-c", "apt-get update -qq && apt-get install -y -qq wrk"], { stdio: "inherit" });
}

// Both cores below this busy share for a whole sample window count as quiet.
export const QUIET_BUSY = 0.15;

// The machine's busy share over `ms` (all cores, from /proc/stat).
export async function busyShare(ms: number): Promise<number> {
  const read = () => { const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number); return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) }; };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total);
}

// Waits (at most 30 s) for a window of `windowMs` below QUIET_BUSY; false when none came.
export async function waitForQuiet(windowMs: number): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) if ((await busyShare(windowMs)) < QUIET_BUSY) return true;
  return false;
}

export const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
