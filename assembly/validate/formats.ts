// String formats of the schema subset (`format`): date, date-time, ipv4, ipv6, uuid, email, uri.
// Pure. What each accepts is documented in docs/policy.md; issue #10 tracks making them exact.
import { hexDigit, isCanonicalUuid } from "../lib/text";

export const FORMATS: string[] = ["email", "uuid", "date-time", "date", "ipv4", "ipv6", "uri"];

function isDigits(s: string, from: i32, n: i32): bool {
  if (from + n > s.length) return false;
  for (let i = from; i < from + n; i++) { const c = s.charCodeAt(i); if (c < 0x30 || c > 0x39) return false; }
  return true;
}
function num(s: string, from: i32, n: i32): i32 { return I32.parseInt(s.substring(from, from + n)); }

function isDate(s: string): bool {
  if (s.length != 10 || !isDigits(s, 0, 4) || s.charCodeAt(4) != 0x2d || !isDigits(s, 5, 2) || s.charCodeAt(7) != 0x2d || !isDigits(s, 8, 2)) return false;
  const y = num(s, 0, 4), m = num(s, 5, 2), d = num(s, 8, 2);
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const days: i32[] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

function isDateTime(s: string): bool {
  if (s.length < 20 || !isDate(s.substring(0, 10))) return false;
  const t = s.charCodeAt(10) | 0x20;
  if (t != 0x74) return false;
  if (!isDigits(s, 11, 2) || s.charCodeAt(13) != 0x3a || !isDigits(s, 14, 2) || s.charCodeAt(16) != 0x3a || !isDigits(s, 17, 2)) return false;
  if (num(s, 11, 2) > 23 || num(s, 14, 2) > 59 || num(s, 17, 2) > 60) return false;
  let i = 19;
  if (i < s.length && s.charCodeAt(i) == 0x2e) { i++; const f = i; while (i < s.length && isDigits(s, i, 1)) i++; if (i == f) return false; }
  if (i < s.length && (s.charCodeAt(i) | 0x20) == 0x7a) return i + 1 == s.length;
  if (i + 6 != s.length) return false;
  const sign = s.charCodeAt(i);
  return (sign == 0x2b || sign == 0x2d) && isDigits(s, i + 1, 2) && s.charCodeAt(i + 3) == 0x3a && isDigits(s, i + 4, 2) && num(s, i + 1, 2) <= 23 && num(s, i + 4, 2) <= 59;
}

function isIpv4(s: string): bool {
  const parts = s.split(".");
  if (parts.length != 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (p.length == 0 || p.length > 3 || !isDigits(p, 0, p.length) || (p.length > 1 && p.charCodeAt(0) == 0x30) || I32.parseInt(p) > 255) return false;
  }
  return true;
}

function isHexGroup(g: string): bool {
  if (g.length == 0 || g.length > 4) return false;
  for (let i = 0; i < g.length; i++) if (hexDigit(g.charCodeAt(i)) < 0) return false;
  return true;
}

function isIpv6(s: string): bool {
  if (s.length < 2 || s.length > 45) return false;
  let body = s;
  let groupsNeeded = 8;
  const lastColon = s.lastIndexOf(":");
  if (s.indexOf(".") > lastColon && lastColon >= 0) {
    if (!isIpv4(s.substring(lastColon + 1))) return false;
    body = s.substring(0, lastColon + 1) + "0";
    groupsNeeded = 7;
  }
  const dbl = body.indexOf("::");
  if (dbl >= 0 && body.indexOf("::", dbl + 1) >= 0) return false;
  if (dbl < 0) {
    const g = body.split(":");
    if (g.length != groupsNeeded) return false;
    for (let i = 0; i < g.length; i++) if (!isHexGroup(g[i])) return false;
    return true;
  }
  const left = body.substring(0, dbl), right = body.substring(dbl + 2);
  const lg = left.length > 0 ? left.split(":") : new Array<string>(0);
  const rg = right.length > 0 ? right.split(":") : new Array<string>(0);
  if (lg.length + rg.length >= groupsNeeded) return false;
  for (let i = 0; i < lg.length; i++) if (!isHexGroup(lg[i])) return false;
  for (let i = 0; i < rg.length; i++) if (!isHexGroup(rg[i])) return false;
  return true;
}

export function matchesFormat(s: string, f: string): bool {
  if (f == "date") return isDate(s);
  if (f == "date-time") return isDateTime(s);
  if (f == "ipv4") return isIpv4(s);
  if (f == "ipv6") return isIpv6(s);
  if (f == "uuid") return isCanonicalUuid(s);
  if (f == "email") {
    // One '@', a non-empty local part and a dotted domain; no spaces. Deliberately simple.
    const at = s.indexOf("@");
    if (at <= 0 || at != s.lastIndexOf("@") || s.includes(" ")) return false;
    const domain = s.substring(at + 1);
    return domain.includes(".") && !domain.startsWith(".") && !domain.endsWith(".") && !domain.includes("..");
  }
  // uri: a scheme (letter, then letters, digits, + - .), ':', then no spaces.
  const colon = s.indexOf(":");
  if (colon <= 0 || s.includes(" ")) return false;
  for (let i = 0; i < colon; i++) {
    const c = s.charCodeAt(i);
    const letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
    if (i == 0 ? !letter : !(letter || (c >= 0x30 && c <= 0x39) || c == 0x2b || c == 0x2d || c == 0x2e)) return false;
  }
  return true;
}

