// The emulator must behave as Envoy does. A probe guest (src-host-tests/probe/probe.ts) reports
// what the host answers; the same requests go to the emulator and to a real Envoy, and the answers
// are compared side by side. Each case is a regression test for the emulator.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { connect as connectH2 } from "node:http2";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProxyWasmHost } from "../tools/emulator/host";
import { ENVOY_REFUSES_TWICE, INLINE_REQUEST_HEADERS, envoyRemoves } from "../tools/emulator/envoy-headers";
import { envoyVersion, resolveEnvoy } from "../tools/envoy/install";
import { type Framing, runRequest, upstreamComplete } from "../tools/emulator/request";
import { call } from "./harness/client";
import { type Mesh, dumpLogOnFailure, quiesce, startMesh, waitFor } from "./harness/fixture";
import { type WireFraming, sendFramed } from "./harness/raw";
import { createIssuer } from "../tools/envoy/jwt";
import { sameClaims } from "../src-host-tests/unit";

const PROBE = resolve(import.meta.dirname, "..", "build", "probe.wasm");
const PEER = "spiffe://meshguard.test/ns/probe/sa/client";

describe("emulator and Envoy agree (probe guest)", () => {
  let mesh: Mesh | undefined;
  let emulator: ProxyWasmHost;
  beforeAll(async () => {
    mesh = await startMesh("{}", { wasmPath: PROBE, requireClientCertificate: false });
    emulator = await ProxyWasmHost.load(readFileSync(PROBE), { pluginConfig: "{}" });
  });
  afterAll(async () => { await mesh?.stop(); });
  beforeEach(() => dumpLogOnFailure(() => mesh));

  async function both(headers: Record<string, string | string[]>, withCert: boolean) {
    const m = mesh!;
    const cert = withCert ? m.pki.issue(`probe${randomUUID().slice(0, 8)}`, [PEER]) : null;
    const r = await call(m.envoy.listenerPort, { path: "/probe?q=1", headers, cert, ca: m.pki.ca.cert });
    expect(r.status).toBe(200);
    const fromEmulator = runRequest(emulator, { path: "/probe?q=1", headers, peer: withCert ? PEER : null });
    return { envoy: JSON.parse(r.body), emulator: fromEmulator.body };
  }

  it("a repeated header: get returns the first value; pairs keep both; absent is NotFound", async () => {
    const { envoy, emulator: emu } = await both({ "x-probe": "headers", "x-dup": ["a", "b"] }, false);
    expect(emu).toEqual(envoy);
  });

  // Each header sent twice, with another between the two lines: what the filter sees in Envoy and
  // in the emulator (tools/emulator/envoy-headers.ts), over HTTP/1.1 (raw lines) and HTTP/2 (curl).
  const TWICE = [...INLINE_REQUEST_HEADERS, "cookie", "host", "accept-language", "forwarded",
    "grpc-message", "range", "traceparent", "x-api-key", "x-b3-traceid", "x-custom", "x-envoy-mobile-cluster", "x-forwarded-prefix",
    "x-http-method-override", "x-meshguard-user", "x-ot-span-context"];
  const seen = (pairs: [string, string][], name: string) =>
    pairs.filter(([k]) => k === name || k === "x-between" || (name === "host" && k === ":authority"));
  async function twice(name: string, http2: boolean, times = 2): Promise<{ status: number; envoy: [string, string][]; emulator: [string, string][] }> {
    const m = mesh!;
    const lines: [string, string][] = [["x-probe", "pairs"], [name, "a1"], ["x-between", "m"], ...(times === 2 ? [[name, "b2"] as [string, string]] : [])];
    let status: number;
    let body: string;
    if (http2) {
      const args = ["-s", "--http2", "--cacert", m.pki.ca.cert, "-w", "\n%{http_code} %{http_version}", ...lines.flatMap(([k, v]) => ["-H", `${k}: ${v}`])];
      let out: string;
      try { out = execFileSync("curl", [...args, `https://localhost:${m.envoy.listenerPort}/probe`]).toString(); } catch (e) { out = `\n000 2 (curl: ${(e as Error).message.split("\n")[0]})`; }
      const tail = out.slice(out.lastIndexOf("\n") + 1).split(" ");
      expect(tail[1], "curl spoke HTTP/2").toBe("2");
      status = Number(tail[0]);
      body = out.slice(0, out.lastIndexOf("\n"));
    } else {
      const r = await sendFramed({ port: m.envoy.listenerPort, ca: m.pki.ca.cert, method: "GET", path: "/probe", headerLines: lines.map(([k, v]) => `${k}: ${v}`), pieces: [] }, "h1-length");
      status = r.status;
      body = r.body;
      lines.unshift(["host", "localhost"]);   // what the raw client sends first
    }
    const emu = runRequest(emulator, { path: "/probe", authority: http2 ? `localhost:${m.envoy.listenerPort}` : undefined, headers: lines, framing: http2 ? "http2-end-on-data" : "http1" }).body as { pairs: [string, string][] };
    return { status, envoy: status === 200 ? seen(JSON.parse(body).pairs, name) : [], emulator: seen(emu.pairs, name) };
  }
  it("the emulator's inline headers are the ones this Envoy logs at start", () => {
    const line = /request header map: \d+ bytes: (\S+)/.exec(mesh!.envoy.log());
    expect(line, "Envoy logs its request header map at start").not.toBeNull();
    const inline = line![1].split(",").filter((h) => !h.startsWith(":"));
    expect(inline.sort()).toEqual([...INLINE_REQUEST_HEADERS].sort());
  });

  for (const http2 of [false, true]) {
    it(`a header sent twice, ${http2 ? "HTTP/2" : "HTTP/1.1"}: inline headers joined where the first was; the rest as sent`, async () => {
      try { execFileSync("curl", ["--version"]); } catch { throw new Error("curl is needed to send HTTP/2 headers twice (node:http2 refuses); install curl"); }
      const differ: Record<string, unknown> = {};
      // The Envoy under test (ENVOY_BIN may name another version than the pinned one).
      const v = /\/(\d+)\.(\d+)\.\d+\//.exec(envoyVersion(resolveEnvoy()));
      expect(v, "Envoy reports its version").not.toBeNull();
      const removes = envoyRemoves(Number(v![1]), Number(v![2]));
      for (const name of TWICE) {
        if (http2 && name === "host") continue;   // curl makes a host line the :authority itself
        const { status, envoy, emulator: emu } = await twice(name, http2);
        if (ENVOY_REFUSES_TWICE.includes(name)) {
          if (!http2 && status === 200) differ[name] = `Envoy passed it: ${JSON.stringify(envoy)}`;
          if (http2 && status === 200 && envoy.length !== 1) differ[name] = `HTTP/2: Envoy passed it: ${JSON.stringify(envoy)}`;
        } else if (status !== 200) {
          differ[name] = `Envoy answered ${status}`;
        } else if (removes.includes(name)) {
          if (envoy.length !== 1) differ[name] = `Envoy kept it: ${JSON.stringify(envoy)}`;
        } else if (JSON.stringify(envoy) !== JSON.stringify(emu)) {
          differ[name] = { envoy, emulator: emu };
        }
      }
      const once = await twice("cookie", http2, 1);   // HTTP/2: one crumb moves after the rest too
      if (JSON.stringify(once.envoy) !== JSON.stringify(once.emulator)) differ["cookie once"] = once;
      expect(differ).toEqual({});
    });
  }

  it("properties with a client certificate", async () => {
    const { envoy, emulator: emu } = await both({ "x-probe": "property" }, true);
    expect(envoy["connection.uri_san_peer_certificate"]).toEqual({ status: 0, value: PEER });
    expect(emu).toEqual(envoy);
  });

  it("properties without a client certificate: the SAN is NotFound", async () => {
    const { envoy, emulator: emu } = await both({ "x-probe": "property" }, false);
    expect(envoy["connection.uri_san_peer_certificate"].status).toBe(1);
    expect(emu).toEqual(envoy);
  });

  it("shared data with compare-and-swap", async () => {
    const key = randomUUID();
    const { envoy, emulator: emu } = await both({ "x-probe": "shared", "x-key": key }, false);
    expect(envoy.stale_cas).toBe(8);   // CasMismatch
    expect(emu).toEqual(envoy);
  });

  it("callbacks a stream gets after its own local reply", async () => {
    const key = randomUUID();
    await both({ "x-probe": "record", "x-key": key }, false);
    const { envoy, emulator: emu } = await both({ "x-probe": "report", "x-key": key }, false);
    expect(emu).toEqual(envoy);
  });

  it("the clock: nanoseconds since the epoch in Envoy; the test's own clock in the emulator", async () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const { envoy } = await both({ "x-probe": "time" }, false);
    const envoyNow = BigInt(envoy.now_ns);
    expect(envoyNow > before - 60_000_000_000n && envoyNow < before + 60_000_000_000n).toBe(true);
    const t0 = BigInt((runRequest(emulator, { path: "/", headers: { "x-probe": "time" } }).body as { now_ns: string }).now_ns);
    expect(t0).toBe(emulator.nowNanos);
    emulator.advance(1500);
    const t1 = BigInt((runRequest(emulator, { path: "/", headers: { "x-probe": "time" } }).body as { now_ns: string }).now_ns);
    expect(t1 - t0).toBe(1_500_000_000n);
  });

  it("ticks at the period the guest set: real time in Envoy, advance() in the emulator", async () => {
    const ticksOf = async () => (await call(mesh!.envoy.listenerPort, { path: "/", headers: { "x-probe": "ticks" }, ca: mesh!.pki.ca.cert })).body;
    const deadline = Date.now() + 10_000;
    let envoyTicks = 0;
    while (Date.now() < deadline && envoyTicks < 3) {
      envoyTicks = JSON.parse(await ticksOf()).ticks;
      if (envoyTicks < 3) await new Promise((r) => setTimeout(r, 50));
    }
    expect(envoyTicks).toBeGreaterThanOrEqual(3);
    const emu = await ProxyWasmHost.load(readFileSync(PROBE), { pluginConfig: "{}" });
    emu.advance(350);
    expect((runRequest(emu, { path: "/", headers: { "x-probe": "ticks" } }).body as { ticks: number }).ticks).toBe(3);
  });

  it("a request body read chunk by chunk through proxy_get_buffer_bytes", async () => {
    const body = "x".repeat(100_000);
    const r = await call(mesh!.envoy.listenerPort, { method: "POST", path: "/upload", headers: { "x-probe": "body" }, body, ca: mesh!.pki.ca.cert });
    const envoy = JSON.parse(r.body);
    expect(envoy).toEqual({ body_bytes: 100_000, last_chunk_matches_n: true });
    const emu = runRequest(emulator, { method: "POST", path: "/upload", headers: { "x-probe": "body" }, body, chunkSize: 5 });
    expect(emu.body).toEqual(envoy);
  });

  // How a body reaches a filter that holds it (StopIterationAndBuffer on every chunk), in every
  // framing: the size each call reports, what get_buffer_bytes gives from 0 and from the previous
  // size on, where end of stream comes, and what the service gets when the filter lets it go.
  // The chunks are paced on the probe's own record (polled), so Envoy sees exactly these pieces.
  const BODY_FRAMINGS: [WireFraming, Framing][] = [
    ["h1-length", "http1"], ["h1-chunked", "http1"], ["h2-end-on-data", "http2-end-on-data"], ["h2-empty-end", "http2-empty-end"], ["h2-trailers", "http2-trailers"],
  ];
  const PIECES = ["01234", "56789", "abc"];
  const recordOf = async (key: string): Promise<{ calls: unknown[] }> => {
    const r = await call(mesh!.envoy.listenerPort, { path: "/", headers: { "x-probe": "report", "x-key": key }, ca: mesh!.pki.ca.cert });
    const v = JSON.parse(r.body).events.value as string;
    return v ? JSON.parse(v) : { calls: [] };
  };

  for (const [framing, emulated] of BODY_FRAMINGS) {
    for (const then of ["reply", "continue"]) {
      it(`a held body, ${framing}, then ${then}: the same calls and the same service witness`, async () => {
        const m = mesh!;
        const key = randomUUID();
        const id = randomUUID();
        const headers = { "x-probe": "hold", "x-then": then, "x-key": key, "x-test-id": id };
        const afterPiece = (i: number) => waitFor(`Envoy to deliver piece ${i}`, async () => (await recordOf(key)).calls.length >= i + 1);
        const req = { port: m.envoy.listenerPort, ca: m.pki.ca.cert, path: "/upload", headers, pieces: PIECES, afterPiece };
        const reply = await sendFramed(req, framing);
        await quiesce(m);
        const envoyCalls = then === "reply" ? JSON.parse(reply.body).calls : (await recordOf(key)).calls;
        const witnessed = m.upstream.byId(id);

        const emu = await ProxyWasmHost.load(readFileSync(PROBE), { pluginConfig: "{}" });
        const s = emu.newStream({});
        s.sendRequestHeaders([[":path", "/upload"], [":method", "POST"], ...Object.entries(headers)], false);
        PIECES.forEach((p, i) => s.sendRequestBody(p, emulated === "http2-end-on-data" && i === PIECES.length - 1));
        if (emulated === "http2-trailers") s.sendRequestTrailers([["x-trailer", "end"]]);
        else if (emulated !== "http2-end-on-data") s.sendRequestBody("", true);
        const emuCalls = then === "reply" ? JSON.parse(s.localReply!.body).calls : JSON.parse(emu.sharedData.get(`order:${key}`)!.value.toString()).calls;
        s.finish();

        expect(emuCalls).toEqual(envoyCalls);
        if (then === "continue") {
          expect(witnessed.map((w) => [w.state, w.body])).toEqual([["complete", PIECES.join("")]]);
          expect(upstreamComplete(s)).toBe(true);
          expect(s.upstream.body.toString()).toBe(PIECES.join(""));
        } else {
          expect(witnessed.every((w) => w.state !== "complete" && w.bytes === 0)).toBe(true);
          expect(upstreamComplete(s)).toBe(false);
          expect(s.upstream.body.length).toBe(0);
        }
      });
    }
  }

  it("a body after the length it announced (HTTP/1.1): the request ends there; the rest is not its body", async () => {
    const m = mesh!;
    for (const announced of [0, 2]) {
      const key = randomUUID();
      const id = randomUUID();
      const headers = { "x-probe": "hold", "x-then": "continue", "x-key": key, "x-test-id": id };
      await sendFramed({ port: m.envoy.listenerPort, ca: m.pki.ca.cert, path: "/upload", headers, pieces: ["abcde"], contentLength: announced }, "h1-length");
      await quiesce(m);
      const envoyCalls = (await recordOf(key)).calls;
      const witnessed = m.upstream.byId(id).map((w) => [w.state, w.body]);

      const emu = await ProxyWasmHost.load(readFileSync(PROBE), { pluginConfig: "{}" });
      const out = runRequest(emu, { method: "POST", path: "/upload", headers: { ...headers, "content-length": String(announced) }, body: "abcde" });
      const record = emu.sharedData.get(`order:${key}`);
      const emuCalls = record ? JSON.parse(record.value.toString()).calls : [];
      expect({ announced, calls: emuCalls }).toEqual({ announced, calls: envoyCalls });
      expect(witnessed).toEqual([["complete", "abcde".slice(0, announced)]]);
      expect([out.upstream.complete, out.upstream.body.toString()]).toEqual([true, "abcde".slice(0, announced)]);
    }
  });

  it("StopIteration on request headers: Envoy calls no body callback until the filter resumes", async () => {
    // proxy-wasm-cpp-host turns StopIteration on headers into StopAllIterationAndWatermark. On one
    // HTTP/2 connection Envoy decodes frames in order, so the report (stream 3) is answered after
    // the stalled stream's DATA (stream 1) went through the filter chain.
    const m = mesh!;
    const key = randomUUID();
    const session = connectH2(`https://localhost:${m.envoy.listenerPort}`, { ca: readFileSync(m.pki.ca.cert), servername: "localhost" });
    try {
      const stalled = session.request({ ":method": "POST", ":path": "/upload", "x-probe": "stall", "x-key": key }, { endStream: false });
      stalled.on("error", () => {});
      await new Promise<void>((ok) => stalled.end("0123456789", () => ok()));
      const report = session.request({ ":method": "GET", ":path": "/", "x-probe": "report", "x-key": key });
      const body = await new Promise<string>((ok, bad) => {
        let out = "";
        report.on("data", (d: Buffer) => { out += d.toString(); });
        report.on("end", () => ok(out));
        report.on("error", bad);
      });
      expect(JSON.parse(JSON.parse(body).events.value)).toEqual({ calls: [] });
    } finally {
      session.destroy();
    }
    const emu = await ProxyWasmHost.load(readFileSync(PROBE), { pluginConfig: "{}" });
    const s = emu.newStream({});
    s.sendRequestHeaders([[":path", "/upload"], [":method", "POST"], ["x-probe", "stall"], ["x-key", key]], false);
    s.sendRequestBody("0123456789", true);
    expect(s.stalled).toBe(true);
    expect(JSON.parse(emu.sharedData.get(`order:${key}`)!.value.toString())).toEqual({ calls: [] });
    s.finish();
  });
});

