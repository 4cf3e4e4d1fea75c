// The claims cache's comparison (assembly/identity/same-claims.ts): Envoy writes the metadata's
// maps in a new order on every request (test/agreement.e2e.test.ts), so the cache of decoded
// claims compares metadata order-free. What must hold: every order of the same claims is the same;
// different claims are not; a key twice in one map is never the same (order would decide); and,
// for any bytes at all, two inputs found the same decode to the same claims (members compared by
// name: claims are read by name) or the same error (a fuzz over mutated and shuffled metadata).
import { describe, expect, it } from "vitest";
import { callText, sameClaims } from "./unit";
import { encodeMetadata, shuffler } from "../tools/emulator/metadata";
import { FUZZ_ITERATIONS, FUZZ_SEED, Rng } from "./random";

const NS = "envoy.filters.http.jwt_authn";
const md = (payload: Record<string, unknown>, seed?: number, extra: Record<string, Record<string, unknown>> = {}) =>
  encodeMetadata({ [NS]: { jwt_payload: payload }, ...extra }, seed === undefined ? undefined : shuffler(seed));
const claims = (b: Buffer) => callText("claimsOf", b);

const ALICE = { sub: "alice", aud: "shop", roles: ["reader", "support"], scope: "orders:read profile", org: { id: 7, tier: "gold", regions: ["eu", "us"], meta: { a: true, b: null } }, exp: 1767225600 };

describe("the order-free comparison of the verified claims", () => {
  it("every order of the same claims (maps at every depth) is the same, and the bytes do differ", () => {
    const all: Buffer[] = [];
    for (let seed = 1; seed <= 40; seed++) all.push(md(ALICE, seed, { "envoy.lb": { canary: true, zone: "a" } }));
    expect(new Set(all.map((b) => b.toString("hex"))).size).toBeGreaterThan(30);
    for (const a of all) for (const b of all) expect(sameClaims(a, b)).toBe(true);
  });

  it("different claims are not the same: a value, a name, a list's order, a nested value, one more member, one fewer", () => {
    const variants = [
      ALICE, { ...ALICE, sub: "bob" }, { ...ALICE, roles: ["support", "reader"] }, { ...ALICE, org: { ...ALICE.org, tier: "silver" } },
      { ...ALICE, exp: 1767225601 }, { ...ALICE, extra: "" }, { ...ALICE, scope: undefined }, { ALICE },
    ].map((v) => md(JSON.parse(JSON.stringify(v)), 3));
    for (let i = 0; i < variants.length; i++) {
      for (let j = 0; j < variants.length; j++) expect(sameClaims(variants[i], variants[j]), `${i} vs ${j}`).toBe(i === j);
    }
    // Another namespace beside the claims, or none, is a difference too.
    expect(sameClaims(md(ALICE, 5), md(ALICE, 5, { "envoy.lb": { zone: "a" } }))).toBe(false);
    expect(sameClaims(md(ALICE, 5), Buffer.alloc(0))).toBe(false);
  });

  it("a name twice in one map (the decoder's answer would depend on the order) is never the same", () => {
    // The namespace twice in filter_metadata: the reader takes the first with the payload.
    const first = md({ sub: "alice" });
    const second = md({ sub: "mallory" });
    const twice = Buffer.concat([first, second]);
    const swapped = Buffer.concat([second, first]);
    expect(sameClaims(twice, twice)).toBe(false);
    expect(sameClaims(twice, swapped)).toBe(false);
    expect(claims(twice)).not.toBe(claims(swapped));
    // The same entry twice against one map with that entry and another: as many entries, and each
    // of the first's has its key in the second, yet the second holds a member the first has not.
    const same2 = Buffer.concat([first, first]);
    const withOther = Buffer.concat([first, encodeMetadata({ "envoy.lb": { zone: "a" } })]);
    expect(sameClaims(same2, withOther)).toBe(false);
    expect(sameClaims(withOther, same2)).toBe(false);
    expect(sameClaims(same2, same2)).toBe(false);
  });

  it("malformed and oversized input is not the same, even as itself", () => {
    const b = md(ALICE, 1);
    expect(sameClaims(b.subarray(0, b.length - 1), b.subarray(0, b.length - 1))).toBe(false);
    const big = md({ sub: "alice", pad: "x".repeat(70000) });
    expect(sameClaims(big, big)).toBe(false);
  });

  it(`fuzz (${FUZZ_ITERATIONS} pairs, seed ${FUZZ_SEED}): inputs found the same decode alike; nothing traps`, () => {
    const rng = new Rng(FUZZ_SEED);
    let same = 0;
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const payload = i % 3 === 0 ? ALICE : { sub: `u${rng.int(2)}`, roles: ["r"], n: rng.int(2) };
      // Two encodings of one payload (every fifth pair: of two payloads), in different orders, then
      // a few bytes of each mutated now and then: lengths, tags, values.
      const other = i % 5 === 4 ? { sub: `u${rng.int(2)}`, roles: ["r"], n: rng.int(2) } : payload;
      const pair = [md(payload, rng.int(1 << 30)), md(other, rng.int(1 << 30))].map((b) => {
        const m = Buffer.from(b);
        for (let k = rng.int(3) === 0 ? 1 + rng.int(3) : 0; k > 0; k--) m[rng.int(m.length)] = rng.int(256);
        return m;
      });
      if (!sameClaims(pair[0], pair[1])) continue;
      same++;
      expect(claims(pair[1]), `inputs ${pair[0].toString("hex")} and ${pair[1].toString("hex")}`).toBe(claims(pair[0]));
    }
    expect(same).toBeGreaterThan(FUZZ_ITERATIONS * 0.3);   // about 4 in 9 pairs are unmutated
  });
});
