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
});
