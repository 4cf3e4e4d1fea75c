// Envoy under load, every chain in the same interleaved run: what meshguard costs against Envoy
// alone, against the wasm floor (a filter that does nothing), and against Envoy's native filters
// expressing the same policy (jwt_authn + rbac + local_ratelimit, with and without the CEL
// condition for the object-level rule). Run: npm run bench:envoy   (installs wrk from Debian's
// packages if it is missing). BENCH_ROUNDS (6), BENCH_SECONDS (10), BENCH_ONLY=<regex> of names.
// BENCH_HOST_CALLS=1 adds a row per host call meshguard makes on a GET: the no-op filter plus
// that one call (bench/host-call.ts, built by build.sh), against the no-op filter on the same request.
//
// One Envoy worker pinned to core 1, wrk pinned to core 0 (FINDINGS: on two cores, keep the
// generator off Envoy's core), a plaintext listener (TLS is Envoy's cost, not the filter's), an
// echo upstream in this process. Before each sample the script waits for a quiet machine (both
// cores below QUIET_BUSY for a second). Scenarios run interleaved, ROUNDS times each; medians are
// reported with min–max. The figure to compare is Envoy's CPU time per request (/proc/<pid>/stat),
// which does not depend on which core is the bottleneck; req/s and p50 are shown beside it. wrk
// is closed-loop: trust throughput and the median latency; treat p99 as indicative.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { cpus, tmpdir } from "node:os";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { envoyConfig } from "../tools/envoy/config.ts";
import { createIssuer } from "../tools/envoy/jwt.ts";
import { startEnvoy } from "../tools/envoy/process.ts";
import { createPki } from "../tools/envoy/pki.ts";
import { startUpstream } from "../tools/envoy/upstream.ts";
import { nativeChain } from "./native-chain.ts";
import { MULTIPART_BOUNDARY, chainPolicy, formBody, formsPolicy, multipartBody, orderBody, postsBody, postsPolicy } from "./bodies.ts";
import { QUIET_BUSY, ensureWrk, median, waitForQuiet } from "./quiet.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;
const CONNECTIONS = 16;
const WASM = resolve(import.meta.dirname, "..", "build", "meshguard.wasm");
const NOOP = resolve(import.meta.dirname, "..", "build", "noop.wasm");
const KEY = "bench-key-0123456789";

ensureWrk();

// --- the scenarios ---
interface Scenario {
  name: string;
  method?: "GET" | "POST";
  path: string;
  headers: string[];
  body?: string;
  jwt?: boolean;                       // jwt_authn first (RS256, the token below)
  native?: { ownerCondition: boolean };   // Envoy's rbac + local_ratelimit
  wasm?: string | null;                // null: no wasm filter; default: meshguard
  policy?: object;
  role?: "baseline" | "native";        // what the ratios are against
  floor?: string;                      // the no-op scenario of the same request ("above the wasm floor")
  twin?: boolean;                      // the same as the scenario before it, with another build (BENCH_COMPARE_WASM)
}

const ISSUER = "https://issuer.bench.meshguard.test";
const issuer = createIssuer(ISSUER, "RS256");
const TOKEN = issuer.token({ sub: "alice", roles: ["reader"], aud: "bench" }, { expiresIn: 24 * 3600 });
const BEARER = `authorization: Bearer ${TOKEN}`;

const GET_ORDER = { path: "/api/users/alice/orders/9", headers: [BEARER] };
const FLOOR = "jwt_authn + no-op wasm filter (the wasm floor)";
const postFloor = (kb: number) => `POST ${kb} KB JSON: jwt_authn + no-op wasm filter`;
const postRequest = (kb: number) => ({ method: "POST" as const, path: "/api/users/alice/orders", headers: [BEARER, "content-type: application/json"], body: orderBody(kb * 1024), jwt: true });
const post = (kb: number, schema: boolean): Scenario => ({
  name: `POST ${kb} KB JSON: jwt_authn + meshguard, ${schema ? "with a schema" : "no schema"}`, ...postRequest(kb), policy: chainPolicy(schema), floor: postFloor(kb),
});

