// The dashboard's own parts, without Envoy: the model that turns counters and log lines into what
// the page shows, the sentences of the feed, a fuzz of the line reader, and the server (assets
// under a content security policy, the snapshot stream, the attack endpoint's guard).
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DashboardModel, eventOf, SERIES_SECONDS } from "../tools/dashboard/model";
import { anomalyWords, paramWords } from "../tools/dashboard/words";
import { type Dashboard, startDashboard } from "../tools/dashboard/server";
import { fileLines, type LineSource } from "../tools/dashboard/sources";
import { LOG_PREFIX } from "../assembly/reply/event-fields";
import { Rng } from "./random";

// A line as Envoy 1.40 writes it with the project's log format.
const envoyLine = (event: Record<string, unknown>) => `[info][wasm] wasm log meshguard meshguard: ${LOG_PREFIX}${JSON.stringify(event)}`;
const POLICY = {
  routes: [{ name: "my-orders" }, { name: "reports" }],
  monitoring: { detectors: [
    { name: "order-scraping", kind: "enumeration", route: "my-orders", param: "orderId" },
    { name: "key-guessing", kind: "refusal_burst", groups: ["credentials"] },
    { name: "flood", kind: "rate_jump", factor: 5 },
  ] },
};
const T0 = 1_800_000_000_000;

describe("the feed's sentences", () => {
  it("an enumeration that quarantines reads as the issue's example", () => {
    const e = { event: "anomaly", detector: "order-scraping", identity_kind: "user", identity: "alice", observed: 40, threshold: 40, window_seconds: 10, action: "quarantine", until_ms: T0 + 60_000, strikes: 1 };
    expect(anomalyWords(e, POLICY.monitoring.detectors[0], T0)).toBe("user alice read 40 different order ids on my-orders in 10 s: quarantined for 60 s");
  });
  it("refusal bursts, rate jumps, alerts, audit mode and repeat strikes", () => {
    const base = { identity_kind: "client_ip", identity: "198.51.100.7", observed: 10, threshold: 10, window_seconds: 60 };
    expect(anomalyWords({ ...base, action: "alert" }, POLICY.monitoring.detectors[1], T0)).toBe("address 198.51.100.7 was refused 10 times in 60 s (credentials): alert");
    expect(anomalyWords({ ...base, identity_kind: "api_client", identity: "reseller", observed: 46, window_seconds: 1, action: "quarantine", until_ms: T0 + 120_000, strikes: 3 }, POLICY.monitoring.detectors[2], T0))
      .toBe("API client reseller sent 46 requests in 1 s, over 5× its usual rate: quarantined for 120 s (strike 3)");
    expect(anomalyWords({ ...base, action: "would_quarantine" }, undefined, T0)).toMatch(/^address 198\.51\.100\.7: 10 in 60 s \(threshold 10\) by detector .*: would be quarantined \(audit mode\)$/);
  });
  it("parameter names in words", () => {
    expect(paramWords("orderId")).toBe("order ids");
    expect(paramWords("item_id")).toBe("item ids");
    expect(paramWords("sku")).toBe("sku values");
  });
});

