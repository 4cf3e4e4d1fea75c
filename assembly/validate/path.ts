// Request-path screening before route matching. Pure: no host calls.
//
// meshguard matches routes on the path as the upstream will see it. Anything that could be read
// two ways (by us and by the router or the service behind it) is refused instead of guessed:
// dot segments (also before a ';' parameter), segments ending in a dot, empty segments, encoded
// dots, slashes and backslashes, percent-encoded unreserved characters (a non-canonical spelling,
// e.g. `/%61dmin`), double encoding (%252e), escapes that are not strict UTF-8 (the overlong
// %c0%ae), malformed escapes, backslashes, control characters and fragments; an encoded percent
// sign only on routes that allow it. Read case-insensitively and with ';' path parameters dropped
// (withoutParameters), a path must lead to the same route (the pipeline matches both readings).
// The shipped Envoy configs also normalise paths (normalize_path, merge_slashes,
// path_with_escaped_slashes_action), so a well-behaved client never meets this check.

import { foldCase, hexDigit, isUtf8, percentDecode } from "../lib/text";
export const MAX_PATH_BYTES = 8192;

export class PathCheck {
  query: string = "";   // after the '?', raw
  encodedPercent: bool = false;   // the path has a literal '%' (as %25): only allow_encoded_percent routes take it
  parameters: bool = false;       // a segment has a ';' path parameter (raw or %3B): see withoutParameters
  upper: bool = false;            // the path has an ASCII capital or an escaped byte above 0x7f: otherReading may differ
  constructor(public readonly path: string, public readonly error: string) {}
  get ok(): bool { return this.error.length == 0; }
}


function isUnreserved(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2e || c == 0x5f || c == 0x7e;
}

function refused(error: string): PathCheck { return new PathCheck("", error); }

// Returns the path without its query string, or an error naming what was refused.
export function checkPath(raw: string): PathCheck {
  if (raw.length == 0) return refused("empty path");
  if (raw.length > MAX_PATH_BYTES) return refused("path longer than " + MAX_PATH_BYTES.toString() + " bytes");
  if (raw.charCodeAt(0) != 0x2f) return refused("path does not start with '/'");
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.substring(0, q);
  const n = path.length;
  let segStart = 1;
  let high = false;      // an escape of a byte above 0x7f
  let percent = false;   // an encoded percent sign (%25)
  let semi = -1;         // the first ';' of the current segment
  let parameters = false;
  let upper = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? path.charCodeAt(i) : 0x2f;
    if (c >= 0x41 && c <= 0x5a) upper = true;
    if (c == 0x2f) {
      const e = i > 0 ? segmentProblem(path, segStart, i, semi) : "";
      if (e.length > 0) return refused(e);
      if (semi >= 0) parameters = true;
      segStart = i + 1;
      semi = -1;
      continue;
    }
    if (c == 0x3b && semi < 0) semi = i;
    const e = characterProblem(c);
    if (e.length > 0) return refused(e);
    if (c != 0x25) continue;
    const b = escapedByte(path, i);
    if (b < 0) return refused("malformed percent-encoding");
    const ee = escapeProblem(path, i, b);
    if (ee.length > 0) return refused(ee);
    if (b >= 0x80) high = true;
    // An encoded ';' is a parameter separator to a server that decodes before it splits.
    if (b == 0x3b && semi < 0) semi = i;
    if (b == 0x25) percent = true;
    i += 2;
  }
  // Escaped bytes above 0x7f must decode to UTF-8, strictly: a lenient decoder reads the overlong
  // %c0%ae as '.' and %c0%af as '/'.
  if (high) {
    const decoded = percentDecode(path, false);
    if (decoded === null || !isUtf8(decoded)) return refused("percent-encoding that is not valid UTF-8 (overlong forms included)");
  }
  const ok = new PathCheck(path, "");
  ok.encodedPercent = percent;
  ok.parameters = parameters;
  ok.upper = upper || high;
  if (q >= 0) ok.query = raw.substring(q + 1);
  return ok;
}

// The path as a server that drops path parameters reads it (Tomcat, Jetty: "/admin;x/users" is
// "/admin/users"): each segment cut at its first ';', raw or %3B. For a path checkPath accepted.
export function withoutParameters(path: string): string {
  let out = "";
  let from = 0;
  let skipping = false;
  for (let i = 0; i <= path.length; i++) {
    const c = i < path.length ? path.charCodeAt(i) : 0x2f;
    if (c == 0x2f) {
      if (skipping) { from = i; skipping = false; }
      continue;
    }
    if (skipping) continue;
    if (c == 0x3b || (c == 0x25 && escapedByte(path, i) == 0x3b)) { out += path.substring(from, i); skipping = true; }
  }
  return out + path.substring(from);
}

