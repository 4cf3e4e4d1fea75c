// Starts a real Envoy, waits on its admin endpoint (never a sleep), and always tears it down.
// ENVOY_LAUNCHER=compose (or launcher: "compose") runs the same config through
// envoy/docker-compose.yaml instead of the binary.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { resolveEnvoy } from "./install";
import { LOCAL_IMAGE } from "./docker";

export type Launcher = "binary" | "compose";
const COMPOSE_FILE = resolve(import.meta.dirname, "..", "..", "envoy", "docker-compose.yaml");

// Copies every file the config names into the run folder and points the config at the copies, so
// one mounted folder carries everything into a container. Readable by Envoy's user in the image.
function stageFiles(config: object, runDir: string): object {
  let n = 0;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === "filename" && typeof x === "string") {
          const dest = join(runDir, `${n++}-${basename(x)}`);
          copyFileSync(x, dest);
          chmodSync(dest, 0o644);
          out[k] = dest;
        } else out[k] = walk(x);
      }
      return out;
    }
    return v;
  };
  return walk(config) as object;
}

function spawnBinary(configPath: string, adminPath: string, concurrency: number, logLevel: string, cpus?: string): { proc: ChildProcess; down: () => void } {
  const envoy = resolveEnvoy();
  // cpus: pin Envoy to these cores with taskset (the load benchmark keeps it off the generator's).
  const [cmd, prefix] = cpus ? ["taskset", ["-c", cpus, envoy]] : [envoy, []];
  const proc = spawn(cmd, [...prefix,
    "-c", configPath, "--admin-address-path", adminPath, "--disable-hot-restart",
    "--concurrency", String(concurrency), "-l", logLevel, "--log-format", "[%l][%n] %v",
  ], { stdio: ["ignore", "pipe", "pipe"] });
  return { proc, down: () => {} };
}

