// Rate-limit accuracy through a real Envoy with two workers (--concurrency 2): several clients on
// one key, each on its own kept-alive connection, as fast as they can for a fixed time. Allowed
// requests are compared with capacity + rate × seconds; the goal is within 2% or one token,
// whichever is larger. Buckets kept per VM (shared: false) are measured too, to show what sharing
// does. The numbers are printed for the record.
import { afterAll, describe, expect, it } from "vitest";
import { call, keepAliveAgent } from "./harness/client";
import { type Mesh, startMesh } from "./harness/fixture";

const CLIENTS = 8;
const SECONDS = 3;

interface Run { allowed: number; limited: number; other: number; elapsed: number; workers: number[]; contention: number }

async function hammer(mesh: Mesh): Promise<Run> {
  let allowed = 0, limited = 0, other = 0;
  let first = 0, last = 0;
  const stopAt = Date.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    const agent = keepAliveAgent();
    while (Date.now() < stopAt) {
      const sent = performance.now();
      if (first === 0) first = sent;
      last = Math.max(last, sent);
      const r = await call(mesh.envoy.listenerPort, { path: "/api/items", ca: mesh.pki.ca.cert, agent });
      if (r.status === 200) allowed++; else if (r.status === 429) limited++; else other++;
    }
    agent.destroy();
  }));
  const stats = await mesh.envoy.stats("");
  const workers = Object.entries(stats).filter(([k]) => /^listener\..*\.worker_\d+\.downstream_cx_total$/.test(k)).map(([, v]) => v);
  return { allowed, limited, other, elapsed: (last - first) / 1000, workers, contention: stats["wasmcustom.meshguard.ratelimit.contention"] ?? 0 };
}

const policy = (capacity: number, perSecond: number, shared: boolean) => ({
  routes: [{ name: "items", path: "/api/**", public: true }],
  rate_limits: { shared, limits: [{ name: "items", capacity, refill: { tokens: perSecond, seconds: 1 }, key: ["route"] }] },
});

describe(`rate-limit accuracy (real Envoy, 2 workers, ${CLIENTS} clients, ${SECONDS} s)`, () => {
  const rows: Record<string, string | number>[] = [];
  afterAll(() => { console.log("\nrate-limit accuracy:"); console.table(rows); });

  // The last pair is fast enough for workers to lease tokens ahead (ratelimit/limiter.ts): up to
  // min(32, 1/16 of the bucket, 0.1 s of refill) per worker while the bucket is full.
  for (const [capacity, rate] of [[10, 50], [20, 200], [400, 400]]) {
    it(`shared buckets: capacity ${capacity}, ${rate}/s${rate >= 100 ? " (leases)" : ""}`, async () => {
      const mesh = await startMesh(policy(capacity, rate, true), { requireClientCertificate: false }, { concurrency: 2 });
      try {
        const run = await hammer(mesh);
        const expected = capacity + rate * run.elapsed;
        const tolerance = Math.max(0.02 * expected, 1);
        rows.push({ mode: "shared", capacity, rate, seconds: +run.elapsed.toFixed(3), sent: run.allowed + run.limited, allowed: run.allowed, expected: +expected.toFixed(1), error_pct: +((100 * (run.allowed - expected)) / expected).toFixed(2), workers: run.workers.join("/"), contention: run.contention });
        expect(run.other).toBe(0);
        expect(run.workers.filter((n) => n > 0).length).toBe(2);           // both workers served clients
        expect(run.limited).toBeGreaterThan(run.allowed);                    // the clients did exceed the rate
        expect(Math.abs(run.allowed - expected)).toBeLessThanOrEqual(tolerance);
      } finally {
        await mesh.stop();
      }
    });
  }

  it("per-VM buckets (shared: false) let each worker spend the whole quota", async () => {
    const [capacity, rate] = [20, 200];
    const mesh = await startMesh(policy(capacity, rate, false), { requireClientCertificate: false }, { concurrency: 2 });
    try {
      const run = await hammer(mesh);
      const expected = capacity + rate * run.elapsed;
      rows.push({ mode: "per-VM", capacity, rate, seconds: +run.elapsed.toFixed(3), sent: run.allowed + run.limited, allowed: run.allowed, expected: +expected.toFixed(1), error_pct: +((100 * (run.allowed - expected)) / expected).toFixed(2), workers: run.workers.join("/"), contention: run.contention });
      expect(run.workers.filter((n) => n > 0).length).toBe(2);
      expect(run.allowed).toBeGreaterThan(1.5 * expected);                   // about twice the quota on two workers
    } finally {
      await mesh.stop();
    }
  });
});
