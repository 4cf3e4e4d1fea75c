// JSON numbers as written, for the keywords that compare them (enum, const, uniqueItems) and the
// type integer. A double is not enough: rounding gives distinct decimals one double (2^53 + 1
// reads as 2^53; 64-bit ids near 10^18 share one in runs of 256; 1.0000000000000000001 reads as 1),
// and a service that reads 64-bit integers or decimals sees them apart. Where the double does
// decide, no literal is read. Pure.
import { JsonValue } from "../lib/json";
import { compareDecimal, parseDecimal } from "../lib/decimal";
import { decidedByDigits } from "../lib/float";

// A number's text, as schema-stream.ts hands it over when its double decides what is asked of it
// (a bound it equals, whether it is an integer): no literal to read.
export const EQUAL_AS_DOUBLE = "(equal as a double)";

function hasLiteral(v: JsonValue): bool { return v.str.length > 0 && v.str !== EQUAL_AS_DOUBLE; }

// Significant digits of a number literal, leading and trailing zeros aside (as many as its
// lib/decimal.ts Decimal has): "100.00" has one.
function significantDigits(text: string): i32 {
  let count = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c == 0x65 || c == 0x45) break;   // the exponent moves the digits, adds none
    if (c < 0x30 || c > 0x39) continue;  // sign, point
    if (c != 0x30) { if (first < 0) first = count; last = count; }
    count++;
  }
  return first < 0 ? 0 : last - first + 1;
}

// Whether the number's double stands for its value exactly among JSON numbers: no literal to say
// otherwise, or one the doubles decide (lib/float.ts decidedByDigits). Its significant digits
// depend on the value, not on how it is written, so equal values agree on it.
function doubleDecides(v: JsonValue): bool {
  return !hasLiteral(v) || decidedByDigits(significantDigits(v.str), v.num);
}

// Equal as numbers, exactly. A literal beyond lib/decimal.ts (an exponent of over 15 digits)
// equals only its own text.
export function sameNumber(a: JsonValue, b: JsonValue): bool {
  if (a.num != b.num) return false;
  if (doubleDecides(a) && doubleDecides(b)) return true;
  if (!hasLiteral(a) || !hasLiteral(b)) return true;
  const x = parseDecimal(a.str);
  const y = parseDecimal(b.str);
  if (x === null || y === null) return a.str == b.str;
  return compareDecimal(x, y) == 0;
}

// A number with no fractional part, exactly (1.0 is one; 1e-400 and 9007199254740992.5 are not).
export function isInteger(v: JsonValue): bool {
  const x = v.num;
  if (!(Math.floor(x) == x && isFinite(x))) return false;
  if (doubleDecides(v)) return true;
  const d = parseDecimal(v.str);
  return d !== null && (d.isZero || d.exponent >= 0);
}

// A text form equal for two numbers exactly when sameNumber says so.
export function numberKey(v: JsonValue): string {
  if (doubleDecides(v)) return v.num == 0 ? "0" : v.num.toString();
  const d = parseDecimal(v.str);
  if (d === null) return "~" + v.str;
  return (d.negative ? "-" : "") + d.digits + "e" + d.exponent.toString();
}
