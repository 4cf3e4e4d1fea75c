// One installer at a time across processes: the test files run in parallel, and on a fresh
// machine two of them may need the same tool (two apt-get runs would fight over dpkg's lock; two
// pip runs over one virtualenv). A directory is the lock (mkdir is atomic); a lock older than 15
// minutes is taken to be left by a dead process. Whoever gets the lock checks again whether the
// tool is there before installing it.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";

const LOCKS = resolve(import.meta.dirname, "..", ".cache", "locks");
const STALE_MS = 15 * 60_000;
const nap = new Int32Array(new SharedArrayBuffer(4));

export function withInstallLock<T>(name: string, install: () => T): T {
  mkdirSync(LOCKS, { recursive: true });
  const lock = join(LOCKS, `${name}.lock`);
  for (;;) {
    try { mkdirSync(lock); break; } catch {
      try { if (Date.now() - statSync(lock).mtimeMs > STALE_MS) rmSync(lock, { recursive: true, force: true }); } catch { /* gone meanwhile */ }
      Atomics.wait(nap, 0, 0, 200);   // a synchronous pause: the installers are synchronous
    }
  }
  try { return install(); } finally { rmSync(lock, { recursive: true, force: true }); }
}

// The first `name` on PATH, or null.
export function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

// Installs Debian packages (apt-get update, then install without recommended packages; sudo when
// not root), saying what for and showing apt's progress on stderr. Call it under
// withInstallLock("apt", ...): every apt-get of the project shares one lock (dpkg allows one at a time).
export function aptInstall(packages: string[], what: string): void {
  process.stderr.write(`meshguard: installing ${what} (Debian package ${packages.join(", ")}) ...\n`);
  const sudo = process.getuid?.() !== 0;
  const run = (args: string[]) => execFileSync(sudo ? "sudo" : args[0], sudo ? args : args.slice(1), { stdio: ["ignore", process.stderr, process.stderr], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  run(["apt-get", "update"]);
  run(["apt-get", "install", "-y", "--no-install-recommends", ...packages]);
}