describe("the model", () => {
  it("reads events from Envoy's log lines and nothing from other lines", () => {
    expect(eventOf(envoyLine({ event: "deny", reason: "not_allowed" }))).toEqual({ event: "deny", reason: "not_allowed" });
    expect(eventOf("[info][main] starting main dispatch loop")).toBeNull();
    expect(eventOf("meshguard: {broken")).toBeNull();
    expect(eventOf("meshguard: [1,2]")).toBeNull();
  });

  it("turns counters into rates per second by reason, and survives an Envoy restart", () => {
    const m = new DashboardModel("http://admin");
    m.stats(T0, { "wasmcustom.meshguard.requests.allowed": 100, "wasmcustom.meshguard.denied.not_allowed": 5 });
    m.stats(T0 + 1000, { "wasmcustom.meshguard.requests.allowed": 120, "wasmcustom.meshguard.denied.not_allowed": 8, "wasmcustom.meshguard.requests.denied": 8 });
    m.stats(T0 + 3000, { "wasmcustom.meshguard.requests.allowed": 4 });     // restarted: counters from zero
    const s = m.snapshot(T0 + 3000);
    expect(s.series.map((p) => p.allowed)).toEqual([20, 2]);
    expect(s.series[0].refused).toEqual({ not_allowed: 3 });
    expect(s.reasons).toEqual([{ code: "not_allowed", status: 403, group: "authorization" }]);
    expect(s.envoy.up).toBe(true);
    for (let i = 0; i < SERIES_SECONDS + 20; i++) m.stats(T0 + 4000 + i * 1000, {});
    expect(m.snapshot(T0 + 4000 + (SERIES_SECONDS + 20) * 1000).series.length).toBeLessThanOrEqual(SERIES_SECONDS + 1);
  });

  it("keeps quarantines with their end, drops them at quarantine_end or when the time is up", () => {
    const m = new DashboardModel("http://admin", POLICY);
    const q = { event: "quarantine_start", detector: "key-guessing", identity_kind: "client_ip", identity: "198.51.100.7", until_ms: T0 + 30_000, strikes: 1 };
    m.line(T0, envoyLine(q));
    m.line(T0, envoyLine({ ...q, identity: "198.51.100.8", until_ms: T0 + 60_000 }));
    expect(m.snapshot(T0 + 1000).quarantined.map((x) => x.identity)).toEqual(["198.51.100.7", "198.51.100.8"]);
    expect(m.snapshot(T0 + 30_000).quarantined.map((x) => x.identity)).toEqual(["198.51.100.8"]);
    m.line(T0 + 31_000, envoyLine({ event: "quarantine_end", identity_kind: "client_ip", identity: "198.51.100.8" }));
    const s = m.snapshot(T0 + 31_000);
    expect(s.quarantined).toEqual([]);
    expect(s.feed.map((f) => f.kind)).toEqual(["release", "quarantine", "quarantine"]);
    expect(s.feed[2].text).toBe("address 198.51.100.7 is refused on every route for 30 s (key-guessing)");
  });

  it("the policy in force comes from the load line, also from history; other history is ignored", () => {
    const m = new DashboardModel("http://admin");
    m.line(T0, "[info][wasm] wasm log meshguard meshguard: meshguard: policy loaded: 7 routes, version ed0f6fd062eb", true);
    m.line(T0, "[info][wasm] wasm log meshguard meshguard: meshguard: policy loaded: 7 routes, version ed0f6fd062eb", true);   // the second worker
    m.line(T0, envoyLine({ event: "deny", reason: "not_allowed", route: "reports", user: "old" }), true);
    m.line(T0, envoyLine({ event: "anomaly", detector: "x", identity_kind: "user", identity: "old", observed: 1, threshold: 1, window_seconds: 1, action: "alert" }), true);
    const s = m.snapshot(T0);
    expect(s.policy).toMatchObject({ version: "ed0f6fd062eb", routes: 7, audit: false });
    expect(s.feed.map((f) => f.kind)).toEqual(["policy"]);
    expect(s.top.identities).toEqual([]);
    m.line(T0 + 5, "meshguard: configuration refused: routes[0].path: must start with /");
    expect(m.snapshot(T0 + 5).feed[0]).toMatchObject({ kind: "refused_policy" });
  });

  it("ranks the most refused identities, routes and reasons over the last 5 minutes", () => {
    const m = new DashboardModel("http://admin");
    const deny = (t: number, x: Record<string, string>) => m.line(t, envoyLine({ event: "deny", status: 403, reason: "not_allowed", route: "reports", ...x }));
    deny(T0, { user: "gone" });
    for (let i = 0; i < 3; i++) deny(T0 + 200_000, { user: "mallory" });
    deny(T0 + 200_000, { api_client: "reseller", route: "" });
    deny(T0 + 200_000, { peer: "spiffe://demo.mesh/ns/dev/sa/scraper", reason: "denied_by_rule" });
    deny(T0 + 200_000, {});
    const s = m.snapshot(T0 + 301_000);
    expect(s.top.identities).toEqual([{ name: "user mallory", count: 3 }, { name: "anonymous", count: 1 }, { name: "API client reseller", count: 1 }, { name: "service ns/dev/sa/scraper", count: 1 }]);
    expect(s.top.routes).toEqual([{ name: "reports", count: 5 }, { name: "(no declared route)", count: 1 }]);
    expect(s.top.reasons[0]).toEqual({ name: "not_allowed", count: 5 });
  });

  it("fuzz: 20,000 random and mutated lines never throw, and the feed stays bounded", () => {
    const rand = new Rng(7);
    const r = () => rand.next();
    const m = new DashboardModel("http://admin", POLICY);
    const seeds = [
      envoyLine({ event: "anomaly", detector: "order-scraping", identity_kind: "user", identity: "a", observed: 20, threshold: 20, window_seconds: 10, action: "quarantine", until_ms: T0 + 1, strikes: 1 }),
      envoyLine({ event: "quarantine_start", detector: "flood", identity_kind: "api_client", identity: "b", until_ms: "x", strikes: null }),
      envoyLine({ event: "deny", reason: 5, route: [], user: {} }), "meshguard: policy loaded: 1 routes, version ab",
    ];
    const alphabet = '{}[]":,meshguard: \\u0000\u00e9\ud83d0123456789abcdefnulltrue';
    for (let i = 0; i < 20_000; i++) {
      let line = seeds[Math.floor(r() * seeds.length)];
      for (let k = Math.floor(r() * 4); k > 0; k--) {
        const at = Math.floor(r() * line.length);
        line = line.slice(0, at) + alphabet[Math.floor(r() * alphabet.length)] + line.slice(at + Math.floor(r() * 3));
      }
      expect(() => m.line(T0 + i, line)).not.toThrow();
    }
    const s = m.snapshot(T0 + 20_000);
    expect(s.feed.length).toBeLessThanOrEqual(60);
    expect(s.events_seen).toBeGreaterThan(1000);
  });
});

