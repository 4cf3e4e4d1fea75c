// A JSON number's text to the nearest double, exactly (round half to even), as JavaScript's
// Number(), Go's strconv.ParseFloat and Python's float() read it. A validator that reads a number
// differently from the service behind it is a bypass (a `maximum` checked on another value), and
// AssemblyScript's parseFloat misreads some long numbers by orders of magnitude
// ("23616649545148486e24" as 2.36e38), so it is not used. Pure.
//
// Short numbers take Clinger's fast path: at most 15 digits and a power of ten up to 10^22 are
// both exact doubles, and one multiplication or division rounds correctly. Up to 19 digits with a
// power of ten within 10^±64 take one 192-bit product (lib/float-fast.ts) unless it cannot tell
// (a midpoint, a rare carry). Others are computed on big integers: the value is num/den × 2^e,
// and the 53-bit quotient with its remainder decides the rounding. The size is bounded:
// significant digits past the first 1,024 count only as nonzero or not (json_max_number_chars
// allows 65,536), and the exponent is clamped where the answer is already 0 or infinity.
import { fastDecimal } from "./float-fast";

// A number token's text as written. It points into the parser's input, which the streaming
// tokenizer reuses for the next token: read it (toString) during the call that receives it.
export class NumberText {
  ptr: usize = 0;
  len: i32 = 0;
  toString(): string { return String.UTF8.decodeUnsafe(this.ptr, <usize>this.len, false); }

  // Whether `value`, this text's double, stands for it exactly (decidedByDigits; trailing zeros
  // count here, which only ever answers no where the digits alone would say yes).
  decidedByDouble(value: f64): bool {
    let digits = 0;
    const end = this.ptr + <usize>this.len;
    for (let p = this.ptr; p < end; p++) {
      const c = load<u8>(p);
      if (c == 0x65 || c == 0x45) break;   // the exponent: it moves the digits, adds none
      if (c < 0x30 || c > 0x39) continue;  // sign, point
      if (digits > 0 || c != 0x30) digits++;
    }
    return decidedByDigits(digits, value);
  }
}

// Whether a decimal of `significant` significant digits whose double is `x` is told apart from any
// other of at most 15 by the doubles alone: it is zero, or it has at most 15 significant digits
// and `x` is normal. Two such decimals that differ have different doubles, in the same order
// (DBL_DIG is 15: they survive the round trip through a double).
export function decidedByDigits(significant: i32, x: f64): bool {
  return significant == 0 || (significant <= 15 && isNormal(x));
}

export function isNormal(x: f64): bool {
  const a = Math.abs(x);
  return a >= 2.2250738585072014e-308 && a <= f64.MAX_VALUE;
}

const POW10: StaticArray<f64> = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

// Significant digits kept (exactly()); the big integers then stay under ~3,500 bits (1,024 digits,
// or 5^1,349, shifted by at most 54 bits), well within LIMBS.
const MAX_DIGITS = 1024;
const LIMBS = 192;

// A non-negative big integer, little-endian 32-bit limbs.
class Big {
  limbs: StaticArray<u32> = new StaticArray<u32>(LIMBS);
  len: i32 = 0;

