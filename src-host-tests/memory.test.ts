// Memory must not grow with traffic: linear memory pages after many requests equal those after a
// thousand (allowed and refused mixed). The benchmark script runs the same check at 1,000,000.
import { describe, expect, it } from "vitest";
import { IDENTITY_POLICY } from "../test/cases/identity";
import { loadFilter } from "./fixture";
import { mixedTraffic } from "./traffic";

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
});
