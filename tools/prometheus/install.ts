// Finds Prometheus and promtool, installing Debian's `prometheus` package the first time they are
// needed (apt-get, progress shown; no recommended packages). PROMETHEUS_BIN and PROMTOOL_BIN, or
// the commands on PATH, are used when present.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { withInstallLock } from "../install-lock.ts";

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

function install(): void {
  process.stderr.write("meshguard: installing Prometheus and promtool (Debian package prometheus) ...\n");
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  const run = (args: string[]) => execFileSync(sudo.length ? "sudo" : args[0], sudo.length ? args : args.slice(1), { stdio: ["ignore", process.stderr, process.stderr], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  run(["apt-get", "update"]);
  // The package's maintainer scripts would start a system service: not wanted here, and not
  // possible without an init system. policy-rc.d is not touched; the service's failure to start
  // is harmless, the binaries are what is used.
  run(["apt-get", "install", "-y", "--no-install-recommends", "prometheus"]);
}

export function resolveTool(name: "prometheus" | "promtool"): string {
  const env = name === "prometheus" ? process.env.PROMETHEUS_BIN : process.env.PROMTOOL_BIN;
  if (env) return env;
  const found = onPath(name);
  if (found) return found;
  // "apt": every apt-get of the project shares one lock (dpkg allows one at a time).
  withInstallLock("apt", () => { if (!onPath(name)) install(); });
  const installed = onPath(name);
  if (!installed) throw new Error(`${name} is not on PATH after installing Debian's prometheus package`);
  return installed;
}

export function toolVersion(bin: string): string {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return (r.stdout || r.stderr).split("\n")[0];
}