  setZero(): void { this.len = 0; }
  copyFrom(b: Big): void {
    memory.copy(changetype<usize>(this.limbs), changetype<usize>(b.limbs), <usize>b.len << 2);
    this.len = b.len;
  }
  // this = this * m + add
  mulAdd(m: u32, add: u32): void {
    let carry = <u64>add;
    for (let i = 0; i < this.len; i++) {
      const t = <u64>unchecked(this.limbs[i]) * <u64>m + carry;
      unchecked(this.limbs[i] = <u32>t);
      carry = t >> 32;
    }
    if (carry != 0) unchecked(this.limbs[this.len++] = <u32>carry);
  }
  mulPow5(e: i32): void {
    for (; e >= 13; e -= 13) this.mulAdd(1_220_703_125, 0);   // 5^13, the largest below 2^32
    let m: u32 = 1;
    for (; e > 0; e--) m *= 5;
    if (m > 1) this.mulAdd(m, 0);
  }
  // this += b × m
  addMul(b: Big, m: u32): void {
    let carry: u64 = 0;
    const n = max(this.len, b.len);
    for (let i = this.len; i < n; i++) unchecked(this.limbs[i] = 0);
    for (let i = 0; i < n; i++) {
      const t = <u64>unchecked(this.limbs[i]) + (i < b.len ? <u64>unchecked(b.limbs[i]) * <u64>m : 0) + carry;
      unchecked(this.limbs[i] = <u32>t);
      carry = t >> 32;
    }
    this.len = n;
    if (carry != 0) unchecked(this.limbs[this.len++] = <u32>carry);
    this.trim();
  }
  // The leading 64 bits (the most significant one set), as an integer.
  top64(): u64 {
    const n = this.len;
    const lead = <i32>clz(unchecked(this.limbs[n - 1]));
    const hi = unchecked(this.limbs[n - 1]);
    const mid: u32 = n >= 2 ? unchecked(this.limbs[n - 2]) : 0;
    const lo: u32 = n >= 3 ? unchecked(this.limbs[n - 3]) : 0;
    const top = (<u64>hi << 32) | <u64>mid;
    return lead == 0 ? top : (top << <u64>lead) | (<u64>lo >> <u64>(32 - lead));
  }
  shiftLeft(bits: i32): void {
    if (this.len == 0 || bits == 0) return;
    const words = bits >> 5;
    const rest = bits & 31;
    const n = this.len;
    if (rest == 0) {
      for (let i = n - 1; i >= 0; i--) unchecked(this.limbs[i + words] = unchecked(this.limbs[i]));
      this.len = n + words;
    } else {
      unchecked(this.limbs[n + words] = 0);
      for (let i = n - 1; i >= 0; i--) {
        const v = unchecked(this.limbs[i]);
        unchecked(this.limbs[i + words + 1] |= v >> (32 - rest));
        unchecked(this.limbs[i + words] = v << rest);
      }
      this.len = n + words + 1;
    }
    for (let i = 0; i < words; i++) unchecked(this.limbs[i] = 0);
    this.trim();
  }
  // this -= b, when this >= b
  subtract(b: Big): void {
    let borrow: i64 = 0;
    for (let i = 0; i < this.len; i++) {
      const d = <i64>unchecked(this.limbs[i]) - (i < b.len ? <i64>unchecked(b.limbs[i]) : 0) - borrow;
      unchecked(this.limbs[i] = <u32>d);
      borrow = d < 0 ? 1 : 0;
    }
    this.trim();
  }
  trim(): void { while (this.len > 0 && unchecked(this.limbs[this.len - 1]) == 0) this.len--; }
  bitLength(): i32 { return this.len == 0 ? 0 : (this.len << 5) - <i32>clz(unchecked(this.limbs[this.len - 1])); }
  compare(b: Big): i32 {
    if (this.len != b.len) return this.len < b.len ? -1 : 1;
    for (let i = this.len - 1; i >= 0; i--) {
      const x = unchecked(this.limbs[i]), y = unchecked(b.limbs[i]);
      if (x != y) return x < y ? -1 : 1;
    }
    return 0;
  }
}

const NUM = new Big();
const DEN = new Big();
const A = new Big();
const B = new Big();
const P = new Big();

// A JSON number without an exponent and with at most 19 significant digits, at `p`, followed
// before `stop` by a byte that cannot continue a number: its length, with its double (what
// jsonNumberValue gives) in `simpleValue`. -1 for anything else (the grammar not met, more digits,
// an exponent, or no end before `stop`): the number is then read the general way.
export let simpleValue: f64 = 0;
export function simpleNumber(p: usize, stop: usize): i32 {
  let q = p;
  const negative = q < stop && load<u8>(q) == 0x2d;
  if (negative) q++;
  if (q >= stop) return -1;
  const first = <u32>load<u8>(q);
  if (first < 0x30 || first > 0x39) return -1;
  let digits: u64 = 0;
  let count = 0;
  let scale = 0;
  let point = false;
  for (; q < stop; q++) {
    const c = <u32>load<u8>(q);
    if (c == 0x2e && !point) {
      if (q + 1 >= stop || <u32>load<u8>(q + 1) - 0x30 > 9) return -1;   // a digit must follow
      point = true;
      continue;
    }
    if (c - 0x30 > 9) break;
    if (!point && first == 0x30 && q > p + <usize>negative) return -1;     // a leading zero
    if (point) scale--;
    if (count == 0 && c == 0x30) continue;
    if (++count > 19) return -1;
    digits = digits * 10 + <u64>(c - 0x30);
  }
  if (q >= stop) return -1;
  const next = <u32>load<u8>(q);
  if (next == 0x2e || next == 0x65 || next == 0x45 || next == 0x2b || next == 0x2d) return -1;
  const v = fromDigits(digits, count, scale);   // no exponent: the scale is the power of ten
  if (isNaN(v)) return -1;
  simpleValue = negative ? -v : v;
  return <i32>(q - p);
}

// The double nearest `len` bytes at `p`, a number the JSON grammar accepted (-?int(.frac)?(e±exp)?).
export function jsonNumberValue(p: usize, len: i32): f64 {
  let i = 0;
  const negative = load<u8>(p) == 0x2d;
  if (negative) i++;
  // Significant digits (leading zeros skipped) and the power of ten they are scaled by.
  let fast: u64 = 0;
  let count = 0;
  let scale = 0;
  let point = false;
  for (; i < len; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == 0x2e) { point = true; continue; }
    if (c < 0x30 || c > 0x39) break;
    if (point) scale--;
    if (count == 0 && c == 0x30) continue;
    count++;
    if (count <= 19) fast = fast * 10 + <u64>(c - 0x30);
  }
  let exp: i32 = 0;
  if (i < len) {                      // e or E, a sign, digits: saturated far beyond any double
    i++;
    let sign = 1;
    const c = load<u8>(p + <usize>i);
    if (c == 0x2d || c == 0x2b) { if (c == 0x2d) sign = -1; i++; }
    for (; i < len; i++) {
      exp = exp * 10 + <i32>(load<u8>(p + <usize>i) - 0x30);
      if (exp > 100_000) exp = 100_000;
    }
    exp *= sign;
  }
  const e = exp + scale;              // value = digits × 10^e
  let v = fromDigits(fast, count, e);
  if (isNaN(v)) v = exactly(p, len, e);
  return negative ? -v : v;
}

