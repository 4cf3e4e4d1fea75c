// No input reaches abort: missing properties, empty headers, odd bytes and hostile sizes are
// ordinary cases, each answered with a decision. Fuzz runs back each parser (FUZZ_ITERATIONS,
// FUZZ_SEED to repeat one).
import { describe, expect, it } from "vitest";
import { WasmResult } from "../tools/emulator/abi";
import { IDENTITY_POLICY } from "../test/cases/identity";
import { runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";
import { FUZZ_ITERATIONS, FUZZ_SEED, Rng, mutate } from "./random";

const KNOWN_STATUSES = new Set([null, 400, 401, 403, 404, 503]);
const SAN = "connection.uri_san_peer_certificate";

describe("ordinary odd cases (emulator)", async () => {
  const host = await loadFilter(IDENTITY_POLICY);

  it("no :path header at all", () => {
    const stream = host.newStream({});
    stream.sendRequestHeaders([], true);
    stream.finish();
    expect(stream.localReply?.status).toBe(400);
  });

  it("empty header values and an empty x-request-id", () => {
    const out = runRequest(host, { path: "/healthz", headers: { "x-request-id": "", "x-empty": "" } });
    expect(out.allowed).toBe(true);
  });

  it("the host fails to read the peer property: refused with 503, not let through", () => {
    const out = runRequest(host, { path: "/api/orders", properties: { [SAN]: { status: WasmResult.InternalFailure } } });
    expect(out.status).toBe(503);
    expect(out.reason).toBe("peer_identity_unavailable");
  });

  it("an empty peer property is no identity", () => {
    const out = runRequest(host, { path: "/api/orders", properties: { [SAN]: "" } });
    expect(out.reason).toBe("identity_missing");
  });

  it("a peer property with invalid UTF-8 is an invalid identity", () => {
    const out = runRequest(host, { path: "/api/orders", properties: { [SAN]: Buffer.from([0x73, 0x70, 0xff, 0xfe, 0x00]) } });
    expect(out.reason).toBe("peer_identity_invalid");
  });

  it("a 1 MiB peer property", () => {
    const out = runRequest(host, { path: "/api/orders", peer: "spiffe://meshguard.test/" + "a".repeat(1 << 20) });
    expect(out.reason).toBe("peer_identity_invalid");
  });

  it("a 100 KiB path is refused as oversized headers", () => {
    const out = runRequest(host, { path: "/" + "a/".repeat(50_000) });
    expect(out.status).toBe(431);
    expect(out.reason).toBe("headers_too_large");
  });

  for (const path of ["*", "api", "/api/\u0000", "/api/%", "/api/%zz", "/api/%4", "/api\\admin", "/api/#x", "/api/ä", "/api/a b", "/%61pi/orders", "/api//orders", "/api/./orders", "/api/../api/admin"]) {
    it(`refuses the path ${JSON.stringify(path)}`, () => {
      expect(runRequest(host, { path, peer: "spiffe://meshguard.test/ns/shop/sa/web" }).reason).toBe("path_invalid");
    });
  }

  it("a hostile x-request-id is not echoed", () => {
    const out = runRequest(host, { path: "/nope", headers: { "x-request-id": "\",\"reason\":\"ok" } });
    expect(out.status).toBe(404);
    expect((out.body as Record<string, unknown>).request_id).toBeUndefined();
    expect((out.body as Record<string, unknown>).reason).toBe("route_not_declared");
  });

  it("body and trailers after a refusal are stopped", () => {
    const stream = host.newStream({});
    stream.sendRequestHeaders([[":path", "/api/orders"], [":method", "POST"]], false);
    expect(stream.localReply?.status).toBe(401);
    expect(stream.sendRequestBody("data", false)).toBe(1);
    expect(stream.sendRequestTrailers([["x", "y"]])).toBe(1);
    stream.finish();
  });

  it("never trapped", () => expect(host.trap).toBeNull());
});

describe(`fuzz: requests (${FUZZ_ITERATIONS} iterations, seed ${FUZZ_SEED})`, async () => {
  const host = await loadFilter(IDENTITY_POLICY);
  const pathAlphabet = ["/", "/", "a", "api", "admin", "healthz", ".", "..", "%", "%2e", "%2F", "%5c", "%41", "\\", "?", "#", "\u0000", "é", " ", "*", "~"];
  const sanAlphabet = ["spiffe://", "meshguard.test", "/", "ns", "shop", "sa", "web", "*", ".", "..", "%", "A", "\u0000", ":", "@", "?"];

  it("every request gets a known decision and the VM never traps", () => {
    const rng = new Rng(FUZZ_SEED);
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const peer = rng.int(4) === 0 ? rng.bytes(rng.int(64)) : rng.stringFrom(sanAlphabet, 12);
      const out = runRequest(host, {
        path: rng.stringFrom(pathAlphabet, 10),
        headers: { "x-request-id": rng.bytes(rng.int(40)).toString("latin1"), "x-meshguard-peer-id": rng.stringFrom(sanAlphabet, 6) },
        properties: { [SAN]: peer },
      });
      if (!KNOWN_STATUSES.has(out.status)) throw new Error(`iteration ${i}: unexpected status ${out.status}`);
    }
    expect(host.trap).toBeNull();
  });
});

