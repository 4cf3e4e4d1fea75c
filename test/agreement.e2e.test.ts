// The emulator must behave as Envoy does. A probe guest (src-host-tests/probe/probe.ts) reports
// what the host answers; the same requests go to the emulator and to a real Envoy, and the answers
// are compared side by side. Each case is a regression test for the emulator.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProxyWasmHost } from "../src-host-tests/emulator/host";
import { runRequest } from "../src-host-tests/emulator/request";
import { call } from "./harness/client";
import { type Mesh, dumpLogOnFailure, startMesh } from "./harness/fixture";

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
});
