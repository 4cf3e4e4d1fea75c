// Where a request's time goes inside meshguard, in a real Envoy: the wall time of each callback,
// measured in the VM by the host's clock (bench/guest-time.ts, built by build.sh), under wrk load,
// for issue #14's GET and POST chains; and, in a separate run, what each of meshguard's GET host
// calls costs when made alone (bench/guest-time-probe.ts). Envoy's CPU per request
// (npm run bench:envoy) is the figure that counts; this one says which part of it is meshguard's
// own and which part its host calls, to a tenth of a microsecond where the CPU figure moves by ten.
// Run: npm run bench:guest. BENCH_ROUNDS (3), BENCH_SECONDS (10), BENCH_ONLY=<regex> of names,
// BENCH_COMPARE_WASM=<label>=<a guest-time.wasm of another build>[,...]: interleaved in the same rounds.
//
// Same set-up as bench/envoy-load.ts: one Envoy worker pinned to core 1, wrk on core 0, plaintext,
// jwt_authn verifying an RS256 token, the echo upstream in this process, a quiet machine waited for.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { cpus, tmpdir } from "node:os";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { envoyConfig } from "../tools/envoy/config.ts";
import { createIssuer } from "../tools/envoy/jwt.ts";
import { startEnvoy } from "../tools/envoy/process.ts";
import { createPki } from "../tools/envoy/pki.ts";
import { startUpstream } from "../tools/envoy/upstream.ts";
import { chainPolicy, orderBody, postsBody, postsPolicy } from "./bodies.ts";
import { ensureWrk, median, waitForQuiet } from "./quiet.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;
const BUILD = resolve(import.meta.dirname, "..", "build");
const BUILDS: [string, string][] = [["this build", join(BUILD, "guest-time.wasm")],
  ...(process.env.BENCH_COMPARE_WASM ?? "").split(",").filter((x) => x).map((x) => x.split("=") as [string, string])];
ensureWrk();

const ISSUER = "https://issuer.bench.meshguard.test";
const issuer = createIssuer(ISSUER, "RS256");
const BEARER = `authorization: Bearer ${issuer.token({ sub: "alice", roles: ["reader"], aud: "bench" }, { expiresIn: 24 * 3600 })}`;
interface Scenario { name: string; path: string; body?: string; schema: boolean; probe?: boolean; policy?: object }
let SCENARIOS: Scenario[] = [
  { name: "GET (route, role, userId == sub, a limit)", path: "/api/users/alice/orders/9", schema: false },
  { name: "POST 1 KB JSON, no schema", path: "/api/users/alice/orders", body: orderBody(1024), schema: false },
  { name: "POST 1 KB JSON, with the schema", path: "/api/users/alice/orders", body: orderBody(1024), schema: true },
  { name: "POST 16 KB JSON, no schema", path: "/api/users/alice/orders", body: orderBody(16 * 1024), schema: false },
  { name: "POST 16 KB JSON, with the schema", path: "/api/users/alice/orders", body: orderBody(16 * 1024), schema: true },
  // A text-heavy body (bench/bodies.ts postsBody) beside the order documents, as in bench:envoy.
  { name: "POST 16 KB text (posts), with their schema", path: "/api/users/alice/posts", body: postsBody(16 * 1024), schema: true, policy: postsPolicy() },
  { name: "GET, each host call alone first (probe)", path: "/api/users/alice/orders/9", schema: false, probe: true },
];
if (ONLY) SCENARIOS = SCENARIOS.filter((s) => ONLY.test(s.name));

const luaDir = mkdtempSync(join(tmpdir(), "meshguard-guest-"));
type Report = { streams: number; ns: Record<string, number>; probe_ns: Record<string, number | null>; claim_bytes?: string };

