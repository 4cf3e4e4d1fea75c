// Finds the registry binary, installing Debian's `docker-registry` (the CNCF Distribution
// registry) the first time it is needed (apt-get, progress shown). REGISTRY_BIN or a
// `docker-registry` on PATH is used when present.
import { aptInstall, onPath, withInstallLock } from "../install-lock.ts";

export function resolveRegistry(): string {
  if (process.env.REGISTRY_BIN) return process.env.REGISTRY_BIN;
  const found = onPath("docker-registry");
  if (found) return found;
  withInstallLock("apt", () => { if (!onPath("docker-registry")) aptInstall(["docker-registry"], "an OCI registry"); });
  const installed = onPath("docker-registry");
  if (!installed) throw new Error("docker-registry is not on PATH after installing Debian's package");
  return installed;
}
