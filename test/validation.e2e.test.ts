// The validation table (test/cases/validation.ts) through a real Envoy: header hygiene, typed
// parameters, query and headers, body type, size and schema, rate limits. The service is the
// witness: after Envoy has quiesced, a refused request left no complete request and no body byte
// there. The same table runs in the unit build and the emulator (src-host-tests/validation.test.ts).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RATE_CASES, RATE_LIMITED_HEADERS, VALIDATION_CASES, VALIDATION_POLICY } from "./cases/validation";
import { call } from "./harness/client";
import { sendFramed } from "./harness/raw";
import { type Mesh, dumpLogOnFailure, quiesce, startMesh } from "./harness/fixture";

describe("validation table (real Envoy, the service as witness)", () => {
  let mesh: Mesh | undefined;
  beforeAll(async () => { mesh = await startMesh(VALIDATION_POLICY, { requireClientCertificate: false }); });
  afterAll(async () => { await mesh?.stop(); });
  beforeEach(() => dumpLogOnFailure(() => mesh));

  // Each case over HTTP/1.1 and HTTP/2 (a body of known length announces it; chunks go out as DATA
  // frames without a length, the end in an empty frame of its own, as Envoy delivers it last).
  for (const http2 of [false, true]) for (const c of VALIDATION_CASES) {
    it(`${c.name}${http2 ? " (HTTP/2)" : ""}`, async () => {
      const m = mesh!;
      const id = randomUUID();
      const headers = { ...c.headers, "x-test-id": id };
      const r = http2
        ? await sendFramed({
          port: m.envoy.listenerPort, ca: m.pki.ca.cert, method: c.method ?? "GET", path: c.path, pieces: c.chunks ?? (c.body === undefined ? [] : [c.body]),
          headers: c.body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(c.body)) },
        }, "h2-empty-end")
        : await call(m.envoy.listenerPort, { method: c.method, path: c.path, headers, body: c.body, chunks: c.chunks, ca: m.pki.ca.cert });
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
  }

  for (const rc of RATE_CASES) {
    it(`rate limits: ${rc.name}`, async () => {
      const m = mesh!;
      const client = `e2e-${rc.client}-${randomUUID()}`;
      const replies = [];
      for (const _ of rc.statuses) replies.push(await call(m.envoy.listenerPort, { path: "/limited", headers: { "x-client": client }, ca: m.pki.ca.cert }));
      expect(replies.map((r) => r.status)).toEqual(rc.statuses);
      const refused = replies.find((r) => r.status === 429)!;
      for (const [name, pattern] of Object.entries(RATE_LIMITED_HEADERS)) expect(String(refused.headers[name])).toMatch(pattern);
    });
  }
});
