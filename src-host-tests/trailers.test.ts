// Request trailers named as headers meshguard removes or reads (validate/trailers.ts), in the
// emulator: the trailer table (test/cases/trailers.ts) on a body meshguard holds and on one it
// streams, and audit mode. The witness is what the emulator's upstream received.
import { describe, expect, it } from "vitest";
import { TRAILER_BODY, TRAILER_CASES, TRAILER_PATHS, TRAILER_POLICY } from "../test/cases/trailers";
import type { HeaderPairs } from "../tools/emulator/abi";
import type { ProxyWasmHost, Stream } from "../tools/emulator/host";
import { loadFilter } from "./fixture";

function send(host: ProxyWasmHost, path: string, trailers: Record<string, string>): Stream {
  const s = host.newStream({});
  s.sendRequestHeaders([[":path", path], [":method", "POST"], [":authority", "svc"], ["content-type", "application/json"]], false);
  s.sendRequestBody(TRAILER_BODY, false);
  s.sendRequestTrailers(Object.entries(trailers));
  return s;
}

const names = (pairs: HeaderPairs | null) => (pairs ?? []).map(([k]) => k);

describe("request trailers (emulator)", async () => {
  const host = await loadFilter(TRAILER_POLICY);
  const audit = await loadFilter({ ...TRAILER_POLICY, mode: "audit" });
  for (const [mode, filter] of [["enforce", host], ["audit", audit]] as const) {
    for (const path of TRAILER_PATHS) {
      for (const c of TRAILER_CASES) {
        it(`${c.name} (${path}, ${mode}): ${c.removed.length > 0 ? "removed" : "passed on"}`, () => {
          const s = send(filter, path, c.trailers);
          expect(s.localReply).toBeNull();
          expect(s.upstream.ended).toBe(true);
          expect(s.upstream.body.toString()).toBe(TRAILER_BODY);
          for (const n of c.removed) expect(names(s.upstream.trailers)).not.toContain(n);
          for (const n of c.kept) expect(s.upstream.trailers).toContainEqual([n, c.trailers[n]]);
        });
      }
    }
  }
  it("a host that cannot remove a trailer: fail closed (503), the request never completes", () => {
    host.failures.set("proxy_remove_header_map_value", 2);
    try {
      const s = send(host, "/tenant", { "x-meshguard-user": "root" });
      expect(s.localReply?.status).toBe(503);
      expect(s.upstream.ended).toBe(false);
    } finally { host.failures.clear(); }
  });
  it("never trapped", () => { expect(host.trap).toBeNull(); expect(audit.trap).toBeNull(); });
});
