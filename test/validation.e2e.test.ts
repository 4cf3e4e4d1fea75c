// The validation table (test/cases/validation.ts) through a real Envoy: header hygiene, typed
// parameters, query and headers, body type, size and schema, rate limits. The service is the
// witness: after Envoy has quiesced, a refused request left no complete request and no body byte
// there. The same table runs in the unit build and the emulator (src-host-tests/validation.test.ts).
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { RATE_CASES, RATE_LIMITED_HEADERS, VALIDATION_CASES, VALIDATION_POLICY } from "./cases/validation";
import { call } from "./harness/client";
import { quiesce } from "./harness/fixture";
import { meshPerSuite, overBothProtocols, sendOver } from "./harness/table";

describe("validation table (real Envoy, the service as witness)", () => {
  const mesh = meshPerSuite(VALIDATION_POLICY, { requireClientCertificate: false });

  overBothProtocols(VALIDATION_CASES, async (c, http2) => {
    const m = mesh();
    const id = randomUUID();
    const r = await sendOver(m, http2, { method: c.method, path: c.path, headers: { ...c.headers, "x-test-id": id }, body: c.body, chunks: c.chunks });
    expect(r.status).toBe(c.status);
    await quiesce(m);
    const seen = m.upstream.byId(id);
    if (c.status === 200) {
      expect(seen.map((w) => w.state)).toEqual(["complete"]);
      return;
    }
    const body = JSON.parse(r.body);
    expect(body.reason).toBe(c.reason);
    expect(body).toMatchObject(c.reply ?? {});
    expect(seen.filter((w) => w.state === "complete")).toEqual([]);
    expect(seen.reduce((n, w) => n + w.bytes, 0)).toBe(0);
  });

  for (const rc of RATE_CASES) {
    it(`rate limits: ${rc.name}`, async () => {
      const m = mesh();
      const client = `e2e-${rc.client}-${randomUUID()}`;
      const replies = [];
      for (const _ of rc.statuses) replies.push(await call(m.envoy.listenerPort, { path: "/limited", headers: { "x-client": client }, ca: m.pki.ca.cert }));
      expect(replies.map((r) => r.status)).toEqual(rc.statuses);
      const refused = replies.find((r) => r.status === 429)!;
      for (const [name, pattern] of Object.entries(RATE_LIMITED_HEADERS)) expect(String(refused.headers[name])).toMatch(pattern);
    });
  }
});
