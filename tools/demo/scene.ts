// The demo's scene: a real Envoy (two workers, mutual TLS, jwt_authn, meshguard with the default
// policy and its detectors) in front of the shop service, the legitimate traffic, and the attacks
// the page starts. Started by tools/demo.ts and by the dashboard's browser test.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { envoyConfig } from "../envoy/config.ts";
import { createIssuer } from "../envoy/jwt.ts";
import { type CertFiles, createPki, type Pki } from "../envoy/pki.ts";
import { type RunningEnvoy, startEnvoy } from "../envoy/process.ts";
import type { Scene } from "../dashboard/server.ts";
import type { DashboardModel } from "../dashboard/model.ts";
import { FIELD_EVENT, FIELD_IDENTITY, FIELD_IDENTITY_KIND, EVENT_ANOMALY } from "../../assembly/reply/event-fields.ts";
import { ATTACKS, type AttackRun, PARTNER_KEY, runAttack } from "./attacks.ts";
import { type Caller, makeCaller } from "./client.ts";
import { type ShopService, startShopService } from "./service.ts";
import { type LegitCaller, Traffic } from "./traffic.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
export const DEFAULT_POLICY_PATH = join(ROOT, "envoy", "default-policy.json");
const ISSUER = "https://login.demo.mesh";
const AUDIENCE = "shop";

export interface DemoScene extends Scene {
  envoy: RunningEnvoy;
  service: ShopService;
  traffic: Traffic;
  pki: Pki;
  certs: Record<"frontend" | "checkout" | "admin", CertFiles>;   // the mesh services' client certificates
  policy: unknown;
  runs: AttackRun[];
  token(claims: { sub: string; roles?: string[]; scope?: string }): string;
  watch(model: DashboardModel): void;    // links anomaly events to the attack that caused them
  stop(): Promise<void>;
}