describe(`fuzz: configuration parser (${FUZZ_ITERATIONS} iterations, seed ${FUZZ_SEED})`, async () => {
  const valid = Buffer.from(JSON.stringify({ ...IDENTITY_POLICY, peer_header: "x-peer", strip_headers: ["x-a"], unmatched_routes: "deny" }));
  const host = await loadFilter(valid);

  it("mutated, random and hostile documents are accepted or refused, never a trap", () => {
    const rng = new Rng(FUZZ_SEED + 1);
    const hostile = [
      "[".repeat(100_000), "{\"routes\":" + "[".repeat(5000), `{"routes":[],"x":1e999999}`, `{"routes":[],"x":-0.0e-0}`,
      `{"routes":[],"x":"${"a".repeat(200_000)}"}`, "\"\\u", "\"\\ud800\\u", "{\"routes\":[]}\u0000", "\ufeff{\"routes\":[]}",
      `{"routes":[${'{"path":"/a","public":true},'.repeat(2000)}]}`,
    ];
    let accepted = 0;
    let refused = 0;
    const inputs: Buffer[] = hostile.map((h) => Buffer.from(h));
    for (let cut = 0; cut < valid.length; cut++) inputs.push(valid.subarray(0, cut));   // truncated at every byte
    for (let i = 0; i < FUZZ_ITERATIONS; i++) inputs.push(rng.int(5) === 0 ? rng.bytes(rng.int(200)) : mutate(rng, mutate(rng, valid)));
    for (const input of inputs) {
      if (host.configure(input)) accepted++; else refused++;
    }
    expect(host.trap).toBeNull();
    expect(refused).toBeGreaterThan(0);
    // The last good policy is still the one in force after all that.
    host.configure(valid);
    expect(runRequest(host, { path: "/healthz" }).allowed).toBe(true);
    console.log(`config fuzz: ${inputs.length} documents, ${accepted} accepted, ${refused} refused, 0 traps`);
  });
});

