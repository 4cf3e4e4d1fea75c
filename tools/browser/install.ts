// Finds Chromium for the page tests and the demo's self-test, installing Debian's `chromium`
// package the first time it is needed (apt-get, progress shown; no recommended packages).
// CHROMIUM_BIN, or /usr/bin/chromium, is used when present. Playwright drives it
// (npm playwright-core, a dev dependency: no browser download of its own).
import { existsSync } from "node:fs";
import { aptInstall, withInstallLock } from "../install-lock.ts";

const DEBIAN_PATH = "/usr/bin/chromium";

export function resolveChromium(): string {
  if (process.env.CHROMIUM_BIN) return process.env.CHROMIUM_BIN;
  if (existsSync(DEBIAN_PATH)) return DEBIAN_PATH;
  withInstallLock("apt", () => { if (!existsSync(DEBIAN_PATH)) aptInstall(["chromium"], "Chromium for the dashboard's browser tests"); });
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
