// Regression tests for the defects of issue #8 found by reading the code, and the host failures
// every fail-closed path answers (item 8). Each of the first group fails on the code before its fix
// (run with MESHGUARD_WASM=<old build> to see it).
import { describe, expect, it } from "vitest";
import { WasmResult } from "../tools/emulator/abi";
import { runRequest } from "../tools/emulator/request";
import { ProxyWasmHost } from "../tools/emulator/host";
import { filterBytes, loadFilter } from "./fixture";

const open = { name: "all", path: "/**", public: true };
const limitOf = (capacity: number) => ({ limits: [{ name: "tight", capacity, refill: { tokens: 1, seconds: 3600 }, key: ["route"] }] });

describe("defects found in review (issue #8)", () => {
  it("uniqueItems over 60,000 items is linear now (it was n*n, issue #10), and still bounded by the work budget", async () => {
    const host = await loadFilter({
      routes: [{ name: "ids", path: "/ids", methods: ["POST"], public: true, body_schema: { type: "array", uniqueItems: true } }],
      request_limits: { json_max_members: 100000, max_body_bytes: 4 << 20 },
    });
    const body = JSON.stringify(Array.from({ length: 60000 }, (_, i) => i));
    expect(runRequest(host, { method: "POST", path: "/ids", headers: { "content-type": "application/json" }, body }).allowed).toBe(true);
    // The canonical forms of 2,300 strings of 450 characters are more work than one body may do
    // (and the body stays under Envoy's 1 MiB buffer limit).
    const long = JSON.stringify(Array.from({ length: 2300 }, (_, i) => String(i).padStart(450, "x")));
    const out = runRequest(host, { method: "POST", path: "/ids", headers: { "content-type": "application/json" }, body: long });
    expect(out.status).toBe(413);
    expect(out.body).toMatchObject({ reason: "body_limit_exceeded", limit: "schema_work" });
    expect(out.upstream.body.length).toBe(0);
  });

  it("uniqueItems on a short array still finds the duplicate", async () => {
    const host = await loadFilter({ routes: [{ name: "ids", path: "/ids", methods: ["POST"], public: true, body_schema: { type: "array", uniqueItems: true } }] });
    const out = runRequest(host, { method: "POST", path: "/ids", body: '[{"a":[1,2]},{"b":1},{"a":[1,2]}]' });
    expect(out.body).toMatchObject({ reason: "body_schema_violation", keyword: "uniqueItems", pointer: "/2" });
  });

  it("deep equal members cost the budget too: an enum of large objects against a large body", async () => {
    const big = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
    const host = await loadFilter({
      routes: [{ name: "e", path: "/e", methods: ["POST"], public: true, body_schema: { type: "array", items: { enum: [big] } } }],
      request_limits: { max_body_bytes: 1 << 20 },
    });
    const body = JSON.stringify(Array.from({ length: 30 }, () => big));
    const out = runRequest(host, { method: "POST", path: "/e", body });
    expect(out.body).toMatchObject({ reason: "body_limit_exceeded", limit: "schema_work" });
  });

  it("policy in audit mode: an invalid path is logged, and the enforced rate limit still applies", async () => {
    const host = await loadFilter({ mode: "audit", routes: [open], rate_limits: limitOf(2) });
    const statuses = [1, 2, 3].map(() => runRequest(host, { path: "/a/../b" }).status ?? 200);
    expect(statuses).toEqual([200, 200, 429]);
    expect(host.metric("meshguard.audit.would_deny.path_invalid")).toBe(3n);
    expect(host.metric("meshguard.ratelimit.tight.limited")).toBe(1n);
  });

  it("policy in audit mode: invalid headers are logged, and the enforced rate limit still applies", async () => {
    const host = await loadFilter({ mode: "audit", routes: [open], rate_limits: limitOf(1) });
    const bad = { "content-length": ["5", "6"] };
    expect([1, 2].map(() => runRequest(host, { path: "/a", headers: bad }).status ?? 200)).toEqual([200, 429]);
  });

  it("a shared-data write the host fails is not a token taken: 503 rate_limit_unavailable, counted, nothing spent", async () => {
    const host = await loadFilter({ routes: [open], rate_limits: limitOf(2) });
    host.failures.set("proxy_set_shared_data", WasmResult.InternalFailure);
    const out = runRequest(host, { path: "/a" });
    expect(out.status).toBe(503);
    expect(out.reason).toBe("rate_limit_unavailable");
    expect(host.metric("meshguard.ratelimit.host_error")).toBe(1n);
    expect(host.metric("meshguard.denied.rate_limit_unavailable")).toBe(1n);
    host.failures.clear();
    expect([1, 2, 3].map(() => runRequest(host, { path: "/a" }).status ?? 200)).toEqual([200, 200, 429]);
  });

  it("a shared-data read the host fails: 503 rate_limit_unavailable", async () => {
    const host = await loadFilter({ routes: [open], rate_limits: limitOf(2) });
    host.failures.set("proxy_get_shared_data", WasmResult.InternalFailure);
    expect(runRequest(host, { path: "/a" }).reason).toBe("rate_limit_unavailable");
  });

  it("a rate limit in audit mode only logs a host failure", async () => {
    const host = await loadFilter({ routes: [open], rate_limits: { limits: [{ name: "t", capacity: 1, refill: { tokens: 1, seconds: 60 }, key: ["route"], mode: "audit" }] } });
    host.failures.set("proxy_set_shared_data", WasmResult.InternalFailure);
    expect(runRequest(host, { path: "/a" }).allowed).toBe(true);
    expect(host.metric("meshguard.audit.would_deny.rate_limit_unavailable")).toBe(1n);
  });

  it("proxy_validate_configuration has no side effects: no counter, no log, the loaded policy stays", async () => {
    const host = await loadFilter({ routes: [{ path: "/ok", public: true }] });
    const logs = host.logs.length;
    const names = host.metricNames().length;
    expect(host.validateConfiguration('{"routes":[{"path":"/x","publik":true}]}')).toBe(false);
    expect(host.validateConfiguration('{"routes":[{"path":"/other","public":true}]}')).toBe(true);
    expect(host.metric("meshguard.config.rejected")).toBe(0n);
    expect(host.logs.length).toBe(logs);
    expect(host.metricNames().length).toBe(names);
    expect(runRequest(host, { path: "/ok" }).allowed).toBe(true);
    expect(runRequest(host, { path: "/other" }).status).toBe(404);
  });
});

