// Starts a real Envoy, waits on its admin endpoint (never a sleep), and always tears it down.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveEnvoy } from "./envoy-install";

export interface RunningEnvoy {
  adminUrl: string;
  listenerPort: number;
  log(): string;
  stats(filter?: string): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export class EnvoyExited extends Error {
  constructor(public code: number | null, public output: string) { super(`Envoy exited with code ${code}`); }
}

const READY_TIMEOUT_MS = 30_000;

async function poll<T>(what: string, timeoutMs: number, proc: ChildProcess, output: () => string, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new EnvoyExited(proc.exitCode, output());
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 200);
  }
  throw new Error(`timed out waiting for ${what}\n${output()}`);
}

export async function startEnvoy(config: object, opts: { concurrency?: number; logLevel?: string } = {}): Promise<RunningEnvoy> {
  const bin = resolveEnvoy();
  const dir = mkdtempSync(join(tmpdir(), "meshguard-envoy-"));
  const configPath = join(dir, "envoy.json");
  const adminPath = join(dir, "admin-address");
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const proc = spawn(bin, [
    "-c", configPath, "--admin-address-path", adminPath, "--disable-hot-restart",
    "--concurrency", String(opts.concurrency ?? 1), "-l", opts.logLevel ?? "info", "--log-format", "[%l][%n] %v",
  ], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout!.on("data", (d: Buffer) => { output += d.toString(); });
  proc.stderr!.on("data", (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<void>((ok) => proc.once("exit", () => ok()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const adminUrl = await poll("Envoy's admin address", READY_TIMEOUT_MS, proc, () => output, async () =>
      existsSync(adminPath) && readFileSync(adminPath, "utf8").trim() ? `http://${readFileSync(adminPath, "utf8").trim()}` : null);
    await poll("Envoy /ready", READY_TIMEOUT_MS, proc, () => output, async () => {
      const r = await fetch(`${adminUrl}/ready`);
      return r.status === 200 ? true : null;
    });
    const listenerPort = await poll("the listener's port", READY_TIMEOUT_MS, proc, () => output, async () => {
      const r = await fetch(`${adminUrl}/listeners?format=json`);
      const j = (await r.json()) as { listener_statuses?: { local_address?: { socket_address?: { port_value?: number } } }[] };
      const port = j.listener_statuses?.[0]?.local_address?.socket_address?.port_value;
      return port ? port : null;
    });
    return {
      adminUrl, listenerPort, log: () => output, stop,
      stats: async (filter = "meshguard") => {
        const r = await fetch(`${adminUrl}/stats?format=json&filter=${encodeURIComponent(filter)}`);
        const j = (await r.json()) as { stats: { name: string; value?: number }[] };
        const out: Record<string, number> = {};
        for (const s of j.stats) if (typeof s.value === "number") out[s.name] = s.value;
        return out;
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

// Runs Envoy with a config expected to be refused; returns its exit code and output.
export async function runEnvoyExpectingFailure(config: object, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  try {
    const envoy = await startEnvoy(config);
    const output = envoy.log();
    await envoy.stop();
    return { code: 0, output };
  } catch (e) {
    if (e instanceof EnvoyExited) return { code: e.code, output: e.output };
    throw e;
  }
}
