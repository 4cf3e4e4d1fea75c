// The local mesh demo: a real Envoy with meshguard and the default policy in front of an echo
// service, over mutual TLS, and curl commands that show an allowed and a refused call.
//   npm run demo                 runs until Ctrl-C
//   npm run demo -- --self-test  runs the printed commands itself, checks them, and exits
// Ports: MESHGUARD_DEMO_PORT (default 10000) and MESHGUARD_DEMO_ADMIN_PORT (default 9901).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { envoyConfig } from "../test/harness/envoy-config.ts";
import { startEnvoy } from "../test/harness/envoy.ts";
import { createPki } from "../test/harness/pki.ts";
import { startUpstream } from "../test/harness/upstream.ts";

const ROOT = resolve(import.meta.dirname, "..");
const PORT = Number(process.env.MESHGUARD_DEMO_PORT ?? 10000);
const ADMIN = Number(process.env.MESHGUARD_DEMO_ADMIN_PORT ?? 9901);
const policy = JSON.parse(readFileSync(join(ROOT, "envoy", "default-policy.json"), "utf8"));

// Certificates in a folder of the project, so the printed commands stay valid while it runs.
const demoDir = join(ROOT, ".demo");
rmSync(demoDir, { recursive: true, force: true });
mkdirSync(demoDir, { recursive: true });
const made = createPki("demo.mesh");
const frontend = made.issue("frontend", ["spiffe://demo.mesh/ns/shop/sa/frontend"]);
const intruder = made.issue("intruder", ["spiffe://demo.mesh/ns/dev/sa/scraper"]);
cpSync(made.dir, join(demoDir, "pki"), { recursive: true });
const at = (p: string) => join(demoDir, "pki", p.split("/").pop()!);
const rel = (p: string) => `.demo/pki/${p.split("/").pop()}`;

const upstream = await startUpstream();
// Permissive like Istio's PERMISSIVE mode: a client without a certificate completes the TLS
// handshake, and meshguard refuses it where a route needs an identity.
const envoy = await startEnvoy(envoyConfig({
  wasmPath: join(ROOT, "build", "meshguard.wasm"), pluginConfig: policy, upstreamPort: upstream.port,
  pki: { ca: { cert: at(made.ca.cert), key: at(made.ca.key) }, server: { cert: at(made.server.cert), key: at(made.server.key) } },
  listenerPort: PORT, adminPort: ADMIN, requireClientCertificate: false,
}));

const port = envoy.listenerPort;
const curl = (cert: { cert: string; key: string } | null, path: string, extra: string[] = []) => [
  "curl", "-sS", "--cacert", rel(made.ca.cert), ...(cert ? ["--cert", rel(cert.cert), "--key", rel(cert.key)] : []), ...extra,
  `https://localhost:${port}${path}`,
];
const shown: { what: string; cmd: string[]; expect: number }[] = [
  { what: "allowed: shop/frontend may read orders (the echo shows x-meshguard-peer-id)", cmd: curl(frontend, "/api/orders/42"), expect: 200 },
  { what: "refused: shop/frontend may not call the admin API (403)", cmd: curl(frontend, "/api/admin/users"), expect: 403 },
  { what: "refused: dev/scraper is not in the shop namespace (403)", cmd: curl(intruder, "/api/orders/42"), expect: 403 },
  { what: "refused: no client certificate (401)", cmd: curl(null, "/api/orders/42"), expect: 401 },
  { what: "refused: an undeclared route (404, a shadow API)", cmd: curl(frontend, "/debug/vars"), expect: 404 },
  { what: "spoofing: a forged identity header is overwritten", cmd: curl(frontend, "/api/orders/1", ["-H", "x-meshguard-peer-id: spiffe://demo.mesh/ns/ops/sa/admin"]), expect: 200 },
];
const quote = (a: string) => (/^[\w.\/:=-]+$/.test(a) ? a : `'${a}'`);

console.log(`\nmeshguard demo: Envoy on https://localhost:${port} (admin ${envoy.adminUrl}), echo upstream on 127.0.0.1:${upstream.port}`);
console.log(`policy: envoy/default-policy.json\n\nTry, from ${ROOT}:\n`);
for (const s of shown) console.log(`# ${s.what}\n${s.cmd.map(quote).join(" ")}\n`);
console.log(`# meshguard's counters in Envoy's stats\ncurl -s '${envoy.adminUrl}/stats?filter=meshguard'\n`);

const shutdown = async () => { await envoy.stop(); await upstream.close(); };

if (process.argv.includes("--self-test")) {
  let failed = 0;
  for (const s of shown) {
    // Async: the echo upstream lives in this process and must keep answering.
    const { stdout } = await promisify(execFile)(s.cmd[0], [...s.cmd.slice(1, -1), "-o", "/dev/null", "-w", "%{http_code}", s.cmd[s.cmd.length - 1]], { cwd: ROOT, encoding: "utf8" });
    const status = Number(stdout);
    const ok = status === s.expect;
    if (!ok) failed++;
    console.log(`${ok ? "ok  " : "FAIL"} ${status} ${s.what}`);
  }
  await shutdown();
  process.exit(failed === 0 ? 0 : 1);
} else {
  console.log("Ctrl-C stops Envoy and the upstream.");
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => { shutdown().then(() => process.exit(0)); });
}
