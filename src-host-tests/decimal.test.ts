// multipleOf is exact (issue #10): lib/decimal.ts in the unit build against a BigInt reference, on
// large integers, long fractions and exponents, where a double's relative tolerance used to say
// yes to 1000000001 / 2 and to 1000000000.5 / 1.
import { describe, expect, it } from "vitest";
import { Rng } from "./random";
import { unit, withBytes } from "./unit";

function multipleOf(x: string, m: string): number {
  withBytes(m, (p, n) => unit.setDivisor(p, n));
  return withBytes(x, (p, n) => unit.multipleOf(p, n));
}

// x / m is an integer, computed exactly: both as integer × 10^exponent, scaled to one exponent.
function reference(x: string, m: string): boolean {
  const parse = (t: string): [bigint, number] => {
    const [mant, exp = "0"] = t.toLowerCase().split("e");
    const [int, frac = ""] = mant.replace("-", "").split(".");
    return [BigInt((mant.startsWith("-") ? "-" : "") + (int + frac).replace(/^0+(?=\d)/, "")), Number(exp) - frac.length];
  };
  const [a, ea] = parse(x);
  const [b, eb] = parse(m);
  const s = Math.min(ea, eb);
  const A = a * 10n ** BigInt(ea - s);
  const B = b * 10n ** BigInt(eb - s);
  return A % B === 0n;
}

describe("multipleOf, exactly (unit build)", () => {
  const named: [string, string, boolean][] = [
    ["1000000001", "2", false], ["1000000000.5", "1", false], ["0.3", "0.1", true], ["0.30000000000000004", "0.1", false],
    ["1e308", "7", false], ["7e308", "7", true], ["123456789012345678901234567890", "10", true], ["123456789012345678901234567891", "10", false],
    ["4.5e-7", "1.5e-7", true], ["-6", "3", true], ["0", "0.0001", true], ["1e-400", "1", false], ["2e400", "4e399", true],
    ["18014398509481985", "5", true], ["18014398509481985", "2", false], ["0.0075", "0.0025", true], ["19.99", "0.01", true],
  ];
  for (const [x, m, expected] of named) {
    it(`${x} is ${expected ? "" : "not "}a multiple of ${m}`, () => {
      expect(reference(x, m)).toBe(expected);
      expect(multipleOf(x, m)).toBe(expected ? 1 : 0);
    });
  }

  it("agrees with a BigInt reference on 20,000 generated pairs", () => {
    const rnd = new Rng(20261128);
    const digits = (n: number) => Array.from({ length: n }, () => String(rnd.int(10))).join("").replace(/^0+(?=\d)/, "");
    const literal = (maxDigits: number, maxExp: number) => {
      let t = digits(1 + rnd.int(maxDigits));
      if (rnd.int(3) === 0) t += "." + digits(1 + rnd.int(8));
      if (rnd.int(3) === 0) t += "e" + (rnd.int(2) ? "-" : "") + rnd.int(maxExp);
      return t;
    };
    const wrong: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const m = literal(6, 30);
      if (/^[0.]+(e.*)?$/.test(m)) continue;   // zero is no divisor
      // Often a true multiple: m times a random integer, written out.
      const x = rnd.int(2) ? literal(40, 60) : (() => { const [mm, e = "0"] = m.split("e"); const k = digits(1 + rnd.int(20)); const [ip, fp = ""] = mm.split("."); const v = BigInt(ip + fp) * BigInt(k || "0"); return `${v}e${Number(e) - fp.length}`; })();
      const got = multipleOf(x, m);
      if (got !== (reference(x, m) ? 1 : 0)) wrong.push(`${x} / ${m}: got ${got}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it("refuses a divisor it cannot take exactly, rather than guess", () => {
    expect(multipleOf("10", "0")).toBe(-1);
    expect(multipleOf("10", "-2")).toBe(-1);
    expect(multipleOf("10", "1.23456789012345678")).toBe(-1);   // 18 significant digits
    expect(multipleOf("1e9999999999999999", "2")).toBe(-1);    // an exponent of 16 digits
  });

  it("fuzz: 20,000 random strings of number characters never trap, and only JSON numbers parse", () => {
    const rnd = new Rng(7);
    const alphabet = ["0", "1", "9", ".", "-", "+", "e", "E", "x", " ", "00", "1e99999999999999999"];
    const jsonNumber = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
    const wrong: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const t = rnd.stringFrom(alphabet, 12);
      const got = multipleOf(t, "3");
      const exponent = /[eE][+-]?0*(\d+)$/.exec(t)?.[1] ?? "";
      const takes = jsonNumber.test(t) && exponent.length <= 15;
      if ((got !== -1) !== takes) wrong.push(`${JSON.stringify(t)}: ${got}`);
      else if (takes && Math.abs(Number(/[eE][+-]?(\d+)/.exec(t)?.[1] ?? 0)) < 300 && got !== (reference(t, "3") ? 1 : 0)) wrong.push(`${JSON.stringify(t)}: ${got} against the reference`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });
});