function spawnCompose(runDir: string, concurrency: number): { proc: ChildProcess; down: () => void } {
  const project = `meshguard${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const env = {
    ...process.env, MESHGUARD_RUN_DIR: runDir, MESHGUARD_CONCURRENCY: String(concurrency),
    MESHGUARD_ENVOY_IMAGE: process.env.MESHGUARD_ENVOY_IMAGE ?? LOCAL_IMAGE,
  };
  const args = ["-f", COMPOSE_FILE, "-p", project];
  const proc = spawn("docker-compose", [...args, "up", "--no-color", "--abort-on-container-exit", "--exit-code-from", "envoy"], { stdio: ["ignore", "pipe", "pipe"], env });
  return { proc, down: () => { spawnSync("docker-compose", [...args, "down", "--timeout", "5"], { stdio: "ignore", env }); } };
}

export interface RunningEnvoy {
  config: object;        // the bootstrap Envoy runs
  pid: number | undefined;
  adminUrl: string;
  listenerPort: number;
  log(): string;
  // Calls `listener` with each line Envoy writes from now on; returns the unsubscribe.
  onLine(listener: (line: string) => void): () => void;
  stats(filter?: string): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export class EnvoyExited extends Error {
  constructor(public code: number | null, public output: string) { super(`Envoy exited with code ${code}`); }
}

const READY_TIMEOUT_MS = 30_000;

// Envoy's counters and gauges whose names match `filter`, from any Envoy's admin address (the
// tests' Envoy, or the one a dashboard watches); `timeoutMs` bounds the wait when given.
export async function readAdminStats(adminUrl: string, filter: string, timeoutMs?: number): Promise<Record<string, number>> {
  const r = await fetch(`${adminUrl}/stats?format=json&filter=${encodeURIComponent(filter)}`, timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {});
  if (!r.ok) throw new Error(`admin answered ${r.status}`);
  const j = (await r.json()) as { stats?: { name: string; value?: number }[] };
  const out: Record<string, number> = {};
  for (const s of j.stats ?? []) if (typeof s.value === "number") out[s.name] = s.value;
  return out;
}

// Probes every 10 ms, backing off to every `maxDelay` ms.
async function poll<T>(what: string, timeoutMs: number, proc: ChildProcess, output: () => string, probe: () => Promise<T | null>, maxDelay = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = Math.min(10, maxDelay);
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new EnvoyExited(proc.exitCode, output());
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, maxDelay);
  }
  throw new Error(`timed out waiting for ${what}\n${output()}`);
}

// `readyPollMs`: how often, at most, readiness is probed (the startup benchmark asks for 2 ms).
export async function startEnvoy(config: object, opts: { concurrency?: number; logLevel?: string; launcher?: Launcher; cpus?: string; readyPollMs?: number } = {}): Promise<RunningEnvoy> {
  const launcher: Launcher = opts.launcher ?? (process.env.ENVOY_LAUNCHER === "compose" ? "compose" : "binary");
  const dir = mkdtempSync(join(tmpdir(), "meshguard-envoy-"));
  chmodSync(dir, 0o755);
  const configPath = join(dir, "envoy.json");
  const adminPath = join(dir, "admin-address");
  const staged = launcher === "compose" ? stageFiles(config, dir) : config;
  writeFileSync(configPath, JSON.stringify(staged, null, 2));
  chmodSync(configPath, 0o644);
  const concurrency = opts.concurrency ?? 1;
  const { proc, down } = launcher === "compose" ? spawnCompose(dir, concurrency) : spawnBinary(configPath, adminPath, concurrency, opts.logLevel ?? "info", opts.cpus);
  let output = "";
  const listeners = new Set<(line: string) => void>();
  const partial = { stdout: "", stderr: "" };
  const take = (from: "stdout" | "stderr") => (d: Buffer) => {
    const text = d.toString();
    output += text;
    if (listeners.size === 0) return;
    const lines = (partial[from] + text).split("\n");
    partial[from] = lines.pop() ?? "";
    for (const line of lines) for (const l of listeners) l(line);
  };
  proc.stdout!.on("data", take("stdout"));
  proc.stderr!.on("data", take("stderr"));
  const onLine = (listener: (line: string) => void) => { listeners.add(listener); return () => { listeners.delete(listener); }; };
  const exited = new Promise<void>((ok) => proc.once("exit", () => ok()));
  const stop = async () => {
    down();
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const adminUrl = await poll("Envoy's admin address", READY_TIMEOUT_MS, proc, () => output, async () =>
      existsSync(adminPath) && readFileSync(adminPath, "utf8").trim() ? `http://${readFileSync(adminPath, "utf8").trim()}` : null, opts.readyPollMs);
    await poll("Envoy /ready", READY_TIMEOUT_MS, proc, () => output, async () => {
      const r = await fetch(`${adminUrl}/ready`);
      return r.status === 200 ? true : null;
    }, opts.readyPollMs);
    const listenerPort = await poll("the listener's port", READY_TIMEOUT_MS, proc, () => output, async () => {
      const r = await fetch(`${adminUrl}/listeners?format=json`);
      const j = (await r.json()) as { listener_statuses?: { local_address?: { socket_address?: { port_value?: number } } }[] };
      const port = j.listener_statuses?.[0]?.local_address?.socket_address?.port_value;
      return port ? port : null;
    });
    return {
      config: staged, pid: proc.pid, adminUrl, listenerPort, log: () => output, onLine, stop,
      stats: (filter = "meshguard") => readAdminStats(adminUrl, filter),
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

// Runs Envoy with a config expected to be refused; returns its exit code and output.
export async function runEnvoyExpectingFailure(config: object, launcher?: Launcher): Promise<{ code: number | null; output: string }> {
  try {
    const envoy = await startEnvoy(config, { launcher });
    const output = envoy.log();
    await envoy.stop();
    return { code: 0, output };
  } catch (e) {
    if (e instanceof EnvoyExited) return { code: e.code, output: e.output };
    throw e;
  }
}