export async function startScene(o: { wasmPath?: string; listenerPort?: number; adminPort?: number; policyPath?: string } = {}): Promise<DemoScene> {
  const policy = JSON.parse(readFileSync(o.policyPath ?? DEFAULT_POLICY_PATH, "utf8")) as unknown;
  const pki = createPki("demo.mesh");
  const certs = {
    frontend: pki.issue("frontend", ["spiffe://demo.mesh/ns/shop/sa/frontend"]),
    checkout: pki.issue("checkout", ["spiffe://demo.mesh/ns/shop/sa/checkout"]),
    admin: pki.issue("admin", ["spiffe://demo.mesh/ns/ops/sa/admin"]),
  };
  const issuer = createIssuer(ISSUER, "RS256");
  const token = (c: { sub: string; roles?: string[]; scope?: string }) => issuer.token({ aud: AUDIENCE, ...c }, { expiresIn: 24 * 3600 });
  const service = await startShopService();
  let envoy: RunningEnvoy;
  try {
    envoy = await startEnvoy(envoyConfig({
      wasmPath: o.wasmPath ?? join(ROOT, "build", "meshguard.wasm"), pluginConfig: policy, upstreamPort: service.port, pki,
      listenerPort: o.listenerPort ?? 0, adminPort: o.adminPort ?? 0, requireClientCertificate: false, balanceConnections: true,
      jwtProviders: [{ name: "demo", issuer: ISSUER, audiences: [AUDIENCE], jwks: issuer.jwks }],
    }), { concurrency: 2 });
  } catch (e) { await service.close(); throw e; }

  const port = envoy.listenerPort;
  const ca = pki.ca.cert;
  const callers: Caller[] = [];
  const caller = (name: string, x: Parameters<typeof makeCaller>[3] = {}) => { const c = makeCaller(port, ca, name, x); callers.push(c); return c; };
  const bearer = (sub: string) => ({ authorization: `Bearer ${token({ sub, scope: "orders:read profile" })}` });
  const user = (sub: string, address: string): LegitCaller => ({
    caller: caller(sub, { address, headers: bearer(sub) }), who: `user ${sub} (signed in)`, everyMs: 1200,
    next: (i) => (i % 5 === 4
      ? { method: "POST", path: `/users/${sub}/orders`, headers: { "content-type": "application/json" }, body: JSON.stringify({ sku: `ABC-00${1 + (i % 9)}`, qty: 1 + (i % 3) }) }
      : { method: "GET", path: `/users/${sub}/orders/${1 + (i % 4)}` }),
  });
  const traffic = new Traffic([
    { caller: caller("frontend", { cert: certs.frontend }), who: "service shop/frontend (mTLS)", everyMs: 500, next: (i) => ({ method: "GET", path: `/api/orders/${100 + (i % 50)}` }) },
    { caller: caller("checkout", { cert: certs.checkout }), who: "service shop/checkout (mTLS)", everyMs: 800, next: (i) => ({ method: "GET", path: `/api/orders/${200 + (i % 30)}` }) },
    { caller: caller("ops-admin", { cert: certs.admin }), who: "service ops/admin (mTLS)", everyMs: 3000, next: () => ({ method: "GET", path: "/api/admin/users" }) },
    user("alice", "10.0.1.11"), user("bob", "10.0.1.12"), user("carol", "10.0.1.13"),
    { caller: caller("shopper", { address: "10.0.2.20" }), who: "anonymous shopper", everyMs: 700, next: (i) => ({ method: "GET", path: `/api/catalog/items/${1 + (i % 12)}` }) },
    { caller: caller("partner", { address: "10.0.3.5", headers: { "x-api-key": PARTNER_KEY } }), who: "API client partner", everyMs: 1500, next: () => ({ method: "GET", path: "/api/reports" }) },
  ]);
  traffic.start();

  const runs: AttackRun[] = [];
  const kit = {
    caller: (name: string, x: { user?: { sub: string; roles?: string[]; scope?: string }; address?: string; headers?: Record<string, string> }) =>
      makeCaller(port, ca, name, { address: x.address, headers: { ...x.headers, ...(x.user ? { authorization: `Bearer ${token(x.user)}` } : {}) } }),
    reached: (name: string) => service.reached(name),
  };
  const pending = new Set<Promise<void>>();
  const finished = new Set<AttackRun>();

  const scene: DemoScene = {
    envoy, service, traffic, pki, certs, policy, runs, token,
    state: () => ({
      legit: traffic.summary(),
      service: { reached: service.total },
      attacks: ATTACKS.map((a) => ({ id: a.id, title: a.title, story: a.story, detector: a.detector })),
      runs: runs.slice(-12).reverse(),
    }),
    attack: (id) => {
      const spec = ATTACKS.find((a) => a.id === id);
      if (!spec) return { ok: false, error: `no attack ${id}` };
      if (runs.some((r) => r.id === id && !finished.has(r))) return { ok: false, error: `${spec.title} is still running` };
      const n = runs.filter((r) => r.id === id).length + 1;
      const plan = spec.plan(n, kit);
      const run: AttackRun = {
        id, title: spec.title, detector: spec.detector, run: n, identity: plan.identity, state: "running", started_ms: Date.now(),
        sent: 0, statuses: {}, reached_service: 0, detected: null, quarantined: null, legit_served_during: null, done: false,
      };
      runs.push(run);
      const before = traffic.summary();
      const p = runAttack(spec, plan, run, kit).catch(() => { run.state = "gave up"; }).finally(() => {
        finished.add(run);
        const after = traffic.summary();
        const sent = after.sent - before.sent;
        run.legit_served_during = sent > 0 ? (after.served - before.served) / sent : null;
        run.done = true;
        pending.delete(p);
      });
      pending.add(p);
      return { ok: true, run };
    },
    watch: (model) => model.onEvent((e) => {
      if (e[FIELD_EVENT] !== EVENT_ANOMALY) return;
      for (const r of runs) {
        if (!r.detected && r.identity.kind === e[FIELD_IDENTITY_KIND] && r.identity.value === e[FIELD_IDENTITY] && !finished.has(r)) {
          r.detected = { requests: r.sent, ms: Date.now() - r.started_ms };
        }
      }
    }),
    stop: async () => {
      await traffic.stop();
      await Promise.allSettled([...pending]);
      for (const c of callers) c.close();
      await envoy.stop();
      await service.close();
    },
  };
  return scene;
}
