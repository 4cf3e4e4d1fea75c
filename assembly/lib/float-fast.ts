// The nearest double to w × 10^q for up to 19 significant digits w, from one 192-bit product, for
// lib/float.ts: the approach of Eisel and Lemire ("Number Parsing at a Gigabyte per Second"),
// derived here in its simplest conservative form. 10^q = 5^q × 2^q, and 5^q = (T + f) × 2^g with T
// a 128-bit integer and 0 <= f < 1 (lib/pow5.ts). With W = w shifted left until its top bit is set,
// the true product W × (T + f) lies in [M, M + W), M = W × T. M has 191 or 192 bits; its top 54
// are the double's 53 and the rounding bit, and the bits below (R) decide the rest:
//   - if R + W could carry into the top 54 bits, the product alone cannot tell them: give up;
//   - if the rounding bit is 0, round down;
//   - if it is 1 and R > 0, the value is past the midpoint: round up;
//   - if it is 1 and R = 0, it may be the exact midpoint (ties go to even): give up.
// Giving up (NaN) leaves the number to the exact big-integer path, as do results outside the
// normal doubles and exponents outside the table. Pure.
import { POW5, POW5_G, POW5_MAX, POW5_MIN } from "./pow5";

let mulHigh: u64 = 0;   // the high half of mul64's product

// a × b: the low 64 bits, the high 64 in mulHigh.
function mul64(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  mulHigh = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  return (mid << 32) | (p00 & 0xffffffff);
}

// w (1 <= w < 10^19) × 10^q rounded to the nearest double, or NaN when this path cannot tell.
export function fastDecimal(w: u64, q: i32): f64 {
  if (w == 0 || q < POW5_MIN || q > POW5_MAX) return NaN;
  const i = q - POW5_MIN;
  const lz = <i32>clz(w);
  const W = w << <u64>lz;
  // M = W × (T's high half × 2^64 + its low half) = [m2, m1, m0], 64 bits each.
  const m0 = mul64(W, unchecked(POW5[(i << 1) + 1]));
  const lowHigh = mulHigh;
  const highLow = mul64(W, unchecked(POW5[i << 1]));
  const highHigh = mulHigh;
  const m1 = highLow + lowHigh;
  const m2 = highHigh + (m1 < highLow ? 1 : 0);
  // The top 54 bits of M are bits [s, s + 54), s = 138 when M has 192 bits, else 137.
  const cut: u64 = m2 >> 63 != 0 ? 10 : 9;          // bits of m2 below the top 54
  const lowMask = ((<u64>1) << cut) - 1;
  if ((m2 & lowMask) == lowMask && m1 == u64.MAX_VALUE) return NaN;   // R + W may carry
  const top = m2 >> cut;                              // 54 bits
  const restZero = (m2 & lowMask) == 0 && m1 == 0 && m0 == 0;
  let mantissa = top >> 1;
  if ((top & 1) != 0) {
    if (restZero) return NaN;                         // perhaps exactly the midpoint
    mantissa++;
  }
  // value = mantissa × 2^e, e = s + 1 + g + q - lz.
  let e = <i32>cut + 128 + 1 + <i32>unchecked(POW5_G[i]) + q - lz;
  if (mantissa == (<u64>1) << 53) { mantissa >>= 1; e++; }
  const biased = e + 52 + 1023;
  if (biased <= 0 || biased >= 2047) return NaN;      // subnormal or infinite: the exact path
  return reinterpret<f64>((<u64>biased << 52) | (mantissa - ((<u64>1) << 52)));
}
