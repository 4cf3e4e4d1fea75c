// The claims cache's key (assembly/identity/claims-key.ts): Envoy writes the metadata's maps in a
// new order on every request (test/agreement.e2e.test.ts), so the cache of decoded claims is keyed
// on an order-free form. What must hold: every order of the same claims gives one key; different
// claims give different keys; and, for any bytes at all, two inputs with the same key decode to
// the same claims (members compared by name: claims are read by name) or the same error (a fuzz
// over mutated and shuffled metadata checks exactly that).
import { describe, expect, it } from "vitest";
import { callText } from "./unit";
import { encodeMetadata, shuffler } from "../tools/emulator/metadata";
import { FUZZ_ITERATIONS, FUZZ_SEED, Rng } from "./random";

const NS = "envoy.filters.http.jwt_authn";
const md = (payload: Record<string, unknown>, seed?: number, extra: Record<string, Record<string, unknown>> = {}) =>
  encodeMetadata({ [NS]: { jwt_payload: payload }, ...extra }, seed === undefined ? undefined : shuffler(seed));
const key = (b: Buffer) => callText("claimsKeyOf", b);
const claims = (b: Buffer) => callText("claimsOf", b);

const ALICE = { sub: "alice", aud: "shop", roles: ["reader", "support"], scope: "orders:read profile", org: { id: 7, tier: "gold", regions: ["eu", "us"], meta: { a: true, b: null } }, exp: 1767225600 };

describe("the order-free key of the verified claims", () => {
  it("every order of the same claims (maps at every depth) gives one key, and the bytes do differ", () => {
    const orders = new Set<string>();
    const keys = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const b = md(ALICE, seed, { "envoy.lb": { canary: true, zone: "a" } });
      orders.add(b.toString("hex"));
      keys.add(key(b));
    }
    expect(orders.size).toBeGreaterThan(30);
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^KEY [0-9a-f]+$/);
  });

  it("different claims give different keys: a value, a name, a list's order, a nested value", () => {
    const variants = [
      ALICE, { ...ALICE, sub: "bob" }, { ...ALICE, roles: ["support", "reader"] }, { ...ALICE, org: { ...ALICE.org, tier: "silver" } },
      { ...ALICE, exp: 1767225601 }, { ...ALICE, extra: "" }, { ...ALICE, scope: undefined }, { ALICE },
    ];
    const keys = variants.map((v) => key(md(JSON.parse(JSON.stringify(v)), 3)));
    expect(new Set(keys).size).toBe(variants.length);
  });

  it("a name twice in one map (the decoder's answer would depend on the order) has no key", () => {
    const once = md({ sub: "alice" });
    expect(key(once)).toMatch(/^KEY /);
    // The namespace twice in filter_metadata: the reader takes the first with the payload.
    const first = md({ sub: "alice" });
    const second = md({ sub: "mallory" });
    expect(key(Buffer.concat([first, second]))).toBe("NONE");
    expect(claims(Buffer.concat([first, second]))).not.toBe(claims(Buffer.concat([second, first])));
  });

  it(`fuzz (${FUZZ_ITERATIONS} inputs, seed ${FUZZ_SEED}): inputs with one key decode alike; nothing traps`, () => {
    const rng = new Rng(FUZZ_SEED);
    const byKey = new Map<string, string>();
    let keyed = 0;
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const base = md(i % 3 === 0 ? ALICE : { sub: `u${rng.int(4)}`, roles: ["r"], n: rng.int(3) }, rng.int(1 << 30));
      const b = Buffer.from(base);
      // Mutate a few bytes now and then: lengths, tags, values.
      for (let m = rng.int(3) === 0 ? 1 + rng.int(3) : 0; m > 0; m--) b[rng.int(b.length)] = rng.int(256);
      const k = key(b);
      const c = claims(b);
      if (k === "NONE") continue;
      keyed++;
      const seen = byKey.get(k);
      if (seen !== undefined) expect(c, `input ${b.toString("hex")}`).toBe(seen);
      else byKey.set(k, c);
    }
    expect(keyed).toBeGreaterThan(FUZZ_ITERATIONS / 2);
  });
});
