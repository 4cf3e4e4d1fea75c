// The outcome meshguard sets in filter state for the access log, in the emulator (the same cases
// as test/access-log.e2e.test.ts), and nothing when the policy does not ask for it.
import { describe, expect, it } from "vitest";
import { ACCESS_LOG_CASES, ACCESS_LOG_POLICY } from "../test/cases/access-log";
import { bodyBytes, deliverBody, envoyRequestHeaders } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

describe("the outcome in filter state (emulator)", async () => {
  const host = await loadFilter(ACCESS_LOG_POLICY);
  for (const c of ACCESS_LOG_CASES) {
    it(c.name, () => {
      const body = bodyBytes(c.body);
      const s = host.newStream({});
      s.sendRequestHeaders(envoyRequestHeaders({ method: c.method, path: c.path, headers: c.headers }, body), body === null);
      if (body && !s.localReply) deliverBody(s, body, "http1");
      expect(s.localReply?.status ?? 200).toBe(c.status);
      expect(JSON.parse(s.filterState.get("wasm.meshguard")!.toString())).toEqual(c.outcome);
      s.finish();
    });
  }

  it("without access_log: true, no filter state (no host call)", async () => {
    const quiet = await loadFilter({ ...ACCESS_LOG_POLICY, access_log: undefined });
    const s = quiet.newStream({});
    s.sendRequestHeaders(envoyRequestHeaders({ path: "/open" }, null), true);
    expect(s.filterState.size).toBe(0);
  });
});
