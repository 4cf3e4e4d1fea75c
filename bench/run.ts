// meshguard's benchmark. Run with `npm run bench` (Node with --no-liftoff, as Envoy runs V8).
// Reports ratios against a baseline measured in the same run, and medians; nothing here is a test.
//
//  1. Cost per request in the emulator: meshguard beside the no-op filter (same toolchain), for an
//     allowed request and for a refused one. Batches are interleaved; the median batch counts.
//  2. Memory: linear memory pages after 1,000 and after 1,000,000 mixed requests.
//  3. Size of build/meshguard.wasm.
import { cpus } from "node:os";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { ProxyWasmHost } from "../tools/emulator/host.ts";
import { NOOP_WASM_PATH, WASM_PATH } from "../src-host-tests/fixture.ts";
import { ALLOWED, REFUSED, type Shot, mixedTraffic, rulesPolicy, rulesShot, shoot } from "../src-host-tests/traffic.ts";
import { encodeMetadata } from "../tools/emulator/metadata.ts";
import { IDENTITY_POLICY } from "../test/cases/identity.ts";

const BATCH = Number(process.env.BENCH_BATCH ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const MEMORY_REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 1_000_000);

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function load(path: string, policy: object = IDENTITY_POLICY): Promise<ProxyWasmHost> {
  const host = await ProxyWasmHost.load(readFileSync(path), { pluginConfig: JSON.stringify(policy) });
  if (!host.configured) throw new Error(`${path} refused the benchmark policy`);
  return host;
}

// Cycles through the shots, so a scenario can defeat the filter's one-entry caches.
function batchNs(host: ProxyWasmHost, shots: Shot[]): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) shoot(host, shots[i % shots.length]);
  return Number(process.hrtime.bigint() - t0) / BATCH;
}

// BENCH_COMPARE_WASM=<another build of meshguard>: measured in the same interleaved rounds, so a
// change is compared with the build before it on the same machine state.
const COMPARE = process.env.BENCH_COMPARE_WASM;

async function cost(label: string, shot: Shot | Shot[], policy: object = IDENTITY_POLICY) {
  const shots = Array.isArray(shot) ? shot : [shot];
  const filter = await load(WASM_PATH, policy);
  const noop = await load(NOOP_WASM_PATH, policy);
  const other = COMPARE ? await load(COMPARE, policy) : null;
  // Warm up, so V8 has tiered up (TurboFan only: Liftoff is off).
  batchNs(filter, shots); batchNs(noop, shots); if (other) batchNs(other, shots);
  const f: number[] = [];
  const n: number[] = [];
  const o: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    f.push(batchNs(filter, shots)); n.push(batchNs(noop, shots));
    if (other) o.push(batchNs(other, shots));
  }
  const fm = median(f);
  const nm = median(n);
  const row = { scenario: label, meshguard_ns: Math.round(fm), noop_ns: Math.round(nm), ratio: +(fm / nm).toFixed(2), added_ns: Math.round(fm - nm) };
  if (!other) return row;
  const om = median(o);
  return { ...row, compared_ns: Math.round(om), compared_ratio: +(om / nm).toFixed(2), this_vs_compared: +(fm / om).toFixed(3) };
}

async function memory() {
  const host = await load(WASM_PATH);
  const traffic = mixedTraffic(host);
  traffic(1000);
  const after1k = host.memoryPages;
  traffic(MEMORY_REQUESTS - 1000);
  return { requests: MEMORY_REQUESTS, pages_after_1000: after1k, pages_after_all: host.memoryPages, trapped: host.trap !== null };
}

