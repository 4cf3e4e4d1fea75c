// The whole-request fuzzer (src-host-tests/fuzz.ts) at CI size; scripts/fuzz.ts runs it at a
// million requests. FUZZ_REQUESTS and FUZZ_SEED change the run.
import { expect, it } from "vitest";
import { fuzzRun } from "./fuzz";

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 20000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);

it(`${REQUESTS} generated requests (seed ${SEED}), both policies, injected host failures: no trap, no invariant broken, memory flat`, async () => {
  const r = await fuzzRun(REQUESTS, SEED);
  console.log(`whole-request fuzz: ${r.requests} requests in ${(r.ms / 1000).toFixed(1)} s, ${r.traps.length} traps, pages ${r.pagesStart} → ${r.pagesEnd}; ` +
    [...r.outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k.trim() || "200"}: ${n}`).join(", "));
  expect(r.traps).toEqual([]);
  expect(r.violations).toEqual([]);
  // Every kind of outcome the generator aims at turns up (the run is not vacuous).
  for (const reason of ["200 ", "400 path_invalid", "400 body_schema_violation", "400 body_invalid_json", "401 identity_missing", "403 not_allowed", "429 rate_limited", "503 request_unavailable"]) {
    expect(r.outcomes.get(reason) ?? 0, reason).toBeGreaterThan(0);
  }
  expect(r.pagesEnd - r.pagesStart).toBeLessThanOrEqual(64);
}, 300_000);
