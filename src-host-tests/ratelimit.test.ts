// Token-bucket rate limits in the emulator: bucket arithmetic through the whole filter, keys,
// several limits per route, audit mode, headers, sharing across workers, and the bounded table.
import { describe, expect, it } from "vitest";
import { ProxyWasmHost, SharedStore } from "../tools/emulator/host";
import { header, runRequest } from "../tools/emulator/request";
import { filterBytes, loadFilter } from "./fixture";

const open = { path: "/**", public: true, name: "all" };
const policy = (rate_limits: object, routes: object[] = [open]) => ({ routes, rate_limits });
const user = (sub: string) => ({ sub });

function replyHeader(host: ProxyWasmHost, req: Parameters<typeof runRequest>[1], name: string): string | undefined {
  const s = host.newStream({ peerUriSan: null, dynamicMetadata: req.jwt_claims ? { "envoy.filters.http.jwt_authn": { jwt_payload: req.jwt_claims } } : undefined });
  s.sendRequestHeaders([[":path", req.path], [":method", "GET"], [":authority", "x"], ...Object.entries(req.headers ?? {}).map(([k, v]) => [k, String(v)] as [string, string])], true);
  if (!s.localReply) s.sendResponseHeaders([[":status", "200"]], true);
  const found = s.localReply?.headers.find(([k]) => k === name)?.[1] ?? s.responseHeaders.find(([k]) => k === name)?.[1];
  s.finish();
  return found;
}

