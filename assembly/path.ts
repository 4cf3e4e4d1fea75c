// Request-path screening before route matching. Pure: no host calls.
//
// meshguard matches routes on the path as the upstream will see it. Anything that could be read
// two ways (by us and by the router or the service behind it) is refused instead of guessed:
// dot segments, segments ending in a dot, empty segments, encoded dots, slashes and backslashes,
// percent-encoded unreserved
// characters (a non-canonical spelling, e.g. `/%61dmin`), malformed escapes, backslashes,
// control characters and fragments. The shipped Envoy configs also normalise paths
// (normalize_path, merge_slashes, path_with_escaped_slashes_action), so a well-behaved client
// never meets this check.

import { hexDigit } from "./text";
export const MAX_PATH_BYTES = 8192;

export class PathCheck {
  query: string = "";   // after the '?', raw
  constructor(public readonly path: string, public readonly error: string) {}
  get ok(): bool { return this.error.length == 0; }
}


function isUnreserved(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2e || c == 0x5f || c == 0x7e;
}

// Returns the path without its query string, or an error naming what was refused.
export function checkPath(raw: string): PathCheck {
  if (raw.length == 0) return new PathCheck("", "empty path");
  if (raw.length > MAX_PATH_BYTES) return new PathCheck("", "path longer than " + MAX_PATH_BYTES.toString() + " bytes");
  if (raw.charCodeAt(0) != 0x2f) return new PathCheck("", "path does not start with '/'");
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.substring(0, q);
  const n = path.length;
  let segStart = 1;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? path.charCodeAt(i) : 0x2f;
    if (c == 0x2f) {
      if (i > 0) {
        const segLen = i - segStart;
        // An empty segment is allowed only as a single trailing slash ("/a/"); "/" alone is fine.
        if (segLen == 0 && i < n) return new PathCheck("", "empty path segment");
        if (segLen == 0 && i == n && n > 1 && path.charCodeAt(n - 2) == 0x2f) return new PathCheck("", "empty path segment");
        if (segLen == 1 && path.charCodeAt(segStart) == 0x2e) return new PathCheck("", "dot segment");
        if (segLen == 2 && path.charCodeAt(segStart) == 0x2e && path.charCodeAt(segStart + 1) == 0x2e) return new PathCheck("", "dot segment");
        // "/admin./users": some servers drop a trailing dot and read "/admin/users".
        if (segLen > 0 && path.charCodeAt(i - 1) == 0x2e) return new PathCheck("", "segment ending in a dot");
      }
      segStart = i + 1;
      continue;
    }
    if (c < 0x21 || c >= 0x7f) return new PathCheck("", "control, space or non-ASCII character in path");
    if (c == 0x5c) return new PathCheck("", "backslash in path");
    if (c == 0x23) return new PathCheck("", "fragment in path");
    if (c == 0x25) {
      if (i + 2 >= n) return new PathCheck("", "malformed percent-encoding");
      const h = hexDigit(path.charCodeAt(i + 1));
      const l = hexDigit(path.charCodeAt(i + 2));
      if (h < 0 || l < 0) return new PathCheck("", "malformed percent-encoding");
      const b = (h << 4) | l;
      if (b == 0x2f || b == 0x5c) return new PathCheck("", "encoded slash or backslash");
      if (b < 0x20 || b == 0x7f) return new PathCheck("", "encoded control character");
      if (isUnreserved(b)) return new PathCheck("", "non-canonical percent-encoding");
      i += 2;
    }
  }
  const ok = new PathCheck(path, "");
  if (q >= 0) ok.query = raw.substring(q + 1);
  return ok;
}
