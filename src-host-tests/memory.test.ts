// Memory must not grow with traffic: linear memory pages after many requests equal those after a
// thousand (allowed and refused mixed). The benchmark script runs the same check at 1,000,000.
import { describe, expect, it } from "vitest";
import { IDENTITY_POLICY } from "../test/cases/identity";
import { loadFilter } from "./fixture";
import { mixedTraffic, rulesPolicy, rulesShot, shoot } from "./traffic";
import { encodeMetadata } from "../tools/emulator/metadata";

describe("memory", () => {
  it("pages after 100,000 mixed requests equal pages after 1,000", async () => {
    const host = await loadFilter(IDENTITY_POLICY);
    const traffic = mixedTraffic(host);
    traffic(1000);
    const after1k = host.memoryPages;
    traffic(99_000);
    expect(host.memoryPages).toBe(after1k);
    expect(host.trap).toBeNull();
  });

  // The collection threshold follows the policy's size (assembly/abi/collect.ts): a large policy
  // collects less often, and memory still reaches a plateau.
  it("a 1,000-route policy: pages after 60,000 requests equal pages after 10,000", async () => {
    const host = await loadFilter(rulesPolicy(1000));
    const claims = (sub: string) => encodeMetadata({ "envoy.filters.http.jwt_authn": { jwt_payload: { sub, roles: ["reader-999"] } } });
    const shots = [rulesShot(1000, claims("alice")), rulesShot(1000, claims("bob"))];
    for (let i = 0; i < 10_000; i++) shoot(host, shots[i & 1]);
    const plateau = host.memoryPages;
    for (let i = 0; i < 50_000; i++) shoot(host, shots[i & 1]);
    expect(host.memoryPages).toBe(plateau);
    expect(host.trap).toBeNull();
  });
});