describe("the dashboard server", () => {
  let admin: Server | undefined;
  let dash: Dashboard | undefined;
  afterEach(async () => { await dash?.close(); await new Promise<void>((ok) => (admin ? admin.close(() => ok()) : ok())); admin = undefined; dash = undefined; });

  async function fakeAdmin(counters: Record<string, number>): Promise<string> {
    admin = createServer((req, res) => {
      if (!req.url?.startsWith("/stats?format=json")) { res.writeHead(404); res.end(); return; }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ stats: Object.entries(counters).map(([name, value]) => ({ name, value })) }));
    });
    await new Promise<void>((ok) => admin!.listen(0, "127.0.0.1", ok));
    return `http://127.0.0.1:${(admin.address() as AddressInfo).port}`;
  }

  it("serves the page under a content security policy that allows only its own origin, and a snapshot", async () => {
    const counters = { "wasmcustom.meshguard.requests.allowed": 3 };
    let push: (l: string) => void = () => {};
    const events: LineSource = (onLine) => { push = (l) => onLine(l, false); return () => {}; };
    dash = await startDashboard({ adminUrl: await fakeAdmin(counters), events, statsEveryMs: 100 });
    const page = await fetch(dash.url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);                     // no asset from elsewhere
    for (const asset of ["app.js", "chart.js", "style.css", "favicon.svg"]) expect((await fetch(dash.url + asset)).status).toBe(200);
    push(envoyLine({ event: "anomaly", detector: "d", identity_kind: "user", identity: "eve", observed: 3, threshold: 3, window_seconds: 5, action: "alert" }));
    counters["wasmcustom.meshguard.requests.allowed"] = 13;
    await new Promise((r) => setTimeout(r, 350));
    const s = await (await fetch(dash.url + "api/state")).json();
    expect(s.envoy.up).toBe(true);
    expect(s.totals.allowed).toBe(13);
    expect(s.feed[0].text).toMatch(/^user eve: 3 in 5 s/);
    expect(s.scene).toBeUndefined();
  });

  it("streams snapshots as server-sent events", async () => {
    dash = await startDashboard({ adminUrl: await fakeAdmin({}), events: () => () => {}, statsEveryMs: 100 });
    const r = await fetch(dash.url + "api/stream");
    expect(r.headers.get("content-type")).toBe("text/event-stream");
    const reader = r.body!.getReader();
    let text = "";
    while ((text.match(/\n\n/g) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const first = JSON.parse(text.split("\n\n")[0].split("data: ")[1]);
    expect(first.envoy.admin).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  it("starts attacks only for a page of its own (custom header) and only in the demo", async () => {
    dash = await startDashboard({ adminUrl: await fakeAdmin({}), events: () => () => {} });
    expect((await fetch(dash.url + "api/attacks/flood", { method: "POST" })).status).toBe(403);
    expect((await fetch(dash.url + "api/attacks/flood", { method: "POST", headers: { "x-meshguard-dashboard": "1" } })).status).toBe(404);
  });

  it("says so when Envoy's admin cannot be read, and recovers", async () => {
    dash = await startDashboard({ adminUrl: "http://127.0.0.1:1", events: () => () => {}, statsEveryMs: 100 });
    const s = await (await fetch(dash.url + "api/state")).json();
    expect(s.envoy.up).toBe(false);
    expect(s.envoy.error).not.toBe("");
  });

  it("follows a log file from its end, across truncation, taking the policy from what was there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-dash-"));
    const file = join(dir, "envoy.log");
    writeFileSync(file, "[info] meshguard: policy loaded: 2 routes, version 0a0b\n" + envoyLine({ event: "anomaly", identity_kind: "user", identity: "old", action: "alert" }) + "\n");
    const got: [string, boolean][] = [];
    const stop = fileLines(file, 20)((l, h) => got.push([l, h]));
    appendFileSync(file, envoyLine({ event: "deny", reason: "x" }) + "\npart");
    await new Promise((r) => setTimeout(r, 100));
    appendFileSync(file, "ial\n");
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(file, "after truncation\n");
    await new Promise((r) => setTimeout(r, 100));
    stop();
    const old = envoyLine({ event: "anomaly", identity_kind: "user", identity: "old", action: "alert" });
    expect(got).toEqual([
      ["[info] meshguard: policy loaded: 2 routes, version 0a0b", true], [old, true],
      [envoyLine({ event: "deny", reason: "x" }), false], ["partial", false], ["after truncation", false],
    ]);
  });
});
