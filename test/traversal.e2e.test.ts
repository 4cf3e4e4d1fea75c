// The traversal corpus (test/cases/traversal.ts) through a real Envoy with its path normalisation
// (normalize_path, merge_slashes), over raw HTTP/1.1 and HTTP/2 so every byte of the path goes as
// written. The service is the witness, after Envoy and the service have finished every request:
// nothing it received may resolve into /admin under a lenient decoder (up to three decodings,
// overlong UTF-8, %uXXXX, '\' as '/', ';' parameters dropped).
// Writes build/traversal-table.json: outcomes by status and reason per protocol, for the note.
import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { CATCH_ALL_POLICY, HOST_CASES, HOST_POLICY, METHOD_CASES, METHOD_POLICY, TRAVERSAL_POLICY, lenientReadings, parameterCorpus, reachesProtected, traversalCorpus } from "./cases/traversal";
import { quiesce } from "./harness/fixture";
import { type WireFraming, sendFramed } from "./harness/raw";
import { meshPerSuite, overBothProtocols, sendOver } from "./harness/table";

const tables: Record<string, unknown> = {};

describe("traversal corpus (real Envoy, the service as witness)", () => {
  const mesh = meshPerSuite(TRAVERSAL_POLICY, { requireClientCertificate: false });
  afterAll(() => writeFileSync(new URL("../build/traversal-table.json", import.meta.url), JSON.stringify(tables, null, 2)));

  for (const framing of ["h1-length", "h2-empty-end"] as WireFraming[]) {
    it(`${framing}: no request the service received resolves into /admin, however leniently it decodes`, async () => {
      const m = mesh();
      const corpus = traversalCorpus();
      const before = m.upstream.seen.length;
      const outcomes = new Map<string, number>();
      let next = 0;
      const worker = async () => {
        while (next < corpus.length) {
          const v = corpus[next++];
          let key: string;
          try {
            const r = await sendFramed({ port: m.envoy.listenerPort, ca: m.pki.ca.cert, method: "GET", path: v.path, pieces: [] }, framing);
            let reason = "";
            try { reason = JSON.parse(r.body).reason ?? ""; } catch { /* Envoy's own reply, or the echo */ }
            key = `${r.status} ${r.status === 200 ? "" : reason || "(envoy)"}`.trim();
          } catch {
            key = "refused by Envoy's codec (no response)";
          }
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      await quiesce(m);
      const received = m.upstream.seen.slice(before);
      const escaped = received.filter((w) => reachesProtected(w.path)).map((w) => `${w.path} → ${lenientReadings(w.path).join(" | ")}`);
      const table = { corpus: corpus.length, outcomes: Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])), serviceReceived: received.length, resolvingIntoAdmin: escaped.length, examples: escaped.slice(0, 20), received: [...new Set(received.map((w) => w.path))].slice(0, 40) };
      tables[framing] = table;
      console.log(`traversal corpus, ${framing}: ${JSON.stringify(table)}`);
      expect(escaped).toEqual([]);
      expect(received.length).toBeGreaterThan(0);   // the allowed prefix does reach the service
    }, 120_000);
  }
});

describe("';' path parameters behind a public catch-all (real Envoy, the service as witness)", () => {
  const mesh = meshPerSuite(CATCH_ALL_POLICY, { requireClientCertificate: false });

  for (const framing of ["h1-length", "h2-empty-end"] as WireFraming[]) {
    it(`${framing}: nothing the service received reads as /admin to a server that drops path parameters or routes without case (.NET and Java folding included)`, async () => {
      const m = mesh();
      const before = m.upstream.seen.length;
      for (const path of parameterCorpus()) {
        await sendFramed({ port: m.envoy.listenerPort, ca: m.pki.ca.cert, method: "GET", path, pieces: [] }, framing).catch(() => null);
      }
      await quiesce(m);
      const received = m.upstream.seen.slice(before);
      expect(received.filter((w) => reachesProtected(w.path)).map((w) => w.path)).toEqual([]);
      expect(received.some((w) => w.path.startsWith("/public/x;"))).toBe(true);   // public paths with parameters still pass
    });
  }
});

// A table of requests, each sent over HTTP/1.1 and HTTP/2 through its own Envoy: the status, the
// reason where the reply has a body (Envoy drops a reply's body for HEAD), and what the service
// received: the request when it passed, nothing when it was refused.
interface TableCase { name: string; method?: string; path: string; authority?: string; headers?: Record<string, string | string[]>; status: number; reason?: string }
function envoyTable(title: string, policy: object, cases: TableCase[]): void {
  describe(`${title} (real Envoy, HTTP/1.1 and HTTP/2, the service as witness)`, () => {
    const mesh = meshPerSuite(policy, { requireClientCertificate: false });
    overBothProtocols(cases, async (c, http2) => {
      const m = mesh();
      const before = m.upstream.seen.length;
      const method = c.method ?? "GET";
      const host = c.authority ? { [http2 ? ":authority" : "host"]: c.authority } : {};
      const r = await sendOver(m, http2, { method, path: c.path, headers: { ...host, ...c.headers } });
      expect(r.status).toBe(c.status);
      await quiesce(m);
      expect(m.upstream.seen.length).toBe(before + (c.status === 200 ? 1 : 0));
      if (c.status !== 200 && method !== "HEAD") expect(JSON.parse(r.body).reason).toBe(c.reason);
    });
  });
}

envoyTable("the host table", HOST_POLICY, HOST_CASES.map((c) => ({ ...c, path: "/users" })));
envoyTable("the method table", METHOD_POLICY, METHOD_CASES);