// A 16 KB body of one kind beside the order documents (bench/bodies.ts): the no-op filter on it (its
// floor), then meshguard with `policy`. A text-heavy JSON body (postsBody, with its schema), a form and
// a multipart body (read for `_method` and the route's parameter names).
function onBody(kind: string, path: string, contentType: string, body: string, policy: object, meshguard = "jwt_authn + meshguard"): Scenario[] {
  const request = { method: "POST" as const, path, headers: [BEARER, `content-type: ${contentType}`], body, jwt: true };
  const floor = `POST 16 KB ${kind}: jwt_authn + no-op wasm filter`;
  return [{ name: floor, ...request, wasm: NOOP, policy: {} }, { name: `POST 16 KB ${kind}: ${meshguard}`, ...request, policy, floor }];
}

const routes = [
  { name: "public", path: "/public/**", public: true },
  { name: "api", path: "/api/users/{userId}/orders/{orderId}", methods: ["GET"], allow: [{ api_clients: ["bench"] }] },
];
const apiKeys = { header: "x-api-key", keys: [{ sha256: createHash("sha256").update(KEY).digest("hex"), client: "bench", roles: [] }] };

let SCENARIOS: Scenario[] = [
  { name: "Envoy alone", path: "/public/x", headers: [], wasm: null, role: "baseline" },
  { name: "native: jwt_authn + rbac + local_ratelimit", ...GET_ORDER, jwt: true, native: { ownerCondition: false }, wasm: null, role: "native" },
  { name: "native + rbac CEL condition userId == sub", ...GET_ORDER, jwt: true, native: { ownerCondition: true }, wasm: null },
  { name: "jwt_authn only", ...GET_ORDER, jwt: true, wasm: null },
  { name: FLOOR, ...GET_ORDER, jwt: true, wasm: NOOP, policy: {} },
  { name: "jwt_authn + meshguard (route, role, userId == sub, a limit)", ...GET_ORDER, jwt: true, policy: chainPolicy(false), floor: FLOOR },
  // Ablations of the row above: where its cost goes.
  { name: "ablation: the same without the limit", ...GET_ORDER, jwt: true, policy: { routes: chainPolicy(false).routes }, floor: FLOOR },
  { name: "ablation: the route public (no claims read, no limit)", ...GET_ORDER, jwt: true, policy: { routes: [{ name: "read-order", path: "/api/users/{userId}/orders/{orderId}", methods: ["GET"], public: true }] }, floor: FLOOR },
  { name: postFloor(1), ...postRequest(1), wasm: NOOP, policy: {} }, post(1, false), post(1, true),
  { name: postFloor(16), ...postRequest(16), wasm: NOOP, policy: {} }, post(16, false), post(16, true),
  ...onBody("text (posts)", "/api/users/alice/posts", "application/json", postsBody(16 * 1024), postsPolicy(), "jwt_authn + meshguard, with their schema"),
  ...onBody("form", "/api/users/alice/notes", "application/x-www-form-urlencoded", formBody(16 * 1024), formsPolicy()),
  ...onBody("multipart", "/api/users/alice/notes", `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`, multipartBody(16 * 1024), formsPolicy()),
  // meshguard alone, without jwt_authn (the figures of earlier issues).
  { name: "no-op wasm filter", path: "/public/x", headers: [], wasm: NOOP, policy: {} },
  { name: "meshguard: public route", path: "/public/x", headers: [], policy: { routes, api_keys: apiKeys }, floor: "no-op wasm filter" },
  { name: "meshguard: API key + route template", path: "/api/users/7/orders/9", headers: [`x-api-key: ${KEY}`], policy: { routes, api_keys: apiKeys }, floor: "no-op wasm filter" },
  {
    name: "meshguard: public route + 2 detectors", path: "/public/x", headers: [], floor: "no-op wasm filter",
    policy: {
      routes: [{ name: "public", path: "/public/{id}", public: true }],
      monitoring: { detectors: [
        { name: "guess", kind: "refusal_burst", identity: "client_ip", groups: ["credentials"], window_seconds: 60, threshold: 10, action: "quarantine" },
        { name: "scrape", kind: "enumeration", identity: "client_ip", route: "public", param: "id", window_seconds: 10, threshold: 1000, action: "quarantine" },
      ] },
    },
  },
  {
    name: "meshguard: API key + template + rate limit", path: "/api/users/7/orders/9", headers: [`x-api-key: ${KEY}`], floor: "no-op wasm filter",
    policy: { routes, api_keys: apiKeys, rate_limits: { limits: [{ name: "bench", capacity: 1e9, refill: { tokens: 1e9, seconds: 1 }, key: ["api_client"] }] } },
  },
];
// What each host call costs in Envoy: the no-op filter making only that call, per request.
if (process.env.BENCH_HOST_CALLS === "1") {
  const wasm = resolve(import.meta.dirname, "..", "build", "host-call.wasm");   // built by build.sh
  for (const call of ["headers", "metadata", "peer_san", "clock", "counter", "replace_header", "shared_data", "compute"]) {
    SCENARIOS.push({ name: `host call: no-op filter + ${call}`, ...GET_ORDER, jwt: true, wasm, policy: { call }, floor: FLOOR });
  }
}

