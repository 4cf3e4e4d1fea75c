// The local mesh demo: a real Envoy with jwt_authn and meshguard (envoy/default-policy.json) in
// front of an echo service, over mutual TLS, and curl commands that show allowed and refused calls:
// service identity, a user's token and object-level rules, a rate limit.
//   npm run demo                 runs until Ctrl-C
//   npm run demo -- --self-test  runs the printed commands itself, checks them, and exits
// Ports: MESHGUARD_DEMO_PORT (default 10000) and MESHGUARD_DEMO_ADMIN_PORT (default 9901).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { envoyConfig } from "./envoy/config.ts";
import { startEnvoy } from "./envoy/process.ts";
import { createPki } from "./envoy/pki.ts";
import { createIssuer } from "./envoy/jwt.ts";
import { writeFileSync } from "node:fs";
import { startUpstream } from "./envoy/upstream.ts";

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

// A demo identity provider: Envoy's jwt_authn verifies its RS256 tokens against a local JWKS.
const issuer = createIssuer("https://login.demo.mesh", "RS256");
const aliceToken = issuer.token({ sub: "alice", aud: "shop", scope: "orders:read profile" }, { expiresIn: 3600 });
writeFileSync(join(demoDir, "alice.jwt"), aliceToken);

const upstream = await startUpstream();
// Permissive like Istio's PERMISSIVE mode: a client without a certificate completes the TLS
// handshake, and meshguard refuses it where a route needs an identity.
const envoy = await startEnvoy(envoyConfig({
  wasmPath: join(ROOT, "build", "meshguard.wasm"), pluginConfig: policy, upstreamPort: upstream.port,
  pki: { ca: { cert: at(made.ca.cert), key: at(made.ca.key) }, server: { cert: at(made.server.cert), key: at(made.server.key) } },
  listenerPort: PORT, adminPort: ADMIN, requireClientCertificate: false,
  jwtProviders: [{ name: "demo", issuer: issuer.iss, audiences: ["shop"], jwks: issuer.jwks }],
}));
writeFileSync(join(demoDir, "envoy.json"), JSON.stringify(envoy.config, null, 2));

const port = envoy.listenerPort;
const curl = (cert: { cert: string; key: string } | null, path: string, extra: string[] = []) => [
  "curl", "-sS", "--cacert", rel(made.ca.cert), ...(cert ? ["--cert", rel(cert.cert), "--key", rel(cert.key)] : []), ...extra,
  `https://localhost:${port}${path}`,
];
const shown: { what: string; cmd: string[]; expect: number; repeat?: number }[] = [
  { what: "allowed: shop/frontend may read orders (the echo shows x-meshguard-peer-id)", cmd: curl(frontend, "/api/orders/42"), expect: 200 },
  { what: "refused: shop/frontend may not call the admin API (403)", cmd: curl(frontend, "/api/admin/users"), expect: 403 },
  { what: "refused: dev/scraper is not in the shop namespace (403)", cmd: curl(intruder, "/api/orders/42"), expect: 403 },
  { what: "refused: no client certificate (401)", cmd: curl(null, "/api/orders/42"), expect: 401 },
  { what: "refused: an undeclared route (404, a shadow API)", cmd: curl(frontend, "/debug/vars"), expect: 404 },
  { what: "spoofing: a forged identity header is overwritten", cmd: curl(frontend, "/api/orders/1", ["-H", "x-meshguard-peer-id: spiffe://demo.mesh/ns/ops/sa/admin"]), expect: 200 },
  { what: "user: alice reads her own orders (token verified by Envoy's jwt_authn)", cmd: curl(null, "/users/alice/orders/7", ["-H", "authorization: Bearer $(cat .demo/alice.jwt)"]), expect: 200 },
  { what: "user: alice may not read bob's orders (object-level rule, 403)", cmd: curl(null, "/users/bob/orders/7", ["-H", "authorization: Bearer $(cat .demo/alice.jwt)"]), expect: 403 },
  { what: "user: a tampered token is refused by jwt_authn (401)", cmd: curl(null, "/users/alice/orders/7", ["-H", "authorization: Bearer $(cat .demo/alice.jwt)x"]), expect: 401 },
  { what: "rate limit: shop services get 5 calls, then one every 2 s (429 with Retry-After)", cmd: [...curl(frontend, "/api/orders/9", ["-i"])], expect: 429, repeat: 6 },
];
// Arguments with $(...) stay in double quotes so the shell reads the token file.
const quote = (a: string) => (/^[\w.\/:=-]+$/.test(a) ? a : a.includes("$(") ? `"${a}"` : `'${a}'`);

console.log(`\nmeshguard demo: Envoy on https://localhost:${port} (admin ${envoy.adminUrl}), echo upstream on 127.0.0.1:${upstream.port}`);
console.log(`policy: envoy/default-policy.json\n\nTry, from ${ROOT}:\n`);
for (const s of shown) {
  const line = s.cmd.map(quote).join(" ");
  console.log(`# ${s.what}\n${s.repeat ? `for i in $(seq ${s.repeat}); do ${line} | head -1; done` : line}\n`);
}
console.log(`# meshguard's counters in Envoy's stats\ncurl -s '${envoy.adminUrl}/stats?filter=meshguard'\n`);

const shutdown = async () => { await envoy.stop(); await upstream.close(); };

if (process.argv.includes("--self-test")) {
  let failed = 0;
  for (const s of shown) {
    // Async: the echo upstream lives in this process and must keep answering. The shell expands
    // $(cat .demo/alice.jwt) exactly as it would for a reader pasting the command.
    const args = [...s.cmd.slice(1, -1).filter((a) => a !== "-i"), "-o", "/dev/null", "-w", "%{http_code}\\n", s.cmd[s.cmd.length - 1]];
    const line = [s.cmd[0], ...args].map(quote).join(" ");
    const { stdout } = await promisify(execFile)("bash", ["-c", s.repeat ? `for i in $(seq ${s.repeat}); do ${line}; done` : line], { cwd: ROOT, encoding: "utf8" });
    const status = Number(stdout.trim().split("\n").pop());
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
