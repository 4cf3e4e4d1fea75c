// Monitoring in the compiled filter (emulator): detectors per identity, quarantine across the
// shared table, escalation, audit mode, exemptions, reloads, and the memory bound.
import { describe, expect, it } from "vitest";
import { MONITOR_POLICY, PARTNER_KEY } from "../test/cases/monitor";
import { EVENT_ANOMALY, EVENT_QUARANTINE, EVENT_QUARANTINE_END, LOG_PREFIX } from "../assembly/reply/event-fields";
import type { ProxyWasmHost } from "../tools/emulator/host";
import { header, runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

const events = (host: ProxyWasmHost, kind: string, detector?: string) =>
  host.logsAt("info").filter((l) => l.startsWith(LOG_PREFIX + "{")).map((l) => JSON.parse(l.slice(LOG_PREFIX.length)))
    .filter((e) => e.event === kind && (detector === undefined || e.detector === detector));
const read = (host: ProxyWasmHost, sub: string, owner: string, order: number) =>
  runRequest(host, { path: `/users/${owner}/orders/${order}`, jwt_claims: { sub } });

describe("monitoring (emulator)", () => {
  it("object enumeration: the 20th distinct order id in 10 s quarantines the user on every route, with Retry-After", async () => {
    const host = await loadFilter(MONITOR_POLICY);
    for (let i = 1; i < 20; i++) expect(read(host, "mallory", "alice", i).status).toBe(403);   // BOLA attempts, refused one by one
    expect(events(host, EVENT_ANOMALY, "order-scraping")).toHaveLength(0);
    // Meanwhile the alert-only detector saw 15 authorization refusals of hers.
    expect(events(host, EVENT_ANOMALY, "refusals")[0]).toMatchObject({ identity: "mallory", observed: 15, action: "alert" });
    expect(read(host, "mallory", "alice", 20).status).toBe(403);
    const [anomaly] = events(host, EVENT_ANOMALY, "order-scraping");
    expect(anomaly).toMatchObject({ detector: "order-scraping", identity_kind: "user", identity: "mallory", observed: 20, threshold: 20, window_seconds: 10, action: "quarantine" });
    expect(events(host, EVENT_QUARANTINE)[0]).toMatchObject({ detector: "order-scraping", identity: "mallory", strikes: 1 });
    const own = read(host, "mallory", "mallory", 1);   // even her own order
    expect(own).toMatchObject({ status: 429, reason: "quarantined" });
    expect(header(own.replyHeaders, "retry-after")).toEqual(["30"]);
    expect(read(host, "alice", "alice", 1).allowed).toBe(true);   // others are not affected
    expect(host.metric("meshguard.monitor.order-scraping.fired")).toBe(1n);
    expect(host.metric("meshguard.monitor.quarantines")).toBe(1n);
    expect(host.metric("meshguard.denied.quarantined")).toBe(1n);
  });

  it("a quarantine ends on time, and a repeat doubles it (up to max_seconds)", async () => {
    const host = await loadFilter(MONITOR_POLICY);
    const scrape = (from: number) => { for (let i = from; i < from + 20; i++) read(host, "mallory", "alice", i); };
    scrape(1);
    host.advance(29_000);
    expect(read(host, "mallory", "mallory", 1).status).toBe(429);
    host.advance(1_100);
    expect(read(host, "mallory", "mallory", 1).allowed).toBe(true);
    // The first request after the end reports it, once.
    expect(events(host, EVENT_QUARANTINE_END)).toEqual([expect.objectContaining({ identity_kind: "user", identity: "mallory", strikes: 1 })]);
    read(host, "mallory", "mallory", 1);
    expect(events(host, EVENT_QUARANTINE_END)).toHaveLength(1);
    host.advance(10_000);   // a new window
    scrape(100);
    expect(events(host, EVENT_QUARANTINE).map((e) => e.strikes)).toEqual([1, 2]);
    host.advance(59_000);
    expect(read(host, "mallory", "mallory", 1).status).toBe(429);   // 60 s this time
    host.advance(1_100);
    expect(read(host, "mallory", "mallory", 1).allowed).toBe(true);
  });

  it("a user reading her own order a thousand times is not enumeration", async () => {
    const host = await loadFilter(MONITOR_POLICY);
    for (let i = 0; i < 1000; i++) expect(read(host, "alice", "alice", 7).allowed).toBe(true);
    expect(events(host, EVENT_ANOMALY)).toEqual([]);
  });

  it("key guessing from one address quarantines the address; another address is not affected", async () => {
    const host = await loadFilter(MONITOR_POLICY);
    const guess = (ip: string, key: string) => runRequest(host, { path: "/reports", headers: { "x-api-key": key }, properties: { "source.address": `${ip}:5000` } });
    for (let i = 0; i < 10; i++) expect(guess("203.0.113.9", `pk_guess_${i}`)).toMatchObject({ status: 401, reason: "api_key_invalid" });
    expect(events(host, EVENT_ANOMALY)[0]).toMatchObject({ detector: "key-guessing", identity_kind: "client_ip", identity: "203.0.113.9" });
    expect(guess("203.0.113.9", PARTNER_KEY)).toMatchObject({ status: 429, reason: "quarantined" });   // even with the right key now
    expect(guess("198.51.100.4", PARTNER_KEY).allowed).toBe(true);
  });

  it("an alert detector writes the event and quarantines nobody", async () => {
    const host = await loadFilter(MONITOR_POLICY);
    for (let i = 0; i < 15; i++) runRequest(host, { path: `/nowhere/${i}`, jwt_claims: { sub: "prober" } });
    expect(events(host, EVENT_ANOMALY)[0]).toMatchObject({ detector: "refusals", identity: "prober", action: "alert", observed: 15 });
    expect(events(host, EVENT_QUARANTINE)).toEqual([]);
    expect(runRequest(host, { path: "/healthz", jwt_claims: { sub: "prober" } }).allowed).toBe(true);
  });

  it("a detector in audit mode logs would_quarantine and quarantines nobody", async () => {
    const audit = structuredClone(MONITOR_POLICY);
    (audit.monitoring.detectors[0] as Record<string, unknown>).mode = "audit";
    const host = await loadFilter(audit);
    for (let i = 1; i <= 25; i++) read(host, "mallory", "alice", i);
    expect(events(host, EVENT_ANOMALY, "order-scraping")[0]).toMatchObject({ action: "would_quarantine" });
    expect(events(host, EVENT_QUARANTINE)).toEqual([]);
    expect(read(host, "mallory", "mallory", 1).allowed).toBe(true);
  });

  it("an identity in quarantine.never is never quarantined", async () => {
    const host = await loadFilter(MONITOR_POLICY);
    for (let i = 1; i <= 25; i++) read(host, "ops-robot", "ops-robot", i);
    expect(events(host, EVENT_ANOMALY)).toEqual([]);
    expect(read(host, "ops-robot", "ops-robot", 99).allowed).toBe(true);
  });

  it("a reload that keeps the detector keeps the quarantine", async () => {
    const host = await loadFilter(MONITOR_POLICY);
    for (let i = 1; i <= 20; i++) read(host, "mallory", "alice", i);
    const changed = structuredClone(MONITOR_POLICY);
    changed.routes.push({ name: "extra", path: "/extra", public: true } as never);
    expect(host.configure(JSON.stringify(changed))).toBe(true);
    expect(read(host, "mallory", "mallory", 1).status).toBe(429);
  });

  it("100,000 distinct identities: bounded memory, no trap, table_full counted instead of growth", async () => {
    const host = await loadFilter(MONITOR_POLICY);
    const from = (i: number) => runRequest(host, { path: "/reports", headers: { "x-api-key": "wrong" }, properties: { "source.address": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:1` } });
    // Memory reaches its plateau within the first collections (abi/collect.ts); 90,000 identities
    // more must not raise it.
    for (let i = 0; i < 10_000; i++) from(i);
    const plateau = host.memoryPages;
    for (let i = 10_000; i < 100_000; i++) from(i);
    expect(host.trap).toBeNull();
    expect(host.memoryPages - plateau).toBeLessThanOrEqual(2);
    expect(host.sharedData.size).toBeLessThanOrEqual(10_000 + 1_000);   // the two tables, whatever the identities
    expect(host.metric("meshguard.monitor.table_full")).toBeGreaterThan(0n);
  });
});

describe("rate_jump (emulator)", () => {
  const policy = {
    routes: [{ name: "items", path: "/items/{id}", public: true }],
    monitoring: { detectors: [{ name: "flood", kind: "rate_jump", identity: "client_ip", window_seconds: 10, threshold: 50, factor: 5, warmup_windows: 6, action: "quarantine" }] },
  };
  const from = (host: ProxyWasmHost, ip: string) => runRequest(host, { path: "/items/1", properties: { "source.address": `${ip}:1` } });
  // `perWindow` requests in each of `windows` windows of 10 s.
  const steady = (host: ProxyWasmHost, ip: string, perWindow: number, windows: number) => {
    for (let w = 0; w < windows; w++) { for (let i = 0; i < perWindow; i++) from(host, ip); host.advance(10_000); }
  };

  it("a client that jumps to ten times its own baseline is flagged within the window, and quarantined", async () => {
    const host = await loadFilter(policy);
    steady(host, "10.0.0.5", 20, 8);           // 20 per window for 80 s
    let n = 0;
    while (n < 500 && from(host, "10.0.0.5").allowed) n++;
    const [e] = events(host, EVENT_ANOMALY, "flood");
    expect(e).toMatchObject({ identity_kind: "client_ip", identity: "10.0.0.5", action: "quarantine", window_seconds: 10 });
    expect(e.observed).toBe(101);               // over 5 times a baseline of 20
    expect(e.threshold).toBe(100);
    expect(n).toBe(101);                        // the 102nd request is the first refused
  });

  it("a steady client, bursts within the factor, and a client still warming up are not flagged", async () => {
    const host = await loadFilter(policy);
    steady(host, "10.0.0.6", 30, 12);
    for (let i = 0; i < 120; i++) from(host, "10.0.0.6");   // four times its baseline: under the factor
    for (let i = 0; i < 400; i++) from(host, "10.0.0.7");   // new: no baseline yet
    expect(events(host, EVENT_ANOMALY, "flood")).toEqual([]);
  });

  it("a quiet client that floods (a baseline decayed to nothing) needs the minimum volume", async () => {
    const host = await loadFilter(policy);
    steady(host, "10.0.0.8", 2, 8);
    for (let i = 0; i < 49; i++) from(host, "10.0.0.8");
    expect(events(host, EVENT_ANOMALY, "flood")).toEqual([]);   // 49 < the threshold of 50
    from(host, "10.0.0.8");
    expect(events(host, EVENT_ANOMALY, "flood")).toHaveLength(1);
  });
});