// Every call the filter makes to the host can fail; each failure that bears on a decision refuses
// (503, the reason naming what was unavailable), and none lets a request through unchecked.
describe("host failures (emulator, injected per import)", () => {
  const IDENTITY = { routes: [{ name: "svc", path: "/svc", allow: [{ peers: ["spiffe://t.test/ns/a/sa/b"] }] }, { name: "me", path: "/me", allow: [{ any_role: ["user"] }] }, open], jwt: {} };
  const PEER = "spiffe://t.test/ns/a/sa/b";
  const cases: { name: string; fail: string; req: Parameters<typeof runRequest>[1]; status: number; reason: string }[] = [
    { name: "request headers unreadable", fail: "proxy_get_header_map_pairs", req: { path: "/svc", peer: PEER }, status: 503, reason: "request_unavailable" },
    { name: "peer property unreadable", fail: "proxy_get_property", req: { path: "/svc", peer: PEER }, status: 503, reason: "peer_identity_unavailable" },
    { name: "a spoofed identity header cannot be removed", fail: "proxy_remove_header_map_value", req: { path: "/svc", peer: PEER, headers: { "x-meshguard-peer-id": "spiffe://t.test/ns/x/sa/admin" } }, status: 503, reason: "request_unavailable" },
    { name: "the verified identity header cannot be set", fail: "proxy_replace_header_map_value", req: { path: "/svc", peer: PEER }, status: 503, reason: "request_unavailable" },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.status} ${c.reason}`, async () => {
      const host = await loadFilter(IDENTITY);
      host.failures.set(c.fail, WasmResult.InternalFailure);
      const out = runRequest(host, c.req);
      expect(out.status).toBe(c.status);
      expect(out.reason).toBe(c.reason);
      expect(out.upstream.headers).toBe(false);
      expect(host.trap).toBeNull();
    });
  }

  it("verified claims unreadable (metadata property fails): 503 user_claims_unavailable, not \"no token\"", async () => {
    const host = await loadFilter(IDENTITY);
    const out = runRequest(host, { path: "/me", properties: { metadata: { status: WasmResult.InternalFailure } } });
    expect(out.status).toBe(503);
    expect(out.reason).toBe("user_claims_unavailable");
  });

  it("metrics the host refuses to define: decisions are unchanged, nothing is counted, nothing traps", async () => {
    const host = await ProxyWasmHost.load(filterBytes(), { pluginConfig: JSON.stringify({ routes: [{ path: "/ok", public: true }] }) });
    host.failures.set("proxy_define_metric", WasmResult.InternalFailure);
    expect(host.configure(JSON.stringify({ routes: [{ path: "/ok", public: true }], rate_limits: limitOf(1) }))).toBe(true);
    expect(runRequest(host, { path: "/ok" }).allowed).toBe(true);
    expect(runRequest(host, { path: "/ok" }).reason).toBe("rate_limited");
    expect(runRequest(host, { path: "/nope" }).reason).toBe("route_not_declared");
    expect(host.trap).toBeNull();
  });

  it("metric increments the host fails: decisions are unchanged", async () => {
    const host = await loadFilter({ routes: [{ path: "/ok", public: true }] });
    host.failures.set("proxy_increment_metric", WasmResult.InternalFailure);
    expect(runRequest(host, { path: "/ok" }).allowed).toBe(true);
    expect(runRequest(host, { path: "/nope" }).reason).toBe("route_not_declared");
    expect(host.trap).toBeNull();
  });

  it("the body the host fails to hand over: 503 request_unavailable, nothing forwarded", async () => {
    const host = await loadFilter({ routes: [{ path: "/p", methods: ["POST"], public: true, body_schema: { type: "object" } }] });
    host.failures.set("proxy_get_buffer_bytes", WasmResult.InternalFailure);
    const out = runRequest(host, { method: "POST", path: "/p", body: '{"a":1}' });
    expect(out.status).toBe(503);
    expect(out.reason).toBe("request_unavailable");
    expect(out.upstream.body.length).toBe(0);
  });
});
