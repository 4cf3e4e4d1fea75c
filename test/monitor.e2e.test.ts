// Monitoring through a real Envoy with two workers: each attack alternates between two kept-alive
// connections, one on each worker (the listener balances connections exactly, so the second
// opens on the other worker), with real JWTs verified by jwt_authn. The table at the end is the closing note's:
// requests and milliseconds from an attack's start to the anomaly event and to the quarantine, and
// requests that reached the service before the quarantine. The quarantine holds on both workers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ATTACK_POLICY, PARTNER_KEY } from "./cases/monitor";
import { call, keepAliveAgent } from "./harness/client";
import { type Mesh, dumpLogOnFailure, quiesce, startMesh, waitFor } from "./harness/fixture";
import { createIssuer } from "../tools/envoy/jwt";

const ISSUER = "https://issuer.monitor.meshguard.test";
const AUDIENCE = "orders-api";
const issuer = createIssuer(ISSUER, "RS256");
const token = (claims: Record<string, unknown>) => issuer.token({ aud: AUDIENCE, ...claims });

interface Attack { attack: string; requests_to_anomaly: number; ms_to_anomaly: number; requests_to_quarantine: number | null; ms_to_quarantine: number | null; reached_service_before: number }

describe("monitoring (real Envoy, 2 workers, jwt_authn)", () => {
  let mesh: Mesh | undefined;
  const rows: Attack[] = [];
  beforeAll(async () => {
    mesh = await startMesh(ATTACK_POLICY, { requireClientCertificate: false, jwtProviders: [{ name: "rs", issuer: ISSUER, audiences: [AUDIENCE], jwks: issuer.jwks }] }, { concurrency: 2 });
  });
  afterAll(async () => { console.log("\nmonitoring, time to detection:"); console.table(rows); await mesh?.stop(); });
  beforeEach(() => dumpLogOnFailure(() => mesh));

  // Two connections, kept open: requests alternate between them, so between the two workers.
  const agents = [keepAliveAgent(), keepAliveAgent()];
  let turn = 0;
  const agent = () => agents[turn++ % 2];
  afterAll(() => { for (const a of agents) a.destroy(); });
  const get = (path: string, headers: Record<string, string> = {}) => call(mesh!.envoy.listenerPort, { path, headers, ca: mesh!.pki.ca.cert, agent: agent() });
  const post = (path: string, body: string, headers: Record<string, string>) => call(mesh!.envoy.listenerPort, { method: "POST", path, body, headers: { "content-type": "application/json", ...headers }, ca: mesh!.pki.ca.cert, agent: agent() });
  const events = (kind: string, identity: string) => mesh!.envoy.log().split("\n").filter((l) => l.includes(`"event":"${kind}"`) && l.includes(`"identity":"${identity}"`));

  // Whether the detector has fired: its counter, which moves before the reply is sent (a log line
  // may reach us later than the reply).
  const fired = async (detector: string) => ((await mesh!.envoy.stats(`monitor.${detector}.fired`))[`wasmcustom.meshguard.monitor.${detector}.fired`] ?? 0) > 0;

  // Sends requests until the first 429 quarantined (or `max`), counting what happened on the way.
  async function attack(name: string, detector: string, send: (i: number) => Promise<{ status: number; body: string }>, max: number): Promise<Attack> {
    const m = mesh!;
    const reachedBefore = m.upstream.received.length;
    const t0 = performance.now();
    let anomalyAt: [number, number] | null = null;
    let quarantineAt: [number, number] | null = null;
    let reached = 0;
    for (let i = 1; i <= max && quarantineAt === null; i++) {
      const r = await send(i);
      if (r.status === 200) reached++;
      if (anomalyAt === null && await fired(detector)) anomalyAt = [i, performance.now() - t0];
      if (r.status === 429 && JSON.parse(r.body).reason === "quarantined") quarantineAt = [i, performance.now() - t0];
    }
    await quiesce(m);
    const row = {
      attack: name, requests_to_anomaly: anomalyAt?.[0] ?? -1, ms_to_anomaly: Math.round(anomalyAt?.[1] ?? -1),
      requests_to_quarantine: quarantineAt?.[0] ?? null, ms_to_quarantine: quarantineAt ? Math.round(quarantineAt[1]) : null,
      reached_service_before: m.upstream.received.length - reachedBefore,
    };
    expect(reached).toBe(row.reached_service_before);
    rows.push(row);
    return row;
  }

  it("first, legitimate traffic: a user reading her own orders 200 times, on both workers, is never quarantined", async () => {
    const alice = token({ sub: "alice" });
    for (let i = 0; i < 200; i++) expect((await get(`/users/alice/orders/${i % 3}`, { authorization: `Bearer ${alice}` })).status).toBe(200);
    const counters = await mesh!.envoy.stats("monitor");
    expect(Object.entries(counters).filter(([k, v]) => k.endsWith(".fired") && v > 0)).toEqual([]);   // no detector fired
    expect((await mesh!.envoy.stats("monitor"))["wasmcustom.meshguard.monitor.quarantines"] ?? 0).toBe(0);
  });

  it("object enumeration with a stolen support token: quarantined on both workers after the 20th distinct order", async () => {
    const stolen = token({ sub: "mallory", roles: ["support"] });
    const row = await attack("object enumeration (stolen token)", "order-scraping", (i) => get(`/users/u${i}/orders/${i}`, { authorization: `Bearer ${stolen}` }), 40);
    expect(row.requests_to_anomaly).toBe(20);
    expect(row.requests_to_quarantine).toBe(21);            // the request after the one that fired
    expect(row.reached_service_before).toBe(20);            // the scraper got 20 orders, then nothing
    const workers = await mesh!.envoy.stats("downstream_cx_total");
    expect(Object.entries(workers).filter(([k, v]) => /worker_\d+\.downstream_cx_total$/.test(k) && v > 0).length).toBe(2);
    for (let i = 0; i < 6; i++) expect((await get("/users/mallory/orders/1", { authorization: `Bearer ${stolen}` })).status).toBe(429);
    await waitFor("the quarantine_start event in Envoy's log", () => events("quarantine_start", "mallory").length === 1);
  });

  it("undeclared-route probing by a user: quarantined after 10 probes", async () => {
    const prober = token({ sub: "prober" });
    const words = ["admin", "debug", "actuator", "env", ".git", "backup", "internal", "metrics", "graphql", "swagger", "config", "console"];
    const row = await attack("undeclared-route probing", "route-probing", (i) => get(`/${words[(i - 1) % words.length]}`, { authorization: `Bearer ${prober}` }), 30);
    expect(row.requests_to_anomaly).toBe(10);
    expect(row.requests_to_quarantine).toBe(11);
  });

  it("schema fuzzing by a user: quarantined after 10 refused bodies; none reached the service", async () => {
    const fuzzer = token({ sub: "fuzzer" });
    const bodies = ['{"sku":1,"qty":1}', '{"sku":"a","qty":0}', '{"sku":"a"}', '{"sku":"a","qty":1,"x":1}', '{"sku":"aaaaaaaaaaaaaaaaaaaa","qty":1}', '[]', '{"qty":"1","sku":"a"}', 'nul', '{"sku":"a","qty":1.5}', '{}'];
    const row = await attack("schema fuzzing", "schema-fuzzing", (i) => post("/orders", bodies[(i - 1) % bodies.length], { authorization: `Bearer ${fuzzer}` }), 30);
    expect(row.requests_to_anomaly).toBe(10);
    expect(row.requests_to_quarantine).toBe(11);
    expect(row.reached_service_before).toBe(0);
  });

  it("a flood from an API client five times its usual rate: quarantined within the window", async () => {
    const m = mesh!;
    // Three seconds of its usual pace, about 10 requests a second.
    const until = Date.now() + 3_200;
    while (Date.now() < until) { expect((await get("/reports", { "x-api-key": PARTNER_KEY })).status).toBe(200); await new Promise((r) => setTimeout(r, 100)); }
    const row = await attack("flood (API client)", "flood", () => get("/reports", { "x-api-key": PARTNER_KEY }), 400);
    expect(row.requests_to_quarantine).not.toBeNull();
    expect(row.requests_to_anomaly).toBeGreaterThanOrEqual(40);
    await waitFor("the quarantine_start event in Envoy's log", () => events("quarantine_start", "partner").length === 1);
    void m;
  });

  it("API-key guessing from one address: quarantined after 10 wrong keys, even the right key is refused then", async () => {
    const row = await attack("API-key guessing (one address)", "key-guessing", (i) => get("/reports", { "x-api-key": `pk_guess_${i}` }), 30);
    expect(row.requests_to_anomaly).toBe(10);
    expect(row.requests_to_quarantine).toBe(11);
    const r = await get("/reports", { "x-api-key": PARTNER_KEY });
    expect(r.status).toBe(429);
    expect(Number(r.headers["retry-after"])).toBeGreaterThan(0);
    // Every test here comes from 127.0.0.1: from now on the whole address is quarantined (last).
    await waitFor("the counters", async () => ((await mesh!.envoy.stats("monitor"))["wasmcustom.meshguard.monitor.quarantines"] ?? 0) === 5);
  });
});