describe("token buckets (emulator)", () => {
  it("capacity, then one token per refill interval; 429 with Retry-After and RateLimit fields", async () => {
    const host = await loadFilter(policy({ limits: [{ name: "burst", capacity: 3, refill: { tokens: 1, seconds: 1 }, key: ["route"] }] }));
    const statuses = [1, 2, 3, 4].map(() => runRequest(host, { path: "/a" }).status ?? 200);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const s = host.newStream({});
    s.sendRequestHeaders([[":path", "/a"], [":method", "GET"]], true);
    expect(s.localReply?.status).toBe(429);
    expect(JSON.parse(s.localReply!.body).reason).toBe("rate_limited");
    expect(Object.fromEntries(s.localReply!.headers)).toMatchObject({
      "retry-after": "1", "ratelimit-policy": '"burst";q=3;w=3', "ratelimit": '"burst";r=0;t=1',
    });
    s.finish();
    host.advance(999);
    expect(runRequest(host, { path: "/a" }).status).toBe(429);
    host.advance(1);
    expect(runRequest(host, { path: "/a" }).status ?? 200).toBe(200);
    expect(runRequest(host, { path: "/a" }).status).toBe(429);
    host.advance(60_000);   // refills to capacity, never beyond
    expect([1, 2, 3, 4].map(() => runRequest(host, { path: "/a" }).status ?? 200)).toEqual([200, 200, 200, 429]);
    expect(host.metric("meshguard.ratelimit.burst.limited")).toBe(5n);
    expect(host.metric("meshguard.denied.rate_limited")).toBe(5n);
  });

  it("keys: one bucket per user, per header value, per client address (x-forwarded-for with trusted hops)", async () => {
    const host = await loadFilter({
      routes: [open], jwt: {},
      rate_limits: {
        client_ip: { trusted_hops: 1 },
        limits: [
          { name: "per-user", capacity: 1, refill: { tokens: 1, seconds: 60 }, key: ["user"], routes: ["all"] },
          { name: "per-tenant", capacity: 2, refill: { tokens: 1, seconds: 60 }, key: ["header:x-tenant"] },
          { name: "per-ip", capacity: 3, refill: { tokens: 1, seconds: 60 }, key: ["client_ip"] },
        ],
      },
    });
    const r = (sub: string, tenant: string, xff: string) => runRequest(host, { path: "/x", jwt_claims: user(sub), headers: { "x-tenant": tenant, "x-forwarded-for": xff } }).status ?? 200;
    expect(r("alice", "t1", "203.0.113.1")).toBe(200);
    expect(r("alice", "t1", "203.0.113.1")).toBe(429);                  // alice's own bucket
    expect(r("bob", "t1", "203.0.113.1")).toBe(200);
    expect(r("carol", "t1", "203.0.113.1")).toBe(429);                  // tenant t1 spent (2); limits after it take nothing
    expect(r("dave", "t2", "203.0.113.1")).toBe(200);                   // the address's third token
    expect(r("frank", "t3", "203.0.113.1")).toBe(429);                  // the address is spent
    expect(r("erin", "t4", "198.51.100.7, 203.0.113.9")).toBe(200);     // the last entry is what the trusted proxy saw
  });

  it("a header that keys a limit, given twice, is refused by an enforced limit and a would-deny under an audit one", async () => {
    const limits = (mode: string) => [{ name: "k", capacity: 1, refill: { tokens: 1, seconds: 60 }, key: ["header:x-key"], mode }];
    const host = await loadFilter(policy({ limits: limits("enforce") }));
    const twice = { path: "/", headers: [["x-key", "fresh"], ["x-key", "victim"]] as [string, string][] };
    expect(runRequest(host, twice)).toMatchObject({ status: 400, reason: "header_invalid" });
    expect(host.metric("meshguard.denied.header_invalid")).toBe(1n);
    expect(runRequest(host, { path: "/", headers: { "x-key": "victim" } }).allowed).toBe(true);   // no token was taken
    const audit = await loadFilter(policy({ limits: limits("audit") }));
    expect(runRequest(audit, twice).allowed).toBe(true);
    expect(audit.metric("meshguard.audit.would_deny.header_invalid")).toBe(1n);
    expect(host.trap).toBeNull();
  });

  it("the client address comes from the connection when no hop is trusted", async () => {
    const host = await loadFilter(policy({ limits: [{ name: "ip", capacity: 1, refill: { tokens: 1, seconds: 60 }, key: ["client_ip"] }] }));
    const r = (addr: string, xff: string) => runRequest(host, { path: "/", properties: { "source.address": addr }, headers: { "x-forwarded-for": xff } }).status ?? 200;
    expect(r("10.1.1.1:4000", "1.1.1.1")).toBe(200);
    expect(r("10.1.1.1:4001", "2.2.2.2")).toBe(429);     // a forged x-forwarded-for changes nothing
    expect(r("[2001:db8::1]:4000", "")).toBe(200);
  });

  it("a limit named for a route applies only there; several limits on one route all apply", async () => {
    const routes = [{ name: "search", path: "/search", public: true }, { name: "other", path: "/other", public: true }];
    const host = await loadFilter(policy({
      limits: [
        { name: "search-burst", capacity: 2, refill: { tokens: 10, seconds: 1 }, key: ["route"], routes: ["search"] },
        { name: "search-sustained", capacity: 3, refill: { tokens: 1, seconds: 60 }, key: ["route"], routes: ["search"] },
      ],
    }, routes));
    expect([1, 2, 3].map(() => runRequest(host, { path: "/search" }).status ?? 200)).toEqual([200, 200, 429]);
    host.advance(1000);   // the burst bucket refills, the sustained one does not
    expect([1, 2].map(() => runRequest(host, { path: "/search" }).status ?? 200)).toEqual([200, 429]);
    expect(host.metric("meshguard.ratelimit.search-sustained.limited")).toBe(1n);
    expect([1, 2, 3, 4, 5].every(() => runRequest(host, { path: "/other" }).allowed)).toBe(true);
  });

  it("audit mode counts and logs would-limit, never refuses", async () => {
    const host = await loadFilter(policy({ limits: [{ name: "trial", capacity: 1, refill: { tokens: 1, seconds: 60 }, key: ["route"], mode: "audit" }] }));
    expect([1, 2, 3].every(() => runRequest(host, { path: "/" }).allowed)).toBe(true);
    expect(host.metric("meshguard.ratelimit.trial.would_limit")).toBe(2n);
    expect(host.logsAt("info").filter((l) => l.includes('"event":"would_deny"') && l.includes('"reason":"rate_limited"') && l.includes('"rule":"trial"'))).toHaveLength(2);
    expect(host.metric("meshguard.audit.would_deny.rate_limited")).toBe(2n);
  });

  it("allowed responses carry the remaining quota when response_headers is on", async () => {
    const host = await loadFilter(policy({ response_headers: true, limits: [{ name: "q", capacity: 5, refill: { tokens: 1, seconds: 2 }, key: ["route"] }] }));
    expect(replyHeader(host, { path: "/" }, "ratelimit")).toBe('"q";r=4;t=2');
    expect(replyHeader(host, { path: "/" }, "ratelimit-policy")).toBe('"q";q=5;w=10');
    const off = await loadFilter(policy({ limits: [{ name: "q", capacity: 5, refill: { tokens: 1, seconds: 2 }, key: ["route"] }] }));
    expect(replyHeader(off, { path: "/" }, "ratelimit")).toBeUndefined();
  });
});