// The path as a server that routes without regard to case and drops path parameters reads it:
// withoutParameters, case folded (lib/text.ts foldCase), with the escapes of the non-ASCII letters
// foldCase reads as ASCII ones (ı, İ, ſ, the Kelvin sign) decoded to those: ASP.NET Core decodes
// "/adm%C4%B1n" and matches it to "admin". For a path checkPath accepted.
export function otherReading(path: string): string {
  return foldCase(foldedEscapes(withoutParameters(path)));
}

function foldedEscapes(path: string): string {
  if (!path.includes("%")) return path;
  let out = "";
  let from = 0;
  for (let i = path.indexOf("%"); i >= 0; i = path.indexOf("%", i)) {
    const a = escapedByte(path, i);
    const b = i + 5 < path.length ? escapedByte(path, i + 3) : -1;
    let letter = "";
    let len = 6;
    if (a == 0xc4 && (b == 0xb0 || b == 0xb1)) letter = "i";
    else if (a == 0xc5 && b == 0xbf) letter = "s";
    else if (a == 0xe2 && b == 0x84 && i + 8 < path.length && escapedByte(path, i + 6) == 0xaa) { letter = "k"; len = 9; }
    if (letter.length == 0) { i += 3; continue; }
    out += path.substring(from, i) + letter;
    i += len;
    from = i;
  }
  return out + path.substring(from);
}

function isDot(path: string, at: i32): bool { return path.charCodeAt(at) == 0x2e; }

// The segment [start, end) of `path`, whose first ';' is at `semi` (-1: none): "" when it is fine.
function segmentProblem(path: string, start: i32, end: i32, semi: i32): string {
  const n = path.length;
  const len = end - start;
  // An empty segment is allowed only as a single trailing slash ("/a/"); "/" alone is fine.
  if (len == 0 && end < n) return "empty path segment";
  if (len == 0 && end == n && n > 1 && path.charCodeAt(n - 2) == 0x2f) return "empty path segment";
  if (len == 1 && isDot(path, start)) return "dot segment";
  if (len == 2 && isDot(path, start) && isDot(path, start + 1)) return "dot segment";
  // "/admin./users": some servers drop a trailing dot and read "/admin/users".
  if (len > 0 && isDot(path, end - 1)) return "segment ending in a dot";
  // "/public/..;/admin": servers that take ';' as a path-parameter separator (Tomcat, Jetty) read
  // "..;" as "..". A segment whose part before a ';' is empty, "." or ".." is refused.
  if (semi < 0) return "";
  const head = semi - start;
  if (head == 0 || (head == 1 && isDot(path, start)) || (head == 2 && isDot(path, start) && isDot(path, start + 1))) {
    return "dot or empty segment before a ';' parameter";
  }
  return "";
}

function characterProblem(c: i32): string {
  if (c < 0x21 || c >= 0x7f) return "control, space or non-ASCII character in path";
  if (c == 0x5c) return "backslash in path";
  if (c == 0x23) return "fragment in path";
  return "";
}

// The byte a '%' at `i` encodes, or -1 when the escape is malformed.
function escapedByte(path: string, i: i32): i32 {
  if (i + 2 >= path.length) return -1;
  const h = hexDigit(path.charCodeAt(i + 1));
  const l = hexDigit(path.charCodeAt(i + 2));
  return h < 0 || l < 0 ? -1 : (h << 4) | l;
}

// An escape of byte `b` at `i` that some reader would decode into something else: "" when fine.
function escapeProblem(path: string, i: i32, b: i32): string {
  if (b == 0x2f || b == 0x5c) return "encoded slash or backslash";
  if (b < 0x20 || b == 0x7f) return "encoded control character";
  if (isUnreserved(b)) return "non-canonical percent-encoding";
  // An encoded percent sign followed by two hex digits is double encoding (%252e, %252f, %25c0):
  // a server that decodes twice reads a dot, a slash, an overlong byte. Always refused. Otherwise
  // it is a literal '%', which only a route that says so takes (allow_encoded_percent).
  if (b == 0x25 && i + 4 < path.length && hexDigit(path.charCodeAt(i + 3)) >= 0 && hexDigit(path.charCodeAt(i + 4)) >= 0) {
    return "double percent-encoding (%25 followed by two hex digits)";
  }
  return "";
}
