// The linear-time regex subset (assembly/regex.ts) against JavaScript's own RegExp: hand-picked
// cases, random patterns of the subset on random strings, and the patterns that make backtracking
// engines explode. Run through build/unit.wasm, without a host.
import { describe, expect, it } from "vitest";
import { FUZZ_ITERATIONS, FUZZ_SEED, Rng } from "./random";
import { callText } from "./unit";

const call = callText;
const compile = (p: string) => call("regexCompile", p);
const matches = (s: string) => call("regexTest", s) === "MATCH";

function agree(pattern: string, inputs: string[]): void {
  let valid = true;
  try { new RegExp(pattern); } catch { valid = false; }
  const c = compile(pattern);
  if (!valid) {
    if (c === "OK") throw new Error(`${pattern}: JavaScript refuses it, meshguard compiled it`);
    return;
  }
  if (c !== "OK") throw new Error(`${pattern}: ${c}`);
  const js = new RegExp(pattern);
  for (const s of inputs) {
    if (matches(s) !== js.test(s)) throw new Error(`/${pattern}/ on ${JSON.stringify(s)}: meshguard ${matches(s)}, JavaScript ${js.test(s)}`);
  }
}

describe("regex subset (unit, no host)", () => {
  it("agrees with JavaScript on hand-picked patterns", () => {
    const inputs = ["", "a", "aa", "ab", "abc", "b", "ba", "aab", "x-1", "2024-01-31", "A_1", " \t", "é", "a\nb", "{", "a{2}", "ab12", "abab", "-", "]"];
    for (const p of ["^a*$", "a+", "^[a-z]+$", "^\\d{4}-\\d{2}-\\d{2}$", "(ab)+", "^(a|b)*c?$", "[^ab]", "\\w+", "\\s", "a.b", "^$", "x-?\\d", "(?:ab){1,2}$", "[a\\-z]", "a{2}", "a{,2}", "\\{", "[]]", "[\\]]", "[^]", "[]", "\\u00e9", "a|", "|b", "()", "^(?:a|ab)(?:c|bcd)?$"]) agree(p, inputs);
  });

  it("refuses what is outside the subset, by name", () => {
    for (const [p, why] of [["(a)\\1", "backreferences"], ["(?=a)", "lookaround"], ["(?<n>a)", "lookaround and named groups"], ["\\bword", "word boundaries"], ["\\p{L}", "unicode classes"], ["a**", "nothing to repeat"], ["(a", "missing ')'"], ["a)", "unbalanced"], ["[a", "missing ']'"], ["a{3,1}", "below n"], ["(a{1000}){1000}", "instructions"]] as const) {
      expect(compile(p)).toContain(why);
    }
  });

  it("runs in linear time where backtracking engines explode", () => {
    const evil = "a".repeat(30000) + "!";
    for (const p of ["^(a+)+$", "^(a|aa)+$", "^(a|a?)+$", "(x+x+)+y"]) {
      expect(compile(p)).toBe("OK");
      const t0 = performance.now();
      expect(matches(evil)).toBe(false);
      expect(performance.now() - t0).toBeLessThan(2000);   // a backtracking engine takes longer than the universe
    }
  });

  it(`agrees with JavaScript on ${FUZZ_ITERATIONS} random patterns of the subset (seed ${FUZZ_SEED})`, () => {
    const rng = new Rng(FUZZ_SEED + 8);
    const atoms = ["a", "b", "c", ".", "\\d", "\\w", "\\s", "[ab]", "[^a]", "[a-c]", "-", "\\.", "\\*", "x"];
    const make = (d: number): string => {
      const k = rng.int(d > 2 ? 3 : 6);
      if (k <= 1) return rng.pick(atoms);
      if (k === 2) return make(d + 1) + make(d + 1);
      if (k === 3) return `(${make(d + 1)}|${make(d + 1)})`;
      if (k === 4) return `(?:${make(d + 1)})${rng.pick(["*", "+", "?", "{2}", "{1,3}", "{0,}", "*?"])}`;
      return make(d + 1) + rng.pick(["*", "+", "?"]);
    };
    const alphabet = ["a", "b", "c", "1", " ", "-", ".", "x", "é", "*"];
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      let p = make(0);
      if (rng.int(4) === 0) p = "^" + p;
      if (rng.int(4) === 0) p = p + "$";
      const inputs = Array.from({ length: 6 }, () => rng.stringFrom(alphabet, 8));
      agree(p, inputs);
    }
  });
});