describe("sharing across workers (emulator, two VMs)", () => {
  async function workers(shared: boolean) {
    const store = new SharedStore();
    const config = JSON.stringify(policy({ shared, limits: [{ name: "k", capacity: 10, refill: { tokens: 1, seconds: 3600 }, key: ["route"] }] }));
    return Promise.all([0, 1].map(() => ProxyWasmHost.load(filterBytes(), { pluginConfig: config, sharedData: store })));
  }
  it("shared buckets: two workers together allow the capacity once", async () => {
    const vms = await workers(true);
    let allowed = 0;
    for (let i = 0; i < 40; i++) if (runRequest(vms[i % 2], { path: "/" }).allowed) allowed++;
    expect(allowed).toBe(10);
  });
  it("per-VM buckets (shared: false): each worker allows the capacity, twice in all", async () => {
    const vms = await workers(false);
    let allowed = 0;
    for (let i = 0; i < 40; i++) if (runRequest(vms[i % 2], { path: "/" }).allowed) allowed++;
    expect(allowed).toBe(20);
  });
});

describe("leases: a worker takes tokens ahead for a hot key (shared buckets)", () => {
  const fast = (capacity: number, perSecond: number, extra: object = {}) =>
    JSON.stringify(policy({ ...extra, limits: [{ name: "k", capacity, refill: { tokens: perSecond, seconds: 1 }, key: ["route"] }] }));
  async function workers(config: string, n: number) {
    const store = new SharedStore();
    const vms = await Promise.all(Array.from({ length: n }, () => ProxyWasmHost.load(filterBytes(), { pluginConfig: config, sharedData: store })));
    return { store, vms };
  }
  const writes = (store: SharedStore) => store.nextCas - 1;

  it("a fast limit: shared data is written about once per 33 requests, and the reported quota still falls by one per request", async () => {
    const { store, vms: [vm] } = await workers(fast(1_000_000, 1_000_000, { response_headers: true }), 1);
    const left: number[] = [];
    for (let i = 0; i < 330; i++) left.push(Number(/r=(\d+)/.exec(replyHeader(vm, { path: "/" }, "ratelimit")!)![1]));
    expect(left).toEqual(Array.from({ length: 330 }, (_, i) => 999_999 - i));
    expect(writes(store)).toBeLessThanOrEqual(11 + 1);   // 10 leases of 32 + the request that took each, and the slot's creation
  });

  it("a slow limit (under 10 tokens a second) or a low bucket leases nothing: one write per request", async () => {
    const slow = await workers(fast(1000, 9), 1);
    for (let i = 0; i < 50; i++) runRequest(slow.vms[0], { path: "/" });
    expect(writes(slow.store)).toBe(50 + 1);
    const low = await workers(fast(16, 1000), 1);      // 15 left after the first take: under 16, no lease
    for (let i = 0; i < 16; i++) expect(runRequest(low.vms[0], { path: "/" }).status ?? 200).toBe(200);
    expect(runRequest(low.vms[0], { path: "/" }).status).toBe(429);
    expect(writes(low.store)).toBe(17 + 1);            // a refusal writes the bucket too
  });

  it("two workers taking turns grant the capacity exactly once, however the leases fall", async () => {
    for (const capacity of [100, 1000, 5000]) {
      const { vms } = await workers(fast(capacity, 1000), 2);     // the clock does not move: no refill
      let allowed = 0;
      for (let i = 0; i < 2 * capacity + 100; i++) if (runRequest(vms[i % 2], { path: "/" }).allowed) allowed++;
      expect(allowed).toBe(capacity);
    }
  });

  it("a lease left in an idle worker is bounded (1/16 of the bucket, 0.1 s of refill, 32) and ends after a second", async () => {
    const { vms: [a, b] } = await workers(fast(1000, 100), 2);   // a lease is at most 10 tokens here
    runRequest(a, { path: "/" });                                 // a takes 1 and leases 10
    let allowed = 0;
    while (runRequest(b, { path: "/" }).allowed) allowed++;
    expect(allowed).toBe(1000 - 1 - 10);
    a.advance(999);                                               // the lease still serves a...
    expect(runRequest(a, { path: "/" }).allowed).toBe(true);
    a.advance(1);                                                 // ...and ends at one second:
    b.advance(1000);                                              // 100 tokens refilled meanwhile
    let after = 0;
    while (runRequest(a, { path: "/" }).allowed) after++;
    while (runRequest(b, { path: "/" }).allowed) after++;
    expect(after).toBe(100);                                      // the refill, and nothing of the 9 left in a's lease
  });

  it("keys chosen to share a victim's lease slot cannot evict its lease (and so cannot drain its bucket)", async () => {
    // The lease slot is FNV-1a of the bucket key (ratelimit/bucket.ts slotHash; key = u32 length + the
    // header's value) modulo 64: find an attacker value that lands on the victim's slot.
    const slotOf = (value: string) => {
      const bytes = Buffer.concat([Buffer.from([value.length, 0, 0, 0]), Buffer.from(value)]);
      let h = 0x811c9dc5;
      for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
      return h % 64;
    };
    const victim = "victim";
    let attacker = "";
    for (let i = 0; attacker === ""; i++) if (slotOf(`a${i}`) === slotOf(victim)) attacker = `a${i}`;
    const config = JSON.stringify(policy({ limits: [{ name: "k", capacity: 1000, refill: { tokens: 100, seconds: 1 }, key: ["header:x-key"] }] }));
    const { store, vms: [vm] } = await workers(config, 1);
    const as = (key: string) => runRequest(vm, { path: "/", headers: { "x-key": key } });
    as(victim);                                   // the victim takes 1 and leases 10
    const before = writes(store);
    for (let i = 0; i < 5; i++) as(attacker);     // the attacker's takes go to shared data, without a lease
    expect(writes(store) - before).toBe(5 + 1);   // its slot's creation, then one write per request
    const mark = writes(store);
    for (let i = 0; i < 10; i++) expect(as(victim).allowed).toBe(true);
    expect(writes(store)).toBe(mark);            // the victim's 10 leased tokens were still there
  });

  it("what a burst can gain from leases: the unspent ones, one per worker (the attacker's best case)", async () => {
    const { vms: [a, b] } = await workers(fast(1000, 100), 2);
    runRequest(a, { path: "/" });                                 // a leases 10; the bucket holds 989
    a.advance(200); b.advance(200);                               // refilled to full (capped at 1000)
    let burst = 0;
    while (runRequest(b, { path: "/" }).allowed) burst++;
    while (runRequest(a, { path: "/" }).allowed) burst++;
    expect(burst).toBe(1000 + 10);                                // the capacity, and the 10 of a's unspent lease
  });
});

