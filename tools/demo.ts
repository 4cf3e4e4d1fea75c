// The main job: the local mesh, live in a browser. A real Envoy (two workers, mutual TLS,
// jwt_authn, meshguard with envoy/default-policy.json and its detectors) in front of a small shop
// service, legitimate traffic from services, users and a partner, and a dashboard on 127.0.0.1
// whose buttons start attacks (tools/demo/attacks.ts).
//   npm run demo                 runs until Ctrl-C, then tears everything down
//   npm run demo -- --self-test  drives the page in headless Chromium, checks it, and exits
//                                [--warmup <s> --gap <s>: pauses, for the README's screenshot]
// Ports: MESHGUARD_DEMO_PORT (dashboard, default 4040), MESHGUARD_DEMO_ENVOY_PORT (default 10000),
// MESHGUARD_DEMO_ADMIN_PORT (default 9901); 0 picks free ones.
import { join, resolve } from "node:path";
import { writeFileSync } from "node:fs";
import { startDashboard } from "./dashboard/server.ts";
import { envoyLines } from "./dashboard/sources.ts";
import { startScene } from "./demo/scene.ts";
import { selfTest } from "./demo/self-test.ts";

const ROOT = resolve(import.meta.dirname, "..");
const port = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const selfTesting = process.argv.includes("--self-test");
const started = Date.now();

const scene = await startScene({ listenerPort: port("MESHGUARD_DEMO_ENVOY_PORT", 10000), adminPort: port("MESHGUARD_DEMO_ADMIN_PORT", 9901) });
let dashboard;
try {
  dashboard = await startDashboard({ adminUrl: scene.envoy.adminUrl, events: envoyLines(scene.envoy), policy: scene.policy, scene, port: port("MESHGUARD_DEMO_PORT", 4040) });
} catch (e) { await scene.stop(); throw e; }
scene.watch(dashboard.model);
const shutdown = async () => { await dashboard.close(); await scene.stop(); };

console.log(`\nmeshguard demo: the dashboard is live at ${dashboard.url}  (${Date.now() - started} ms after start)`);
console.log(`  Envoy (mTLS, jwt_authn, meshguard, 2 workers): https://localhost:${scene.envoy.listenerPort}, admin ${scene.envoy.adminUrl}`);
console.log(`  policy: envoy/default-policy.json; legitimate traffic is flowing; the page's buttons start attacks.`);
console.log(`  by hand, as the frontend service:\n    curl --cacert ${scene.pki.ca.cert} --cert ${scene.certs.frontend.cert} --key ${scene.certs.frontend.key} https://localhost:${scene.envoy.listenerPort}/api/orders/7`);

if (selfTesting) {
  const screenshot = join(ROOT, "build", "dashboard.png");
  let code = 1;
  try {
    const seconds = (flag: string) => { const i = process.argv.indexOf(flag); return i > 0 ? Number(process.argv[i + 1]) * 1000 : 0; };
    const report = await selfTest(scene, dashboard.url, screenshot, (s) => console.log(`  ${s}`), { warmupMs: seconds("--warmup"), gapMs: seconds("--gap") });
    writeFileSync(join(ROOT, "build", "demo-self-test.json"), JSON.stringify(report, null, 2));
    console.table(report.attacks.map((a) => ({ attack: a.attack, "anomaly on page (ms)": a.ms_to_anomaly_on_page, "quarantine on page (ms)": a.ms_to_quarantine_on_page, "quarantined at request": a.quarantined_at_request, "reached service": a.reached_service })));
    console.log(`legitimate traffic served: ${report.legit_rate_on_page} on the page, ${(report.legit_served * 100).toFixed(2)}% counted by the callers; screenshot ${screenshot}`);
    for (const f of report.failures) console.log(`FAIL ${f}`);
    code = report.failures.length === 0 ? 0 : 1;
    console.log(code === 0 ? "self-test passed" : "self-test FAILED");
  } finally {
    await shutdown();
  }
  process.exit(code);
} else {
  console.log("Ctrl-C stops everything.");
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => { shutdown().then(() => process.exit(0)); });
}
