// Request trailers named as headers meshguard removes or reads, through a real Envoy that keeps
// trailers both ways (enable_trailers for HTTP/1.1; HTTP/2 always): the trailer table over HTTP/1.1
// chunked and HTTP/2, on a body meshguard holds (a schema) and on one it streams. The service is
// the witness: after Envoy and the service finished every request (quiesce), each arrived complete,
// without the removed trailers and with the others as sent.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TRAILER_BODY, TRAILER_CASES, TRAILER_PATHS, TRAILER_POLICY } from "./cases/trailers";
import { quiesce } from "./harness/fixture";
import { sendFramed } from "./harness/raw";
import { meshPerSuite } from "./harness/table";

const FRAMINGS = ["h1-chunked", "h2-trailers"] as const;

describe("request trailers (real Envoy, the service as witness)", () => {
  const mesh = meshPerSuite(TRAILER_POLICY, { requireClientCertificate: false, trailers: true });

  for (const framing of FRAMINGS) {
    for (const path of TRAILER_PATHS) {
      for (const c of TRAILER_CASES) {
        it(`${c.name} (${path}, ${framing}): ${c.removed.length > 0 ? "removed" : "passed on"}`, async () => {
          const m = mesh();
          const id = randomUUID();
          const headers = { "x-test-id": id, "content-type": "application/json" };
          const reply = await sendFramed({ port: m.envoy.listenerPort, ca: m.pki.ca.cert, path, headers, pieces: [TRAILER_BODY], trailers: c.trailers }, framing);
          await quiesce(m);
          const seen = m.upstream.byId(id);
          const complete = seen.filter((w) => w.state === "complete");
          expect(reply.status).toBe(200);
          expect(complete.length).toBe(1);
          expect(complete[0].body).toBe(TRAILER_BODY);
          for (const n of c.removed) expect(Object.keys(complete[0].trailers)).not.toContain(n);
          for (const n of c.kept) expect(complete[0].trailers[n]).toBe(c.trailers[n]);
        });
      }
    }
  }
});
