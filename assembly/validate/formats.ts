// String formats of the schema subset (`format`): date, date-time, ipv4, ipv6, uuid, email, uri,
// hostname, each as its RFC defines it (the JSON Schema Test Suite's optional/format cases pass).
// Pure. docs/policy.md lists what each accepts.
import { hexDigit, isCanonicalUuid } from "../lib/text";

export const FORMATS: string[] = ["email", "uuid", "date-time", "date", "ipv4", "ipv6", "uri", "hostname"];

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

// RFC 3339 date-time. A leap second (:60) only where one can be: 23:59:60 in UTC, once the
// offset is taken off.
function isDateTime(s: string): bool {
  if (s.length < 20 || !isDate(s.substring(0, 10))) return false;
  const t = s.charCodeAt(10) | 0x20;
  if (t != 0x74) return false;
  if (!isDigits(s, 11, 2) || s.charCodeAt(13) != 0x3a || !isDigits(s, 14, 2) || s.charCodeAt(16) != 0x3a || !isDigits(s, 17, 2)) return false;
  const hour = num(s, 11, 2), minute = num(s, 14, 2), second = num(s, 17, 2);
  if (hour > 23 || minute > 59 || second > 60) return false;
  let i = 19;
  if (i < s.length && s.charCodeAt(i) == 0x2e) { i++; const f = i; while (i < s.length && isDigits(s, i, 1)) i++; if (i == f) return false; }
  let offset = 0;   // minutes east of UTC
  if (i < s.length && (s.charCodeAt(i) | 0x20) == 0x7a) {
    if (i + 1 != s.length) return false;
  } else {
    if (i + 6 != s.length) return false;
    const sign = s.charCodeAt(i);
    if (!((sign == 0x2b || sign == 0x2d) && isDigits(s, i + 1, 2) && s.charCodeAt(i + 3) == 0x3a && isDigits(s, i + 4, 2))) return false;
    const oh = num(s, i + 1, 2), om = num(s, i + 4, 2);
    if (oh > 23 || om > 59) return false;
    offset = (sign == 0x2d ? -1 : 1) * (oh * 60 + om);
  }
  if (second < 60) return true;
  const utc = ((hour * 60 + minute - offset) % 1440 + 1440) % 1440;
  return utc == 23 * 60 + 59;
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
  if (f == "email") return isEmail(s);
  if (f == "hostname") return isHostName(s);
  return isUri(s);
}

function isAlpha(c: i32): bool { return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a; }
function isDigitChar(c: i32): bool { return c >= 0x30 && c <= 0x39; }
function isUnreserved(c: i32): bool { return isAlpha(c) || isDigitChar(c) || c == 0x2d || c == 0x2e || c == 0x5f || c == 0x7e; }
function isSubDelim(c: i32): bool { return "!$&'()*+,;=".includes(String.fromCharCode(c)); }

// An address as the JSON Schema suite reads RFC 5321: a dot-atom or a quoted local part of at
// most 64 characters, and a host name or an address literal ([IPv4] or [IPv6:...]).
function isEmail(s: string): bool {
  const at = s.lastIndexOf("@");
  if (at <= 0 || at == s.length - 1) return false;
  const local = s.substring(0, at);
  const domain = s.substring(at + 1);
  if (!(isQuotedLocal(local) || isDotAtom(local)) || local.length > 64) return false;
  if (domain.startsWith("[") && domain.endsWith("]")) {
    const literal = domain.substring(1, domain.length - 1);
    return literal.startsWith("IPv6:") ? isIpv6(literal.substring(5)) : isIpv4(literal);
  }
  return isHostName(domain);
}

function isAtext(c: i32): bool { return isAlpha(c) || isDigitChar(c) || "!#$%&'*+-/=?^_`{|}~".includes(String.fromCharCode(c)); }

function isDotAtom(s: string): bool {
  const atoms = s.split(".");
  for (let i = 0; i < atoms.length; i++) {
    const a = atoms[i];
    if (a.length == 0) return false;
    for (let k = 0; k < a.length; k++) if (!isAtext(a.charCodeAt(k))) return false;
  }
  return true;
}

