// One installer at a time across processes: the test files run in parallel, and on a fresh
// machine two of them may need the same tool (two apt-get runs would fight over dpkg's lock; two
// pip runs over one virtualenv). A directory is the lock (mkdir is atomic); a lock older than 15
// minutes is taken to be left by a dead process. Whoever gets the lock checks again whether the
// tool is there before installing it.
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

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