if (ONLY) SCENARIOS = SCENARIOS.filter((s) => s.role || ONLY.test(s.name) || SCENARIOS.some((x) => x.floor === s.name && ONLY.test(x.name)));

// BENCH_COMPARE_WASM=<another build of meshguard>[,<label>=<build>...]: their meshguard scenarios
// run too, in the same rounds, each right beside this build's, which goes first in every other
// round: so a change is compared with the build before it on the same machine state, and neither
// build always runs in the same place (on this VM a scenario right after the no-op filter's reads
// higher, whichever build it is).
const COMPARE = (process.env.BENCH_COMPARE_WASM ?? "").split(",").filter((x) => x).map((x) => (x.includes("=") ? x.split("=") : ["compared build", x]) as [string, string]);
SCENARIOS = SCENARIOS.flatMap((sc) => [sc, ...(sc.wasm === undefined ? COMPARE.map(([label, wasm]) => ({ ...sc, name: `${sc.name} [${label}]`, wasm, twin: true })) : [])]);

// The scenarios in the order of a round: in odd rounds each group of twins is rotated by one.
function roundOrder(round: number): Scenario[] {
  const out: Scenario[] = [];
  for (let i = 0; i < SCENARIOS.length; ) {
    let j = i + 1;
    while (j < SCENARIOS.length && SCENARIOS[j].twin) j++;
    const group = SCENARIOS.slice(i, j);
    out.push(...(round % 2 === 1 && group.length > 1 ? [...group.slice(1), group[0]] : group));
    i = j;
  }
  return out;
}

// --- measuring ---
interface Sample { rps: number; p50: number; p99: number; non2xx: number; requests: number; cpuMicros: number }

// CPU time (user + system) the Envoy process has used, in microseconds (proc(5): fields 14, 15).
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

let noisyWaits = 0;

const luaDir = mkdtempSync(join(tmpdir(), "meshguard-bench-"));
function luaFor(sc: Scenario): string[] {
  if (sc.method !== "POST") return [];
  const file = join(luaDir, `${createHash("sha256").update(sc.name).digest("hex").slice(0, 8)}.lua`);
  writeFileSync(file, `wrk.method = "POST"\nwrk.body = [==[${sc.body}]==]\n`);
  return ["-s", file];
}