// The double nearest `count` significant digits × 10^e, `fast` their first 19 as an integer, where
// that is quick to decide: NaN when only the exact computation (exactly()) can.
function fromDigits(fast: u64, count: i32, e: i32): f64 {
  if (count == 0) return 0;
  if (count <= 15 && e >= -22 && e <= 22) return e >= 0 ? <f64>fast * unchecked(POW10[e]) : <f64>fast / unchecked(POW10[-e]);
  if (count + e > 310) return Infinity;         // at least 10^310
  if (count + e <= -324) return 0;              // below 10^-324, under half the least subnormal
  return count <= 19 ? fastDecimal(fast, e) : NaN;   // one 192-bit product (lib/float-fast.ts)
}

// The number's digits × 10^e, rounded to the nearest double (ties to even); the digits are not
// all zero, and -1,348 < e < 310. 10^e = 5^e × 2^e: the power of two goes to the binary exponent,
// so the big integers hold only the digits and the power of five.
function exactly(p: usize, len: i32, e: i32): f64 {
  // The first MAX_DIGITS significant digits; past them (json_max_number_chars allows up to 65,536)
  // only whether any is nonzero matters, as one more digit 1: a midpoint between two doubles has
  // at most 767 significant digits, so the rounding comes out the same.
  NUM.setZero();
  let chunk: u32 = 0, inChunk = 0;     // nine digits at a time
  let kept = 0;
  let sticky = false;
  for (let i = 0; i < len; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == 0x2d || c == 0x2e) continue;
    if (c < 0x30 || c > 0x39) break;
    if (kept == 0 && c == 0x30) continue;
    if (kept == MAX_DIGITS) { e++; if (c != 0x30) sticky = true; continue; }
    kept++;
    chunk = chunk * 10 + (c - 0x30);
    if (++inChunk == 9) { NUM.mulAdd(1_000_000_000, chunk); chunk = 0; inChunk = 0; }
  }
  if (inChunk > 0) NUM.mulAdd(<u32>(<i32>unchecked(POW10[inChunk])), chunk);
  if (sticky) { NUM.mulAdd(10, 1); e--; }
  DEN.setZero(); DEN.mulAdd(0, 1);
  if (e >= 0) NUM.mulPow5(e); else DEN.mulPow5(-e);
  // value = NUM / DEN × 2^e. q = floor(value / 2^k) with 2^52 <= q < 2^53, or k = -1074 (subnormal).
  let k = NUM.bitLength() - DEN.bitLength() + e - 53;
  scaled(e - k);
  P.copyFrom(B);
  P.shiftLeft(53);
  if (A.compare(P) >= 0) k++;
  if (k < -1074) k = -1074;
  scaled(e - k);
  let q = quotient();
  // A is the remainder. Round half to even.
  A.shiftLeft(1);
  const half = A.compare(B);
  if (half > 0 || (half == 0 && (q & 1) != 0)) q++;
  if (q == (<u64>1) << 53) { q >>= 1; k++; }
  if (q < (<u64>1) << 52) return reinterpret<f64>(q);            // subnormal (k = -1074)
  const biased = k + 1075;
  if (biased >= 2047) return Infinity;
  return reinterpret<f64>((<u64>biased << 52) | (q - ((<u64>1) << 52)));
}

// A = NUM × 2^s and B = DEN, or A = NUM and B = DEN × 2^-s: the quotient is value / 2^k.
function scaled(s: i32): void {
  A.copyFrom(NUM);
  B.copyFrom(DEN);
  if (s >= 0) A.shiftLeft(s); else B.shiftLeft(-s);
}

// floor(A / B) (below 2^54), leaving the remainder in A. Estimated from the leading 64 bits of
// each in doubles (off by a few units at most), lowered by a margin, then corrected upwards: a
// handful of passes over the limbs, where bit-by-bit long division would take 54.
function quotient(): u64 {
  const ea = A.bitLength(), eb = B.bitLength();
  const scale = reinterpret<f64>(<u64>(min(max(ea - eb, -1000), 1000) + 1023) << 52);   // 2^(ea - eb)
  const estimate = Math.floor(<f64>A.top64() / <f64>B.top64() * scale);
  let q: u64 = estimate > 16 ? <u64>estimate - 16 : 0;
  P.setZero();
  P.addMul(B, <u32>(q >> 32));
  P.shiftLeft(32);
  P.addMul(B, <u32>q);
  A.subtract(P);
  for (let i = 0; i < 64 && A.compare(B) >= 0; i++) { A.subtract(B); q++; }
  return q;
}