// jwt_authn's verified payload reaches wasm as the `metadata` property: Envoy writes its protobuf
// maps in a new order on every request, and the emulator must too (a cache keyed on those bytes
// would hit in the emulator and never in Envoy). meshguard's order-free comparison
// (assembly/identity/same-claims.ts) must find all of Envoy's orders of one token the same.
describe("emulator and Envoy agree: the metadata's map order changes per request", () => {
  const ISSUER = "https://issuer.agreement.meshguard.test";
  const issuer = createIssuer(ISSUER, "RS256");
  const claims = { sub: "alice", aud: "agree", roles: ["reader", "support"], scope: "orders:read", org: { id: 7, tier: "gold", region: "eu" } };
  let mesh: Mesh | undefined;
  beforeAll(async () => {
    mesh = await startMesh("{}", { wasmPath: PROBE, requireClientCertificate: false, jwtProviders: [{ name: "agree", issuer: ISSUER, audiences: ["agree"], jwks: issuer.jwks }] });
  });
  afterAll(async () => { await mesh?.stop(); });
  beforeEach(() => dumpLogOnFailure(() => mesh));

  it("12 requests with one token: several byte orders in Envoy and in the emulator, all the same claims", async () => {
    const token = issuer.token(claims);
    const envoyBytes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await call(mesh!.envoy.listenerPort, { path: "/probe", headers: { "x-probe": "prop", "x-prop": "metadata", authorization: `Bearer ${token}` }, ca: mesh!.pki.ca.cert });
      expect(r.status).toBe(200);
      envoyBytes.push(JSON.parse(r.body).hex);
    }
    const emulator = await ProxyWasmHost.load(readFileSync(PROBE), { pluginConfig: "{}" });
    const payload = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());   // what jwt_authn publishes
    const emulatorBytes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = runRequest(emulator, { path: "/probe", headers: { "x-probe": "prop", "x-prop": "metadata" }, jwt_claims: payload });
      emulatorBytes.push((r.body as unknown as { hex: string }).hex);
    }
    expect(new Set(envoyBytes).size).toBeGreaterThan(3);
    expect(new Set(emulatorBytes).size).toBeGreaterThan(3);
    // The same claims: the same length in both, and every one of the 24 the same as the first.
    const all = [...envoyBytes, ...emulatorBytes].map((h) => Buffer.from(h, "hex"));
    expect(new Set(all.map((b) => b.length)).size).toBe(1);
    for (const b of all) expect(sameClaims(all[0], b), b.toString("hex")).toBe(true);
  });

  // A path below `metadata` reaches one claim, but Envoy writes the value without its type (a map
  // or list as proxy-wasm pairs, a number as 8 bytes, a string as its bytes): "abcdefgh" and a
  // number can be the same bytes; and a null, or a map holding one (the whole payload here), cannot
  // be written at all. meshguard reads the whole, typed `metadata` for those reasons
  // (identity/claims.ts); the emulator reads these paths as Envoy does.
  it("a claim's own path: Envoy writes it untyped, and the emulator writes it the same", async () => {
    const typed = { ...claims, n: 7, b: true, none: null, s8: "abcdefgh", f: Buffer.from("abcdefgh").readDoubleLE(0), nested: [[1, "a"], { k: "v" }] };
    const token = issuer.token(typed);
    const payload = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    const emulator = await ProxyWasmHost.load(readFileSync(PROBE), { pluginConfig: "{}" });
    const ns = "metadata/filter_metadata/envoy.filters.http.jwt_authn";
    const paths: [string, unknown][] = [[`${ns}/jwt_payload`, payload], [`${ns}/jwt_payload/sub`, "alice"], [`${ns}/jwt_payload/roles`, typed.roles],
      [`${ns}/jwt_payload/org`, typed.org], [`${ns}/jwt_payload/org/tier`, "gold"], [`${ns}/jwt_payload/n`, 7], [`${ns}/jwt_payload/b`, true],
      [`${ns}/jwt_payload/none`, null], [`${ns}/jwt_payload/nested`, typed.nested], [`${ns}/jwt_payload/s8`, "s8"], [`${ns}/jwt_payload/f`, 0],
      [`${ns}/jwt_payload/nope`, undefined], [`${ns}/nope`, undefined], ["metadata/filter_metadata/nope", undefined], ["metadata/nope", undefined]];
    const answers: Record<string, string> = {};
    for (const [path, value] of paths) {
      const r = await call(mesh!.envoy.listenerPort, { path: "/probe", headers: { "x-probe": "prop", "x-prop": path, authorization: `Bearer ${token}` }, ca: mesh!.pki.ca.cert });
      const e = JSON.parse(r.body) as { status: number; hex: string };
      const m = runRequest(emulator, { path: "/probe", headers: { "x-probe": "prop", "x-prop": path }, jwt_claims: payload }).body as unknown as { status: number; hex: string };
      expect(m.status, path).toBe(e.status);
      expect(e.status, path).toBe(value === undefined ? 1 : JSON.stringify(value).includes("null") ? 3 : 0);   // NotFound, SerializationFailure, Ok
      expect(canonical(Buffer.from(m.hex, "hex"), value), path).toEqual(canonical(Buffer.from(e.hex, "hex"), value));
      answers[path.slice(ns.length + 13)] = e.hex;
    }
    expect(answers.s8).toBe(answers.f);   // a string and a number, the same bytes
    expect(answers.n).toBe("0000000000001c40");
  });
});

// Pairs written in any map order, read back in a fixed one (the value tells which are maps).
function canonical(bytes: Buffer, value: unknown): unknown {
  if (value === null || typeof value !== "object" || bytes.length === 0) return bytes.toString("hex");
  const n = bytes.readUInt32LE(0);
  let p = 4 + 8 * n;
  const entries: [Buffer, Buffer][] = [];
  for (let i = 0; i < n; i++) {
    const k = bytes.readUInt32LE(4 + 8 * i), v = bytes.readUInt32LE(8 + 8 * i);
    entries.push([bytes.subarray(p, p + k), bytes.subarray(p + k + 1, p + k + 1 + v)]);
    p += k + v + 2;
  }
  if (Array.isArray(value)) return entries.map(([k, v], i) => [canonical(k, value[i]), v.toString("hex")]);
  return entries.map(([k, v]) => [k.toString(), canonical(v, (value as Record<string, unknown>)[k.toString()])]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}
