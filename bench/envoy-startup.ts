// How long Envoy takes to become ready with meshguard and a large policy, against the same Envoy
// with the no-op wasm filter, in one interleaved run. Run: npm run bench:startup
//
// Each sample starts a fresh Envoy with two workers (each worker, and the main thread, creates its
// VM and configures the policy) and measures from the spawn to Envoy's /ready answering 200 and
// its listener being known (probed every 2 ms). The policies: 500 routes with two rules each (a
// role, a peer pattern), and the same 500 routes each with a body schema. BENCH_STARTUP_RUNS (7)
// samples per case; medians with min–max; the figure is the time above the no-op filter's.
// BENCH_COMPARE_WASM=<label>=<build>,...: other builds of meshguard in the same rounds.
import { cpus } from "node:os";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { envoyConfig } from "../tools/envoy/config.ts";
import { startEnvoy } from "../tools/envoy/process.ts";
import { createPki } from "../tools/envoy/pki.ts";
import { rulesPolicy } from "../src-host-tests/traffic.ts";
import { ORDER_SCHEMA } from "./bodies.ts";
import { median, waitForQuiet } from "./quiet.ts";

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 7);
const WASM = resolve(import.meta.dirname, "..", "build", "meshguard.wasm");
const NOOP = resolve(import.meta.dirname, "..", "build", "noop.wasm");
const ROUTES = 500;

const rules = rulesPolicy(ROUTES) as { routes: Record<string, unknown>[] };
const withSchemas = { routes: rules.routes.map((r) => ({ ...r, methods: ["POST"], content_types: ["application/json"], body_schema: ORDER_SCHEMA })) };

interface Case { name: string; wasm: string; policy: object }
const CASES: Case[] = [
  { name: "no-op wasm filter", wasm: NOOP, policy: {} },
  // The module's own cost (compile, instantiate, start) with a one-route policy, apart from the policy's.
  { name: "meshguard, 1 route", wasm: WASM, policy: { routes: [{ path: "/**", public: true }] } },
  { name: `meshguard, ${ROUTES} routes`, wasm: WASM, policy: rules },
  { name: `meshguard, ${ROUTES} routes with body schemas`, wasm: WASM, policy: withSchemas },
];
for (const [label, wasm] of (process.env.BENCH_COMPARE_WASM ?? "").split(",").filter((x) => x).map((x) => x.split("=") as [string, string])) {
  for (const c of CASES.filter((c) => c.wasm === WASM)) CASES.push({ ...c, name: `${c.name} [${label}]`, wasm });
}

const pki = createPki();
const samples = new Map<string, number[]>();
console.log(`Envoy startup on ${cpus()[0]?.model ?? "unknown"}, ${cpus().length} cores: 2 workers, ${RUNS} runs per case, interleaved`);
for (let run = 0; run < RUNS; run++) {
  for (const c of CASES) {
    const config = envoyConfig({ wasmPath: c.wasm, pluginConfig: c.policy, upstreamPort: 9, pki, tls: false });
    await waitForQuiet(500);
    const t0 = performance.now();
    const envoy = await startEnvoy(config, { concurrency: 2, logLevel: "info", readyPollMs: 2 });
    const ms = performance.now() - t0;
    if (c.wasm !== NOOP && !/policy loaded/.test(envoy.log())) {
      await envoy.stop();
      throw new Error(`${c.name}: meshguard did not report its policy loaded\n${envoy.log().slice(-2000)}`);
    }
    await envoy.stop();
    samples.set(c.name, [...(samples.get(c.name) ?? []), ms]);
  }
}
const floor = median(samples.get(CASES[0].name)!);
const rows = CASES.map((c) => {
  const xs = samples.get(c.name)!;
  return { case: c.name, "ready ms": +median(xs).toFixed(0), "min–max": `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`, "above the no-op filter ms": +(median(xs) - floor).toFixed(0) };
});
console.table(rows);
writeFileSync(resolve(import.meta.dirname, "..", "build", "bench-startup.json"), JSON.stringify({ machine: cpus()[0]?.model, cores: cpus().length, runs: RUNS, rows }, null, 2));
