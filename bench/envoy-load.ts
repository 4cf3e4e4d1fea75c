// Envoy under load, with and without meshguard, in the same run: the filter's real cost.
// Run: npm run bench:envoy   (installs wrk from Debian's packages if it is missing)
//
// One Envoy worker pinned to core 1, wrk pinned to core 0 (FINDINGS: on two cores, keep the
// generator off Envoy's core), a plaintext listener (TLS is Envoy's cost, not the filter's), an
// echo upstream in this process. Scenarios run interleaved, ROUNDS times each; medians are
// reported, with ratios to the baseline. wrk is closed-loop: trust throughput and the median
// latency; treat p99 as indicative.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { cpus } from "node:os";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { envoyConfig } from "../tools/envoy/config.ts";
import { startEnvoy } from "../tools/envoy/process.ts";
import { createPki } from "../tools/envoy/pki.ts";
import { startUpstream } from "../tools/envoy/upstream.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 16;
const WASM = resolve(import.meta.dirname, "..", "build", "meshguard.wasm");
const NOOP = resolve(import.meta.dirname, "..", "build", "noop.wasm");
const KEY = "bench-key-0123456789";

if (spawnSync("sh", ["-c", "command -v wrk"]).status !== 0) {
  console.error("installing wrk (Debian) ...");
  execFileSync("sh", ["-c", "apt-get update -qq && apt-get install -y -qq wrk"], { stdio: "inherit" });
}

const routes = [
  { name: "public", path: "/public/**", public: true },
  { name: "api", path: "/api/users/{userId}/orders/{orderId}", methods: ["GET"], allow: [{ api_clients: ["bench"] }] },
];
const apiKeys = { header: "x-api-key", keys: [{ sha256: createHash("sha256").update(KEY).digest("hex"), client: "bench", roles: [] }] };
const SCENARIOS = [
  { name: "Envoy alone (baseline)", path: "/public/x", headers: [] as string[], policy: null as object | null },
  // What Envoy spends on any wasm filter: a VM context per request and the ABI calls around it.
  { name: "no-op wasm filter (same toolchain)", path: "/public/x", headers: [], policy: { routes: [] }, wasm: NOOP },
  { name: "meshguard: public route", path: "/public/x", headers: [], policy: { routes, api_keys: apiKeys } },
  { name: "meshguard: API key + route template", path: "/api/users/7/orders/9", headers: [`x-api-key: ${KEY}`], policy: { routes, api_keys: apiKeys } },
  {
    name: "meshguard: public route + 2 detectors (quarantine lookup, enumeration window)", path: "/public/x", headers: [],
    policy: {
      routes: [{ name: "public", path: "/public/{id}", public: true }],
      monitoring: { detectors: [
        { name: "guess", kind: "refusal_burst", identity: "client_ip", groups: ["credentials"], window_seconds: 60, threshold: 10, action: "quarantine" },
        { name: "scrape", kind: "enumeration", identity: "client_ip", route: "public", param: "id", window_seconds: 10, threshold: 1000, action: "quarantine" },
      ] },
    },
  },
  {
    name: "meshguard: API key + template + rate limit", path: "/api/users/7/orders/9", headers: [`x-api-key: ${KEY}`],
    policy: { routes, api_keys: apiKeys, rate_limits: { limits: [{ name: "bench", capacity: 1e9, refill: { tokens: 1e9, seconds: 1 }, key: ["api_client"] }] } },
  },
];

// BENCH_COMPARE_WASM=<another build of meshguard>: its meshguard scenarios run too, interleaved in
// the same rounds, so a change is compared with the build before it on the same machine state.
const COMPARE = process.env.BENCH_COMPARE_WASM;
if (COMPARE) {
  for (const sc of SCENARIOS.filter((s) => s.name.startsWith("meshguard:"))) {
    SCENARIOS.push({ ...sc, name: sc.name.replace("meshguard:", "compared build:"), wasm: COMPARE } as (typeof SCENARIOS)[number]);
  }
}

interface Sample { rps: number; p50: number; p99: number; non2xx: number; requests: number; cpuMicros: number }

// CPU time (user + system) the Envoy process has used, in microseconds (proc(5): fields 14, 15).
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

// Async: the echo upstream lives in this process and must keep answering while wrk runs.
async function wrk(port: number, path: string, headers: string[], pid: number): Promise<Sample> {
  const cpuBefore = cpuMicros(pid);
  const args = ["-c", "0", "wrk", "-t1", `-c${CONNECTIONS}`, `-d${SECONDS}s`, "--latency", ...headers.flatMap((h) => ["-H", h]), `http://127.0.0.1:${port}${path}`];
  const { stdout: out } = await promisify(execFile)("taskset", args, { encoding: "utf8" });
  if (/Socket errors/.test(out)) throw new Error(`wrk saw socket errors:\n${out}`);
  const ms = (label: string) => {
    const m = out.match(new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`));
    if (!m) throw new Error(`wrk output without ${label}:\n${out}`);
    return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
  };
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)![1]);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  const requests = Number(out.match(/(\d+) requests in/)![1]);
  return { rps, p50: ms("50%"), p99: ms("99%"), non2xx, requests, cpuMicros: cpuMicros(pid) - cpuBefore };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

const pki = createPki();
const upstream = await startUpstream();
const samples = new Map<string, Sample[]>();
try {
  console.log(`Envoy load benchmark on ${cpus()[0]?.model ?? "unknown"}, ${cpus().length} cores: Envoy (1 worker) on core 1, wrk -t1 -c${CONNECTIONS} on core 0, ${SECONDS} s x ${ROUNDS} rounds`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const sc of SCENARIOS) {
      const config = envoyConfig({ wasmPath: (sc as { wasm?: string }).wasm ?? WASM, pluginConfig: sc.policy ?? {}, upstreamPort: upstream.port, pki, tls: false, withoutMeshguard: sc.policy === null });
      const envoy = await startEnvoy(config, { concurrency: 1, cpus: "1", logLevel: "warn" });
      try {
        const s = await wrk(envoy.listenerPort, sc.path, sc.headers, envoy.pid!);
        if (s.non2xx > 0) throw new Error(`${sc.name}: ${s.non2xx} responses were not 2xx`);
        samples.set(sc.name, [...(samples.get(sc.name) ?? []), s]);
      } finally {
        await envoy.stop();
      }
    }
  }
} finally {
  await upstream.close();
}

const base = samples.get(SCENARIOS[0].name)!;
const baseRps = median(base.map((s) => s.rps));
const baseP50 = median(base.map((s) => s.p50));
// Envoy's CPU per request: robust to which core is the bottleneck (the echo upstream and wrk share
// the machine), so it is the figure to compare; throughput and latency are shown beside it.
const cpuPerRequest = (xs: Sample[]) => median(xs.map((s) => s.cpuMicros / s.requests));
const baseCpu = cpuPerRequest(base);
console.table(SCENARIOS.map((sc) => {
  const xs = samples.get(sc.name)!;
  const rps = median(xs.map((s) => s.rps));
  const p50 = median(xs.map((s) => s.p50));
  const cpu = cpuPerRequest(xs);
  return {
    scenario: sc.name, "Envoy CPU µs/req": +cpu.toFixed(1), "CPU vs baseline": +(cpu / baseCpu).toFixed(2), "added CPU µs/req": +(cpu - baseCpu).toFixed(1),
    "req/s": Math.round(rps), "req/s vs baseline": +(rps / baseRps).toFixed(3), "p50 ms": p50, "p99 ms": median(xs.map((s) => s.p99)),
  };
}));