// Async: the echo upstream lives in this process and must keep answering while wrk runs.
async function wrk(port: number, sc: Scenario, pid: number): Promise<Sample> {
  const cpuBefore = cpuMicros(pid);
  const args = ["-c", "0", "wrk", "-t1", `-c${CONNECTIONS}`, `-d${SECONDS}s`, "--latency", ...luaFor(sc), ...sc.headers.flatMap((h) => ["-H", h]), `http://127.0.0.1:${port}${sc.path}`];
  const { stdout: out } = await promisify(execFile)("taskset", args, { encoding: "utf8", maxBuffer: 1 << 24 });
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

const range = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

const pki = createPki();
const upstream = await startUpstream({ record: false });
const samples = new Map<string, Sample[]>();
try {
  console.log(`Envoy load benchmark on ${cpus()[0]?.model ?? "unknown"}, ${cpus().length} cores: Envoy (1 worker) on core 1, wrk -t1 -c${CONNECTIONS} on core 0, ${SECONDS} s x ${ROUNDS} rounds, interleaved`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const sc of roundOrder(round)) {
      const config = envoyConfig({
        wasmPath: sc.wasm ?? WASM, pluginConfig: sc.policy ?? {}, upstreamPort: upstream.port, pki, tls: false, withoutMeshguard: sc.wasm === null,
        jwtProviders: sc.jwt ? [{ name: "bench", issuer: ISSUER, audiences: ["bench"], jwks: issuer.jwks }] : undefined,
        nativeFilters: sc.native ? nativeChain(sc.native) : undefined,
      });
      const envoy = await startEnvoy(config, { concurrency: 1, cpus: "1", logLevel: "warn" });
      try {
        if (!(await waitForQuiet(1000))) noisyWaits++;
        const s = await wrk(envoy.listenerPort, sc, envoy.pid!);
        if (s.non2xx > 0) throw new Error(`${sc.name}: ${s.non2xx} responses were not 2xx`);
        samples.set(sc.name, [...(samples.get(sc.name) ?? []), s]);
      } finally {
        await envoy.stop();
      }
    }
    process.stderr.write(`round ${round + 1} of ${ROUNDS} done\n`);
  }
} finally {
  await upstream.close();
}

// Envoy's CPU per request: robust to which core is the bottleneck (the echo upstream and wrk share
// the machine), so it is the figure to compare; throughput and latency are shown beside it.
const cpuOf = (s: Sample) => s.cpuMicros / s.requests;
const of = (role: Scenario["role"]) => samples.get(SCENARIOS.find((s) => s.role === role)!.name)!;
const baseCpu = median(of("baseline").map(cpuOf));
const nativeRps = median(of("native").map((s) => s.rps));
const floorCpu = (sc: Scenario) => { const f = sc.floor ? samples.get(sc.floor) : undefined; return f ? median(f.map(cpuOf)) : NaN; };
const rows = SCENARIOS.map((sc) => {
  const xs = samples.get(sc.name)!;
  const cpu = median(xs.map(cpuOf));
  const rps = median(xs.map((s) => s.rps));
  return {
    scenario: sc.name,
    "Envoy CPU µs/req": +cpu.toFixed(1), "min–max": range(xs.map(cpuOf), 1),
    "above Envoy alone": +(cpu - baseCpu).toFixed(1), "above the wasm floor": sc.floor ? +(cpu - floorCpu(sc)).toFixed(1) : "",
    "req/s": Math.round(rps), "req/s vs native chain": +(rps / nativeRps).toFixed(2), "ratio min–max": range(xs.map((s) => s.rps / nativeRps), 2),
    "p50 ms": +median(xs.map((s) => s.p50)).toFixed(3), "p99 ms": +median(xs.map((s) => s.p99)).toFixed(3),
  };
});
console.table(rows);
if (noisyWaits) console.log(`note: ${noisyWaits} samples started after 30 s without a quiet machine (busy share ≥ ${QUIET_BUSY})`);
writeFileSync(resolve(import.meta.dirname, "..", "build", "bench-envoy.json"), JSON.stringify({ machine: cpus()[0]?.model, cores: cpus().length, rounds: ROUNDS, seconds: SECONDS, rows }, null, 2));