const liftoff = process.execArgv.some((a) => a.includes("no-liftoff")) ? "off" : "ON (run through npm run bench for --no-liftoff)";
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}, Liftoff ${liftoff}`;
console.log(`meshguard benchmark on ${machine}`);
console.log(`batches of ${BATCH} requests, ${ROUNDS} rounds interleaved, medians\n`);

const results = [await cost("allowed (mTLS identity, route match, header rewrite)", ALLOWED), await cost("refused (403 local reply with JSON body and log line)", REFUSED[0])];
console.table(results);

// Policy size: n routes with 2 rules each; the request matches the last route declared and is
// allowed by its role rule. Two users alternate, so the verified claims are decoded from dynamic
// metadata on every request (the filter caches only the last token).
const claims = (n: number, sub: string) => encodeMetadata({ "envoy.filters.http.jwt_authn": { jwt_payload: { iss: "https://issuer.example", sub, roles: [`reader-${n - 1}`], scope: "a b c" } } });
const sizes = [];
for (const n of [10, 100, 1000]) sizes.push(await cost(`${n} routes, ${2 * n} rules`, [rulesShot(n, claims(n, "alice")), rulesShot(n, claims(n, "bob"))], rulesPolicy(n)));
sizes.push(await cost("1000 routes, same token (cached claims)", rulesShot(1000, claims(1000, "alice")), rulesPolicy(1000)));
console.log("\npolicy size (the matching route is the last of n; claims decoded on every request but the last row):");
console.table(sizes);
// The limiter: one hot key (every request draws from the same bucket), and many keys (each request
// a different client address, so every request finds or claims its own slot), against the same
// policy without rate_limits.
const limited = (limits: object | null) => ({ routes: [{ name: "all", path: "/**", public: true }], ...(limits ? { rate_limits: limits } : {}) });
const hot = { limits: [{ name: "hot", capacity: 1e9, refill: { tokens: 1e9, seconds: 1 }, key: ["route"] }] };
const many = { table_slots: 100000, limits: [{ name: "many", capacity: 1e9, refill: { tokens: 1e9, seconds: 1 }, key: ["client_ip"] }] };
const addresses: Shot[] = Array.from({ length: 50000 }, (_, i) => ({ path: "/x", peer: null, sourceAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:5000` }));
const limiterRows = [
  await cost("no rate limit", { path: "/x", peer: null }, limited(null)),
  await cost("rate limit, one hot key", { path: "/x", peer: null }, limited(hot)),
  await cost("rate limit, 50,000 keys", addresses, limited(many)),
];
console.log("\nrate limiter (shared data, CAS):");
console.table(limiterRows);

// Monitoring: the same public route with detectors on: a quarantine lookup per identity kind that
// quarantines, and an enumeration window updated on every request (one user, distinct ids).
const watched = (detectors: object[] | null) => ({
  routes: [{ name: "item", path: "/items/{id}", public: true }],
  ...(detectors ? { monitoring: { detectors } } : {}),
});
const enumeration = { name: "scrape", kind: "enumeration", identity: "client_ip", route: "item", param: "id", window_seconds: 10, threshold: 1000, action: "quarantine" };
const burst = { name: "guess", kind: "refusal_burst", identity: "client_ip", groups: ["credentials"], window_seconds: 60, threshold: 10, action: "quarantine" };
const items: Shot[] = Array.from({ length: 500 }, (_, i) => ({ path: `/items/${i}`, peer: null, sourceAddress: `10.1.${(i >> 8) & 255}.${i & 255}:5000` }));
const monitorRows = [
  await cost("no detectors", items, watched(null)),
  await cost("a refusal-burst detector (quarantine lookup only)", items, watched([burst])),
  await cost("and an enumeration detector on the route", items, watched([burst, enumeration])),
];
console.log("\nmonitoring (detectors on a public route, 500 client addresses):");
console.table(monitorRows);

const mem = await memory();
console.log(`\nmemory: ${mem.pages_after_1000} pages after 1,000 requests, ${mem.pages_after_all} after ${mem.requests.toLocaleString("en")} (${mem.pages_after_all === mem.pages_after_1000 ? "equal" : "GREW"}), trapped: ${mem.trapped}`);
const size = statSync(WASM_PATH).size;
console.log(`size: build/meshguard.wasm ${size} bytes, build/noop.wasm ${statSync(NOOP_WASM_PATH).size} bytes`);
writeFileSync(new URL("../build/bench.json", import.meta.url), JSON.stringify({ machine, batch: BATCH, rounds: ROUNDS, cost: results, policy_size: sizes, rate_limiter: limiterRows, monitoring: monitorRows, memory: mem, wasm_bytes: size }, null, 2));
if (mem.pages_after_all !== mem.pages_after_1000 || mem.trapped) process.exitCode = 1;
