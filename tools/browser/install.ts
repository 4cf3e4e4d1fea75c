// Finds Chromium for the page tests and the demo's self-test, installing Debian's `chromium`
// package the first time it is needed (apt-get, progress shown; no recommended packages).
// CHROMIUM_BIN, or /usr/bin/chromium, is used when present. Playwright drives it
// (npm playwright-core, a dev dependency: no browser download of its own).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { withInstallLock } from "../install-lock.ts";

const DEBIAN_PATH = "/usr/bin/chromium";

function install(): void {
  process.stderr.write("meshguard: installing Chromium (Debian package chromium) for the dashboard's browser tests ...\n");
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  const run = (args: string[]) => execFileSync(sudo.length ? "sudo" : args[0], sudo.length ? args : args.slice(1), { stdio: ["ignore", process.stderr, process.stderr], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  run(["apt-get", "update"]);
  run(["apt-get", "install", "-y", "--no-install-recommends", "chromium"]);
}

export function resolveChromium(): string {
  if (process.env.CHROMIUM_BIN) return process.env.CHROMIUM_BIN;
  if (existsSync(DEBIAN_PATH)) return DEBIAN_PATH;
  // "apt": every apt-get of the project shares one lock (dpkg allows one at a time).
  withInstallLock("apt", () => { if (!existsSync(DEBIAN_PATH)) install(); });
  if (!existsSync(DEBIAN_PATH)) throw new Error(`Chromium is not at ${DEBIAN_PATH} after installing Debian's chromium package`);
  return DEBIAN_PATH;
}

// Headless, and quiet on a machine without a network beyond loopback: no background fetches,
// no component updates, no sync, a fresh profile each launch (Playwright makes one).
export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
];

export async function launchBrowser() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: resolveChromium(), headless: true, args: CHROMIUM_ARGS });
}
