// The false-positive run (issue #11): legitimate traffic through a real Envoy with two workers and
// the attack policy's detectors (test/cases/monitor.ts), for SOAK_MINUTES (default 10): 40 users
// reading their own orders at their own pace with bursts and retries, a few honest mistakes
// (a typo in a path, a malformed body now and then), and a batch job (the partner's API client)
// that doubles its pace every two minutes. Reports requests, statuses, anomalies and quarantines;
// exit 1 if anything was quarantined. Run: npm run soak
import { ATTACK_POLICY, PARTNER_KEY } from "../test/cases/monitor.ts";
import { call, keepAliveAgent } from "../test/harness/client.ts";
import { startMesh } from "../test/harness/fixture.ts";
import { createIssuer } from "../tools/envoy/jwt.ts";

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const ISSUER = "https://issuer.monitor.meshguard.test";
const issuer = createIssuer(ISSUER, "RS256");
const mesh = await startMesh(ATTACK_POLICY, { requireClientCertificate: false, jwtProviders: [{ name: "rs", issuer: ISSUER, audiences: ["orders-api"], jwks: issuer.jwks }] }, { concurrency: 2 });
const statuses = new Map<number, number>();
const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
const stopAt = Date.now() + MINUTES * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rnd = (n: number) => Math.floor(Math.random() * n);
const ca = mesh.pki.ca.cert;
const port = mesh.envoy.listenerPort;

async function user(n: number): Promise<void> {
  const sub = `user${n}`;
  const auth = { authorization: `Bearer ${issuer.token({ aud: "orders-api", sub })}` };
  const agent = keepAliveAgent();
  const orders = Array.from({ length: 3 + rnd(8) }, (_, i) => i + 1);   // her own few orders
  while (Date.now() < stopAt) {
    const burst = rnd(10) === 0 ? 10 + rnd(20) : 1;                     // now and then a page of reads
    for (let i = 0; i < burst; i++) {
      const order = orders[rnd(orders.length)];
      const r = await call(port, { path: `/users/${sub}/orders/${order}`, headers: auth, ca, agent });
      count(r.status);
      if (rnd(20) === 0) count((await call(port, { path: `/users/${sub}/orders/${order}`, headers: auth, ca, agent })).status);   // a retry
    }
    if (rnd(50) === 0) count((await call(port, { path: `/users/${sub}/ordrs/1`, headers: auth, ca, agent })).status);         // a typo
    if (rnd(50) === 0) count((await call(port, { method: "POST", path: "/orders", headers: { ...auth, "content-type": "application/json" }, body: '{"sku":"a"}', ca, agent })).status);
    count((await call(port, { method: "POST", path: "/orders", headers: { ...auth, "content-type": "application/json" }, body: '{"sku":"a","qty":1}', ca, agent })).status);
    await sleep(500 + rnd(4000));
  }
  agent.destroy();
}

async function batchJob(): Promise<void> {
  const agent = keepAliveAgent();
  const start = Date.now();
  while (Date.now() < stopAt) {
    const doubled = Math.floor((Date.now() - start) / 60_000) % 2 === 1;   // every other minute, twice the pace
    count((await call(port, { path: "/reports", headers: { "x-api-key": PARTNER_KEY }, ca, agent })).status);
    await sleep(doubled ? 100 : 200);
  }
  agent.destroy();
}

console.log(`soak: ${MINUTES} min of legitimate traffic, real Envoy (2 workers), detectors of the attack policy`);
const t0 = Date.now();
await Promise.all([...Array.from({ length: 40 }, (_, i) => user(i)), batchJob()]);
const stats = await mesh.envoy.stats("monitor");
const log = mesh.envoy.log();
const anomalies = log.split("\n").filter((l) => l.includes('"event":"anomaly"'));
await mesh.stop();
const total = [...statuses.values()].reduce((a, b) => a + b, 0);
console.log(`requests: ${total} in ${((Date.now() - t0) / 1000).toFixed(0)} s; statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
console.log(`anomalies: ${anomalies.length}; quarantines: ${stats["wasmcustom.meshguard.monitor.quarantines"] ?? 0}`);
for (const a of anomalies.slice(0, 10)) console.log(`  ${a}`);
process.exitCode = (stats["wasmcustom.meshguard.monitor.quarantines"] ?? 0) > 0 ? 1 : 0;