describe("bounded table", () => {
  it("100,000 distinct keys: shared data never holds more than the slots, and live keys fall back when idle", async () => {
    const slots = 1000;
    const host = await loadFilter(policy({ table_slots: slots, when_full: "allow", limits: [{ name: "ip", capacity: 5, refill: { tokens: 1, seconds: 10 }, key: ["header:x-key"] }] }));
    for (let i = 0; i < 100_000; i++) {
      const s = host.newStream({});
      s.sendRequestHeaders([[":path", "/"], [":method", "GET"], ["x-key", `k${i}`]], true);
      s.finish();
    }
    const keys = [...host.sharedData.keys()].filter((k) => k.startsWith("mg:rl:"));
    expect(keys.length).toBeLessThanOrEqual(slots);
    expect(host.metric("meshguard.ratelimit.table_full")).toBeGreaterThan(0n);
    host.advance(2000);   // ticks sweep; buckets are not idle yet (they refill in 10 s)
    expect(host.metric("meshguard.ratelimit.live_keys")).toBe(BigInt(slots));
    host.advance(60_000);
    expect(host.metric("meshguard.ratelimit.live_keys")).toBe(0n);
    expect(host.trap).toBeNull();
  });

  it("a full table refuses new keys by default (when_full: deny)", async () => {
    const host = await loadFilter(policy({ table_slots: 16, limits: [{ name: "k", capacity: 5, refill: { tokens: 1, seconds: 60 }, key: ["header:x-key"] }] }));
    const statuses = Array.from({ length: 64 }, (_, i) => runRequest(host, { path: "/", headers: { "x-key": `k${i}` } }).status ?? 200);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(16);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
});

describe("hostile shared data", () => {
  it("garbage in every slot is treated as a free slot, never a trap", async () => {
    const { Rng, FUZZ_SEED } = await import("./random");
    const rng = new Rng(FUZZ_SEED + 3);
    const host = await loadFilter(policy({ table_slots: 64, limits: [{ name: "k", capacity: 2, refill: { tokens: 1, seconds: 60 }, key: ["header:x-key"] }] }));
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 64; i++) {
        const len = rng.pick([0, 1, 20, 21, 22, 40, 149, 150, 400]);
        const bytes = rng.bytes(len);
        if (len > 0 && rng.int(2) === 0) bytes[0] = 1;   // a valid version byte, garbage after it
        host.sharedData.set(`mg:rl:${i}`, { value: bytes, cas: 1000 + round });
      }
      for (let k = 0; k < 20; k++) {
        const out = runRequest(host, { path: "/", headers: { "x-key": `k${rng.int(10)}` } });
        expect([null, 429]).toContain(out.status);
      }
      host.advance(1500);
    }
    expect(host.trap).toBeNull();
  });
});
