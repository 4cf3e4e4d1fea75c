// The identity table through a real Envoy with real mutual TLS. The listener lets clients without
// a certificate through the handshake (as Istio's PERMISSIVE mode does), so meshguard decides.
// Envoy forwards a client's x-forwarded-client-cert untouched here (ALWAYS_FORWARD_ONLY), to show
// that meshguard removes it on its own.
import { describe, expect, it } from "vitest";
import { IDENTITY_CASES, IDENTITY_POLICY, type IdentityCase, TRUST_CASES, TRUST_POLICY } from "./cases/identity";
import { type Mesh, quiesce } from "./harness/fixture";
import { call } from "./harness/client";
import { meshPerSuite, overBothProtocols, sendOver } from "./harness/table";
import type { CertFiles } from "../tools/envoy/pki";

// One identity table through its own Envoy, over HTTP/1.1 and HTTP/2: each case's status and
// reason, nothing at the service for a refusal, and for an allowed request the peer header
// meshguard set and no client XFCC.
function identityTable(title: string, policy: object, cases: IdentityCase[], more?: (mesh: () => Mesh) => void): void {
  describe(`${title} (real Envoy, mutual TLS)`, () => {
    const certs = new Map<string, CertFiles>();
    const mesh = meshPerSuite(policy, { requireClientCertificate: false, forwardClientCert: "ALWAYS_FORWARD_ONLY" }, (m) => {
      cases.forEach((c, i) => { if (c.certUris) certs.set(c.name, m.pki.issue(`client${i}`, c.certUris)); });
    });

    overBothProtocols(cases, async (c, http2) => {
      const m = mesh();
      const before = m.upstream.seen.length;
      const r = await sendOver(m, http2, { path: c.path, headers: c.headers, cert: certs.get(c.name) ?? null });
      expect(r.status).toBe(c.status);
      if (c.status !== 200) {
        const body = JSON.parse(r.body);
        expect(body.reason).toBe(c.reason);
        expect(body.status).toBe(c.status);
        expect(r.headers["content-type"]).toBe("application/json");
        await quiesce(m);
        expect(m.upstream.seen.length).toBe(before);   // not even the headers reached the service
        return;
      }
      const echo = JSON.parse(r.body);
      expect(echo.headers["x-meshguard-peer-id"] ?? null).toBe(c.forwardedPeer ?? null);
      expect(echo.headers["x-forwarded-client-cert"]).toBeUndefined();
      for (const name of c.removed ?? []) expect([name, echo.headers[name]]).toEqual([name, undefined]);
    });
    more?.(mesh);
  });
}

identityTable("identity table", IDENTITY_POLICY, IDENTITY_CASES, (mesh) => {
  it("counts decisions in Envoy's stats", async () => {
    const stats = await mesh().envoy.stats();
    // Each case ran twice: HTTP/1.1 and HTTP/2.
    const allowed = IDENTITY_CASES.filter((c) => c.status === 200).length;
    expect(stats["wasmcustom.meshguard.requests.allowed"]).toBe(2 * allowed);
    expect(stats["wasmcustom.meshguard.requests.denied"]).toBe(2 * (IDENTITY_CASES.length - allowed));
    expect(stats["wasmcustom.meshguard.denied.identity_missing"]).toBe(2 * IDENTITY_CASES.filter((c) => c.reason === "identity_missing").length);
  });
});
identityTable("trust domains and require_peer", TRUST_POLICY, TRUST_CASES);

describe("strict mutual TLS (real Envoy)", () => {
  const mesh = meshPerSuite(IDENTITY_POLICY, { requireClientCertificate: true });

  it("refuses a client without a certificate during the handshake", async () => {
    await expect(call(mesh().envoy.listenerPort, { path: "/healthz", cert: null, ca: mesh().pki.ca.cert })).rejects.toThrow(/certificate required|socket hang up|ECONNRESET/);
  });

  it("refuses a certificate from another CA during the handshake", async () => {
    const { createPki } = await import("../tools/envoy/pki");
    const other = createPki();
    const rogue = other.issue("rogue", ["spiffe://meshguard.test/ns/shop/sa/web"]);
    await expect(call(mesh().envoy.listenerPort, { path: "/api/orders", cert: rogue, ca: mesh().pki.ca.cert })).rejects.toThrow();
  });
});
