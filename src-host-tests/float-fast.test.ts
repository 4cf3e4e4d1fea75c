// lib/float-fast.ts (w × 10^q from one 192-bit product) against JavaScript's Number(), which rounds
// correctly: random numbers of up to 19 digits, and numbers a few units from the midpoint between
// two doubles (where a product that is off by one in its last bit would round the wrong way). The
// fast path must be right whenever it answers, and answer nearly always; the table it reads must be
// what scripts/pow5-table.ts writes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { POW5_MAX, POW5_MIN, pow5Source } from "../scripts/pow5-table";
import { FUZZ_ITERATIONS, FUZZ_SEED, Rng } from "./random";
import { unit, withBytes } from "./unit";

const fast = (w: bigint, q: number): number => (unit as unknown as { fastDecimalValue: (w: bigint, q: number) => number }).fastDecimalValue(w, q);
const parsed = (text: string) => withBytes(text, (p, len) => unit.numberValue(p, len));

// The exact decimal digits of the midpoint between the positive double d and the next one up.
function midpointDigits(d: number): { digits: bigint; exp10: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const mant = (bits & ((1n << 52n) - 1n)) | (biased > 0 ? 1n << 52n : 0n);
  const e2 = (biased > 0 ? biased : 1) - 1075;   // d = mant × 2^e2
  const odd = 2n * mant + 1n;                     // midpoint = odd × 2^(e2 - 1)
  const k = e2 - 1;
  return k >= 0 ? { digits: odd << BigInt(k), exp10: 0 } : { digits: odd * 5n ** BigInt(-k), exp10: k };
}

describe("one 192-bit product for up to 19 digits (lib/float-fast.ts)", () => {
  it("reads the table scripts/pow5-table.ts writes", () => {
    expect(readFileSync(new URL("../assembly/lib/pow5.ts", import.meta.url), "utf8")).toBe(pow5Source());
  });

  it(`agrees with Number() whenever it answers, and answers nearly always (${FUZZ_ITERATIONS * 10} random numbers)`, () => {
    const rng = new Rng(FUZZ_SEED + 41);
    let answered = 0;
    const n = FUZZ_ITERATIONS * 10;
    for (let i = 0; i < n; i++) {
      let w = 0n;
      for (let d = 1 + rng.int(19); d > 0; d--) w = w * 10n + BigInt(rng.int(10));
      if (w === 0n) w = 1n;
      const q = POW5_MIN + rng.int(POW5_MAX - POW5_MIN + 1);
      const got = fast(w, q);
      if (Number.isNaN(got)) continue;
      answered++;
      expect(Object.is(got, Number(`${w}e${q}`)), `${w}e${q}`).toBe(true);
    }
    expect(answered / n).toBeGreaterThan(0.99);   // the rest: results outside the normal doubles
  });

  it(`rounds numbers within a few units of a midpoint as Number() does (${FUZZ_ITERATIONS * 10} cases)`, () => {
    const rng = new Rng(FUZZ_SEED + 42);
    let answered = 0;
    let cases = 0;
    for (let i = 0; i < FUZZ_ITERATIONS * 10; i++) {
      // A double within the table's reach: 10^-40 to 10^60.
      const d = Number(`${1 + rng.int(9)}.${rng.int(1e9)}${rng.int(1e9)}e${rng.int(100) - 40}`);
      const { digits, exp10 } = midpointDigits(d);
      const text = digits.toString();
      const keep = 16 + rng.int(4);                             // 16 to 19 significant digits
      if (text.length <= keep) continue;
      const head = BigInt(text.slice(0, keep)) + BigInt(rng.int(3) - 1);   // just below, at or above the cut
      const q = exp10 + text.length - keep;
      if (head <= 0n || q < POW5_MIN || q > POW5_MAX) continue;
      cases++;
      const want = Number(`${head}e${q}`);
      const got = fast(head, q);
      if (!Number.isNaN(got)) { answered++; expect(Object.is(got, want), `${head}e${q}`).toBe(true); }
      expect(Object.is(parsed(`${head}e${q}`), want), `${head}e${q} through the parser`).toBe(true);
    }
    expect(cases).toBeGreaterThan(FUZZ_ITERATIONS * 5);
    expect(answered / cases).toBeGreaterThan(0.99);
  });

  it("leaves exact midpoints, exponents beyond the table and results beyond the normal doubles to the exact path", () => {
    expect(fast(9007199254740993n, 0)).toBeNaN();        // 2^53 + 1: exactly between two doubles
    expect(parsed("9007199254740993")).toBe(9007199254740992);
    expect(fast(1n, POW5_MAX + 1)).toBeNaN();
    expect(fast(1n, POW5_MIN - 1)).toBeNaN();
    expect(fast(0n, 5)).toBeNaN();
    expect(fast(12990000000000002n, -15)).toBe(12.990000000000002);
    expect(fast(30000000000000004n, -17)).toBe(0.30000000000000004);
    expect(fast(9999999999999999999n, 64)).toBe(Number("9999999999999999999e64"));
  });
});
