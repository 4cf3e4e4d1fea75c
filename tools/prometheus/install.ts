// Finds Prometheus and promtool, installing Debian's `prometheus` package the first time they are
// needed (apt-get, progress shown; no recommended packages). PROMETHEUS_BIN and PROMTOOL_BIN, or
// the commands on PATH, are used when present.
import { spawnSync } from "node:child_process";
import { aptInstall, onPath, withInstallLock } from "../install-lock.ts";

// The package's maintainer scripts would start a system service: not wanted here, and not
// possible without an init system. policy-rc.d is not touched; the service's failure to start is
// harmless, the binaries are what is used.
const install = () => aptInstall(["prometheus"], "Prometheus and promtool");

export function resolveTool(name: "prometheus" | "promtool"): string {
  const env = name === "prometheus" ? process.env.PROMETHEUS_BIN : process.env.PROMTOOL_BIN;
  if (env) return env;
  const found = onPath(name);
  if (found) return found;
  withInstallLock("apt", () => { if (!onPath(name)) install(); });
  const installed = onPath(name);
  if (!installed) throw new Error(`${name} is not on PATH after installing Debian's prometheus package`);
  return installed;
}

export function toolVersion(bin: string): string {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return (r.stdout || r.stderr).split("\n")[0];
}