async function sample(sc: Scenario, wasm: string): Promise<Report[]> {
  const pki = createPki();
  const upstream = await startUpstream({ record: false });
  const config = envoyConfig({ wasmPath: sc.probe ? wasm.replace(/guest-time\.wasm$/, "guest-time-probe.wasm") : wasm, pluginConfig: sc.policy ?? chainPolicy(sc.schema),
    upstreamPort: upstream.port, pki, tls: false, jwtProviders: [{ name: "bench", issuer: ISSUER, audiences: ["bench"], jwks: issuer.jwks }] });
  const envoy = await startEnvoy(config, { concurrency: 1, cpus: "1", logLevel: "warn" });
  try {
    const lua = sc.body ? join(luaDir, `${sc.body.length}.lua`) : null;
    if (lua) writeFileSync(lua, `wrk.method = "POST"\nwrk.body = [==[${sc.body}]==]\n`);
    const args = ["-c", "0", "wrk", "-t1", "-c16", `-d${SECONDS}s`, "-H", BEARER, ...(lua ? ["-s", lua, "-H", "content-type: application/json"] : []),
      `http://127.0.0.1:${envoy.listenerPort}${sc.path}`];
    const out = (await promisify(execFile)("taskset", args, { encoding: "utf8" })).stdout;
    if (/Non-2xx|Socket errors/.test(out)) throw new Error(`${sc.name}: wrk saw refusals or errors:\n${out}`);
  } finally { await envoy.stop(); await upstream.close(); }
  const reports = envoy.log().split("\n").filter((l) => l.includes("meshguard-guest-time ")).map((l) => JSON.parse(l.slice(l.indexOf("{"))) as Report);
  if (reports.length < 2) throw new Error(`${sc.name}: fewer than two reports in Envoy's log (is build/guest-time.wasm built?)`);
  return reports.slice(1);   // the first window includes the VM's warm-up
}

console.log(`Guest time in Envoy on ${cpus()[0]?.model ?? "unknown"}, ${cpus().length} cores: Envoy (1 worker) on core 1, wrk -t1 -c16 on core 0, ${SECONDS} s x ${ROUNDS} rounds, interleaved`);
const windows = new Map<string, Report[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const sc of SCENARIOS) for (const [label, wasm] of BUILDS) {
    await waitForQuiet(1000);
    const key = `${sc.name} [${label}]`;
    windows.set(key, [...(windows.get(key) ?? []), ...(await sample(sc, wasm))]);
    process.stderr.write(".");
  }
}
process.stderr.write("\n");
// Medians over every 2,000-stream window of every round, in µs per stream.
const µs = (rs: Report[], f: (r: Report) => number) => +(median(rs.map(f)) / 1000).toFixed(2);
const rows: Record<string, unknown>[] = [];
for (const [key, rs] of windows) {
  const ns = rs[0].ns;
  const row: Record<string, unknown> = { scenario: key, windows: rs.length };
  for (const name of Object.keys(ns)) if (name !== "body_calls" && name !== "clock_pair") row[name] = µs(rs, (r) => r.ns[name]);
  row["all callbacks"] = µs(rs, (r) => Object.entries(r.ns).filter(([k]) => k !== "body_calls" && k !== "clock_pair").reduce((a, [, v]) => a + v, 0));
  row["body calls"] = +median(rs.map((r) => r.ns.body_calls)).toFixed(2);
  rows.push(row);
  if (rs[0].probe_ns.header_pairs !== null) {
    const clock = median(rs.map((r) => r.ns.clock_pair));
    console.log(`${key}: each host call alone, µs (the clock pair around it, ${(clock / 1000).toFixed(2)} µs, taken off):`);
    console.table(Object.fromEntries(Object.keys(rs[0].probe_ns).map((k) => [k, +((median(rs.map((r) => r.probe_ns[k]!)) - clock) / 1000).toFixed(2)])));
    // The two claims read by path: Envoy's status and the first bytes it returned.
    if (rs[0].claim_bytes) console.log(`claims by path (sub, roles: status:hex): ${rs[0].claim_bytes}`);
  }
}
console.log("Per stream, µs of wall time inside meshguard's callbacks (host calls included), medians of 2,000-stream windows:");
console.table(rows);