function isQuotedLocal(s: string): bool {
  if (s.length < 2 || s.charCodeAt(0) != 0x22 || s.charCodeAt(s.length - 1) != 0x22) return false;
  for (let i = 1; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x5c) { i++; if (i >= s.length - 1 || s.charCodeAt(i) < 0x20 || s.charCodeAt(i) > 0x7e) return false; continue; }
    if (c < 0x20 || c > 0x7e || c == 0x22) return false;
  }
  return true;
}

// RFC 1123 host name: dot-separated labels of letters, digits and '-', 1 to 63 characters, not
// starting or ending with '-'; at most 253 characters.
function isHostName(s: string): bool {
  if (s.length == 0 || s.length > 253) return false;
  const labels = s.split(".");
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l.length == 0 || l.length > 63 || l.charCodeAt(0) == 0x2d || l.charCodeAt(l.length - 1) == 0x2d) return false;
    for (let k = 0; k < l.length; k++) { const c = l.charCodeAt(k); if (!(isAlpha(c) || isDigitChar(c) || c == 0x2d)) return false; }
  }
  return true;
}

// Characters of `s` from `from` to `to` that are unreserved, %XX escapes, sub-delims, or in `extra`.
function isEncodedRun(s: string, from: i32, to: i32, extra: string): bool {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x25) {
      if (i + 2 >= to || hexDigit(s.charCodeAt(i + 1)) < 0 || hexDigit(s.charCodeAt(i + 2)) < 0) return false;
      i += 2;
      continue;
    }
    if (!(isUnreserved(c) || isSubDelim(c) || extra.includes(String.fromCharCode(c)))) return false;
  }
  return true;
}

// RFC 3986 URI (absolute, with a scheme): scheme ":" hier-part ["?" query] ["#" fragment].
function isUri(s: string): bool {
  const colon = s.indexOf(":");
  if (colon <= 0 || !isAlpha(s.charCodeAt(0))) return false;
  for (let i = 1; i < colon; i++) {
    const c = s.charCodeAt(i);
    if (!(isAlpha(c) || isDigitChar(c) || c == 0x2b || c == 0x2d || c == 0x2e)) return false;
  }
  let end = s.length;
  const hash = s.indexOf("#", colon);
  if (hash >= 0) { if (!isEncodedRun(s, hash + 1, s.length, ":@/?")) return false; end = hash; }
  const q = s.indexOf("?", colon);
  if (q >= 0 && q < end) { if (!isEncodedRun(s, q + 1, end, ":@/?")) return false; end = q; }
  let pathStart = colon + 1;
  if (s.startsWith("//", pathStart)) {
    const authStart = pathStart + 2;
    let authEnd = s.indexOf("/", authStart);
    if (authEnd < 0 || authEnd > end) authEnd = end;
    if (!isAuthority(s.substring(authStart, authEnd))) return false;
    pathStart = authEnd;
  }
  return isEncodedRun(s, pathStart, end, ":@/");
}

// [userinfo "@"] host [":" port]; host: [IPv6] or [vX.future], IPv4 or a registered name.
function isAuthority(a: string): bool {
  let host = a;
  const at = a.lastIndexOf("@");
  if (at >= 0) {
    if (!isEncodedRun(a, 0, at, ":")) return false;
    host = a.substring(at + 1);
  }
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    if (close < 0) return false;
    const inner = host.substring(1, close);
    const rest = host.substring(close + 1);
    if (rest.length > 0 && !(rest.charCodeAt(0) == 0x3a && isDigits(rest, 1, rest.length - 1))) return false;
    if (inner.length > 0 && (inner.charCodeAt(0) | 0x20) == 0x76) return isIpFuture(inner);
    return isIpv6(inner);
  }
  const colon = host.lastIndexOf(":");
  if (colon >= 0) {
    if (!isDigits(host, colon + 1, host.length - colon - 1)) return false;
    host = host.substring(0, colon);
  }
  return isEncodedRun(host, 0, host.length, "");
}

// IPvFuture: "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ).
function isIpFuture(s: string): bool {
  const dot = s.indexOf(".");
  if (dot < 2 || dot == s.length - 1) return false;
  for (let i = 1; i < dot; i++) if (hexDigit(s.charCodeAt(i)) < 0) return false;
  for (let i = dot + 1; i < s.length; i++) { const c = s.charCodeAt(i); if (!(isUnreserved(c) || isSubDelim(c) || c == 0x3a)) return false; }
  return true;
}
