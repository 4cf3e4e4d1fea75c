// Exact decimal arithmetic for JSON number literals, where binary floating point would guess:
// `multipleOf` (validate/schema.ts) asks whether x / m is an integer, and for 1000000001 / 2 or
// 0.3 / 0.1 a double answers wrongly. Pure; work bounded by the literals' lengths.

// value = (negative ? -1 : 1) × digits × 10^exponent; `digits` has no leading or trailing zeros
// ("" is zero).
export class Decimal {
  constructor(public readonly negative: bool, public readonly digits: string, public readonly exponent: i64) {}
  get isZero(): bool { return this.digits.length == 0; }
}

const MAX_EXPONENT_DIGITS = 15;

// -1, 0 or 1 as a is below, equal to or above b, exactly.
export function compareDecimal(a: Decimal, b: Decimal): i32 {
  const sa = a.isZero ? 0 : a.negative ? -1 : 1;
  const sb = b.isZero ? 0 : b.negative ? -1 : 1;
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  const m = compareMagnitude(a, b);
  return sa > 0 ? m : -m;
}

// Both nonzero: the leading digit's place first, then the digits (no leading or trailing zeros).
function compareMagnitude(a: Decimal, b: Decimal): i32 {
  const pa = <i64>a.digits.length + a.exponent;
  const pb = <i64>b.digits.length + b.exponent;
  if (pa != pb) return pa < pb ? -1 : 1;
  const n = max(a.digits.length, b.digits.length);
  for (let i = 0; i < n; i++) {
    const ca = i < a.digits.length ? a.digits.charCodeAt(i) : 0x30;
    const cb = i < b.digits.length ? b.digits.charCodeAt(i) : 0x30;
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return 0;
}

function isDigit(c: i32): bool { return c >= 0x30 && c <= 0x39; }

// A JSON number literal (RFC 8259 grammar), or null when it is not one or its exponent has more
// than 15 digits.
export function parseDecimal(text: string): Decimal | null {
  let i = 0;
  const n = text.length;
  const negative = n > 0 && text.charCodeAt(0) == 0x2d;
  if (negative) i++;
  let mantissa = "";
  let scale: i64 = 0;   // digits after the point
  const intStart = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (i == intStart || (i - intStart > 1 && text.charCodeAt(intStart) == 0x30)) return null;   // no leading zeros
  mantissa = text.substring(intStart, i);
  if (i < n && text.charCodeAt(i) == 0x2e) {
    const f = ++i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (i == f) return null;
    mantissa += text.substring(f, i);
    scale = <i64>(i - f);
  }
  let exponent: i64 = 0;
  if (i < n && (text.charCodeAt(i) | 0x20) == 0x65) {
    i++;
    let expNegative = false;
    if (i < n && (text.charCodeAt(i) == 0x2b || text.charCodeAt(i) == 0x2d)) { expNegative = text.charCodeAt(i) == 0x2d; i++; }
    const e = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (i == e) return null;
    let digits = text.substring(e, i);
    while (digits.length > 1 && digits.charCodeAt(0) == 0x30) digits = digits.substring(1);
    if (digits.length > MAX_EXPONENT_DIGITS) return null;
    exponent = I64.parseInt(digits);
    if (expNegative) exponent = -exponent;
  }
  if (i != n) return null;
  // Strip leading zeros, then trailing zeros into the exponent.
  let s = 0;
  while (s < mantissa.length && mantissa.charCodeAt(s) == 0x30) s++;
  let e = mantissa.length;
  while (e > s && mantissa.charCodeAt(e - 1) == 0x30) e--;
  const digits = mantissa.substring(s, e);
  return new Decimal(negative, digits, digits.length == 0 ? 0 : exponent - scale + <i64>(mantissa.length - e));
}

// The divisor of a `multipleOf`, factored once: m = core × 2^twos × 5^fives × 10^exponent.
export class Divisor {
  constructor(public readonly core: u64, public readonly twos: i64, public readonly fives: i64, public readonly exponent: i64) {}
}

export const MAX_DIVISOR_DIGITS = 17;

// Null when m is zero, negative, or has more than 17 significant digits.
export function divisorOf(m: Decimal): Divisor | null {
  if (m.isZero || m.negative || m.digits.length > MAX_DIVISOR_DIGITS) return null;
  let core = U64.parseInt(m.digits);
  let twos: i64 = 0;
  let fives: i64 = 0;
  while (core % 2 == 0) { core /= 2; twos++; }
  while (core % 5 == 0) { core /= 5; fives++; }
  return new Divisor(core, twos, fives, m.exponent);
}

// Whether the decimal digits of `x` (a positive integer) are divisible by p^t, p 2 or 5.
function divisibleByPower(x: string, p: u64, t: i64): bool {
  if (t <= 0) return true;
  // x < 10^len, and p^t > 10^len once t > len × log_p(10): then only zero would be divisible.
  const bound: f64 = <f64>x.length * (p == 2 ? 3.3219280948873626 : 1.4306765580733931);
  if (<f64>t > bound + 1) return false;
  const limit: i64 = p == 2 ? 56 : 24;   // p^t below 2^57: remainders times 10 fit in 64 bits
  if (t <= limit) {
    // 10^t is a multiple of p^t, so the last t digits decide.
    let modulus: u64 = 1;
    for (let i: i64 = 0; i < t; i++) modulus *= p;
    let r: u64 = 0;
    const from = <i32>max<i64>(0, <i64>x.length - t);
    for (let i = from; i < x.length; i++) r = (r * 10 + <u64>(x.charCodeAt(i) - 0x30)) % modulus;
    return r == 0;
  }
  // Rare: divide the decimal string by p, t times (t is bounded by the digits, above).
  let digits = x;
  for (let k: i64 = 0; k < t; k++) {
    let out = "";
    let r: u64 = 0;
    for (let i = 0; i < digits.length; i++) {
      const cur = r * 10 + <u64>(digits.charCodeAt(i) - 0x30);
      const q = cur / p;
      r = cur % p;
      if (out.length > 0 || q > 0) out += String.fromCharCode(<i32>q + 0x30);
    }
    if (r != 0) return false;
    digits = out;
  }
  return true;
}

// Whether x is an integer multiple of m, exactly.
export function isMultipleOf(x: Decimal, m: Divisor): bool {
  if (x.isZero) return true;
  // x / m = (X / (core × 2^twos × 5^fives)) × 10^k with k = ex − em: an integer exactly when core
  // divides X and X brings the twos and fives that 10^k does not.
  const k = x.exponent - m.exponent;
  let r: u64 = 0;
  const digits = x.digits;
  for (let i = 0; i < digits.length; i++) r = (r * 10 + <u64>(digits.charCodeAt(i) - 0x30)) % m.core;
  if (r != 0) return false;
  return divisibleByPower(digits, 2, m.twos - k) && divisibleByPower(digits, 5, m.fives - k);
}
