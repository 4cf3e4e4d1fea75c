// Finds the registry binary, installing Debian's `docker-registry` (the CNCF Distribution
// registry) the first time it is needed (apt-get, progress shown). REGISTRY_BIN or a
// `docker-registry` on PATH is used when present.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { withInstallLock } from "../install-lock.ts";

const onPath = (name: string) => (process.env.PATH ?? "").split(delimiter).map((d) => join(d, name)).find((p) => existsSync(p)) ?? null;

export function resolveRegistry(): string {
  if (process.env.REGISTRY_BIN) return process.env.REGISTRY_BIN;
  const found = onPath("docker-registry");
  if (found) return found;
  withInstallLock("apt", () => {
    if (onPath("docker-registry")) return;
    process.stderr.write("meshguard: installing an OCI registry (Debian package docker-registry) ...\n");
    const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
    const run = (args: string[]) => execFileSync(sudo.length ? "sudo" : args[0], sudo.length ? args : args.slice(1), { stdio: ["ignore", process.stderr, process.stderr], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    run(["apt-get", "update"]);
    run(["apt-get", "install", "-y", "--no-install-recommends", "docker-registry"]);
  });
  const installed = onPath("docker-registry");
  if (!installed) throw new Error("docker-registry is not on PATH after installing Debian's package");
  return installed;
}
