// The identity table through the emulator. test/identity.e2e.test.ts runs the same table through
// a real Envoy.
import { describe, expect, it } from "vitest";
import { IDENTITY_CASES, IDENTITY_POLICY, type IdentityCase, TRUST_CASES, TRUST_ONLY_CASES, TRUST_ONLY_POLICY, TRUST_POLICY } from "../test/cases/identity";
import { header, runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

const TABLES: [string, object, IdentityCase[]][] = [
  ["identity table", IDENTITY_POLICY, IDENTITY_CASES],
  ["trust domains and require_peer", TRUST_POLICY, TRUST_CASES],
  ["trust domains without require_peer", TRUST_ONLY_POLICY, TRUST_ONLY_CASES],
];

for (const [title, policy, cases] of TABLES) describe(`${title} (emulator)`, async () => {
  const host = await loadFilter(policy);

  it("accepts the table's policy", () => {
    expect(host.configured).toBe(true);
  });

  for (const c of cases) {
    it(c.name, () => {
      const out = runRequest(host, { path: c.path, headers: c.headers, peer: c.certUris?.[0] ?? null });
      expect(out.status ?? 200).toBe(c.status);
      if (c.status !== 200) {
        expect(out.reason).toBe(c.reason);
        expect(out.details).toBe(`meshguard_${c.reason}`);
        expect((out.body as { status: number }).status).toBe(c.status);
        return;
      }
      const peer = header(out.forwardedHeaders, "x-meshguard-peer-id");
      expect(peer).toEqual(c.forwardedPeer ? [c.forwardedPeer] : []);
      expect(header(out.forwardedHeaders, "x-forwarded-client-cert")).toEqual([]);
      for (const name of c.removed ?? []) expect([name, header(out.forwardedHeaders, name)]).toEqual([name, []]);
    });
  }

  it("never trapped", () => {
    expect(host.trap).toBeNull();
  });
});