describe(`fuzz: verified-claims reader (${FUZZ_ITERATIONS} iterations, seed ${FUZZ_SEED})`, async () => {
  const { ACCESS_POLICY } = await import("../test/cases/access");
  const { encodeMetadata } = await import("../tools/emulator/metadata");
  const host = await loadFilter(ACCESS_POLICY);
  const valid = encodeMetadata({
    "envoy.filters.http.jwt_authn": { jwt_payload: { sub: "alice", scope: "orders:read", roles: ["admin", 7, null], org: { id: "acme", tags: [1.5, true, "x"] } } },
    "other.filter": { k: "v" },
  });

  it("mutated, truncated and random metadata is read or refused, never a trap", () => {
    const rng = new Rng(FUZZ_SEED + 2);
    const seen = new Map<string, number>();
    const inputs: Buffer[] = [];
    for (let cut = 0; cut <= valid.length; cut++) inputs.push(valid.subarray(0, cut));
    for (let i = 0; i < FUZZ_ITERATIONS; i++) inputs.push(rng.int(5) === 0 ? rng.bytes(rng.int(300)) : mutate(rng, mutate(rng, valid)));
    // Hostile shapes: a length that runs past the end, a varint that never ends, deep nesting.
    inputs.push(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), Buffer.from(new Array(64).fill(0xff)));
    let nested = Buffer.from([0x08, 0x01]);
    for (let d = 0; d < 200; d++) nested = Buffer.concat([Buffer.from([0x2a]), Buffer.from([nested.length & 0x7f | (nested.length > 127 ? 0x80 : 0)]), ...(nested.length > 127 ? [Buffer.from([nested.length >> 7])] : []), nested]);
    inputs.push(Buffer.concat([Buffer.from([0x0a]), Buffer.from([0x80 | 0x7f, 0x7f])]), nested);
    for (const md of inputs) {
      const out = runRequest(host, { path: "/me", properties: { metadata: md } });
      const key = `${out.status ?? 200} ${out.reason ?? ""}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (![200, 401, 503].includes(out.status ?? 200)) throw new Error(`unexpected outcome ${key}`);
    }
    expect(host.trap).toBeNull();
    console.log(`claims fuzz: ${inputs.length} metadata documents: ${[...seen].map(([k, n]) => `${k}: ${n}`).join(", ")}`);
  });
});

describe(`fuzz: header hygiene (${FUZZ_ITERATIONS} iterations, seed ${FUZZ_SEED})`, async () => {
  const host = await loadFilter({ routes: [{ name: "any", path: "/**", public: true, max_body_bytes: 64 }], request_limits: { max_headers: 40, max_header_bytes: 4096, max_header_value_bytes: 1024 } });
  const names = ["content-length", "transfer-encoding", "content-type", "x-a", "x-b", "accept", "cookie", ":authority"];

  it("random header sets, values with any byte, framing headers in every combination: a known decision, never a trap", () => {
    const rng = new Rng(FUZZ_SEED + 4);
    const seen = new Map<string, number>();
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const headers: [string, string][] = [[":path", "/x"], [":method", "POST"]];
      const n = rng.int(60);
      for (let k = 0; k < n; k++) {
        const value = rng.int(3) === 0 ? rng.bytes(rng.int(1500)).toString("latin1") : String(rng.int(200));
        headers.push([rng.pick(names), value]);
      }
      const s = host.newStream({});
      s.sendRequestHeaders(headers, false);
      if (!s.localReply) s.sendRequestBody("x".repeat(rng.int(100)), true);
      s.finish();
      const key = String(s.localReply?.status ?? 200);
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (![200, 400, 413, 431].includes(Number(key))) throw new Error(`iteration ${i}: status ${key}`);
    }
    expect(host.trap).toBeNull();
    console.log(`header fuzz: ${FUZZ_ITERATIONS} requests: ${[...seen].map(([k, v]) => `${k}: ${v}`).join(", ")}`);
  });
});

describe(`fuzz: request bodies against a schema (${FUZZ_ITERATIONS} iterations, seed ${FUZZ_SEED})`, async () => {
  const schema = { type: "object", properties: { a: { type: "array", items: { type: "integer" }, uniqueItems: true }, s: { type: "string", maxLength: 50 }, o: { anyOf: [{ type: "object" }, { type: "null" }] } } };
  const host = await loadFilter({ routes: [{ name: "v", path: "/v", public: true, max_body_bytes: 300000, body_schema: schema }] });
  const valid = Buffer.from(JSON.stringify({ a: [1, 2, 3], s: "text", o: { k: [true, null, 1.5] } }));

  it("random, mutated, deep, huge, invalid UTF-8, 1e999999 and truncated bodies, at every chunk boundary for short ones: a decision, never a trap", () => {
    const rng = new Rng(FUZZ_SEED + 7);
    const seen = new Map<string, number>();
    const hostile: Buffer[] = [
      Buffer.from("[".repeat(10000)), Buffer.from('{"o":' + "[".repeat(40) + "]".repeat(40) + "}"), Buffer.from(`{"s":"${"x".repeat(200000)}"}`),
      Buffer.from('{"a":[1e999999]}'), Buffer.from('{"a":[-1e999999, 1e-999999]}'), Buffer.concat([Buffer.from('{"s":"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from('"}')]),
      Buffer.from(`{"a":[${Array.from({ length: 5000 }, (_, i) => i % 2500).join(",")}]}`), Buffer.from("{}".repeat(3)), Buffer.from(""),
    ];
    for (let cut = 0; cut < valid.length; cut++) hostile.push(valid.subarray(0, cut));
    const inputs: { body: Buffer; chunk: number }[] = hostile.map((b) => ({ body: b, chunk: 1 + rng.int(64) }));
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const body = rng.int(5) === 0 ? rng.bytes(rng.int(100)) : mutate(rng, mutate(rng, valid));
      if (body.length <= 40 && i % 20 === 0) for (let size = 1; size <= body.length; size++) inputs.push({ body, chunk: size });
      else inputs.push({ body, chunk: 1 + rng.int(16) });
    }
    for (const { body, chunk } of inputs) {
      const out = runRequest(host, { method: "POST", path: "/v", body: { base64: body.toString("base64") }, chunkSize: chunk });
      const key = `${out.status ?? 200} ${out.reason ?? ""}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (!["200 ", "400 body_invalid_json", "400 body_schema_violation", "413 body_too_large", "413 body_limit_exceeded"].includes(key)) throw new Error(`unexpected ${key}`);
    }
    expect(host.trap).toBeNull();
    console.log(`body fuzz: ${inputs.length} bodies: ${[...seen].map(([k, n]) => `${k.trim()}: ${n}`).join(", ")}`);
  });
});
