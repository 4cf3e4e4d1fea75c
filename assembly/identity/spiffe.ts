// SPIFFE IDs and the patterns policies match them with. Pure: no host calls.
//
// A SPIFFE ID is `spiffe://<trust-domain>/<path>` (SPIFFE-ID spec, section 2): the trust domain is
// lowercase letters, digits, '.', '-', '_'; path segments are letters, digits, '.', '-', '_', never
// empty, never '.' or '..'; no query, fragment, port or user info; at most 2048 bytes. Istio names
// workloads `spiffe://<td>/ns/<namespace>/sa/<service-account>`.

export const SPIFFE_SCHEME = "spiffe://";
export const MAX_SPIFFE_ID_LENGTH = 2048;

export class SpiffeId {
  constructor(
    public readonly id: string,
    public readonly trustDomain: string,
    public readonly segments: string[],
    public readonly namespace: string,       // "" unless the path is /ns/<ns>/sa/<sa>
    public readonly serviceAccount: string,
  ) {}
}

function isTrustDomainChar(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2e || c == 0x2d || c == 0x5f;
}

function isSegmentChar(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2e || c == 0x2d || c == 0x5f;
}

function validTrustDomain(td: string): bool {
  if (td.length == 0 || td.length > 255) return false;
  for (let i = 0; i < td.length; i++) if (!isTrustDomainChar(td.charCodeAt(i))) return false;
  return true;
}

function validSegment(seg: string): bool {
  if (seg.length == 0 || seg == "." || seg == "..") return false;
  for (let i = 0; i < seg.length; i++) if (!isSegmentChar(seg.charCodeAt(i))) return false;
  return true;
}

// Returns null for anything that is not a well-formed SPIFFE ID.
export function parseSpiffeId(s: string): SpiffeId | null {
  if (s.length > MAX_SPIFFE_ID_LENGTH || !s.startsWith(SPIFFE_SCHEME)) return null;
  const rest = s.substring(SPIFFE_SCHEME.length);
  const slash = rest.indexOf("/");
  const td = slash < 0 ? rest : rest.substring(0, slash);
  if (!validTrustDomain(td)) return null;
  const segments = new Array<string>(0);
  if (slash >= 0) {
    const parts = rest.substring(slash + 1).split("/");
    for (let i = 0; i < parts.length; i++) {
      if (!validSegment(parts[i])) return null;
      segments.push(parts[i]);
    }
  }
  let ns = "";
  let sa = "";
  if (segments.length == 4 && segments[0] == "ns" && segments[2] == "sa") {
    ns = segments[1];
    sa = segments[3];
  }
  return new SpiffeId(s, td, segments, ns, sa);
}

// A pattern is a SPIFFE ID in which the trust domain or any whole path segment may be `*` (exactly
// one segment), and whose last segment may be `**` (one or more segments). Partial wildcards such
// as `fo*` are refused: they invite mistakes like `ns/prod*` matching `ns/production-debug`.
export class SpiffePattern {
  constructor(
    public readonly source: string,
    public readonly trustDomain: string,   // "*" for any
    public readonly segments: string[],
    public readonly anyTail: bool,          // last pattern segment was `**`
  ) {}

  matches(id: SpiffeId): bool {
    if (this.trustDomain != "*" && this.trustDomain != id.trustDomain) return false;
    const n = this.segments.length;
    if (this.anyTail) {
      if (id.segments.length <= n) return false;
    } else if (id.segments.length != n) {
      return false;
    }
    for (let i = 0; i < n; i++) {
      const p = this.segments[i];
      if (p != "*" && p != id.segments[i]) return false;
    }
    return true;
  }
}

export class PatternResult {
  constructor(public pattern: SpiffePattern | null, public error: string) {}
}

export function parseSpiffePattern(s: string): PatternResult {
  if (s.length > MAX_SPIFFE_ID_LENGTH) return new PatternResult(null, "longer than " + MAX_SPIFFE_ID_LENGTH.toString() + " bytes");
  if (!s.startsWith(SPIFFE_SCHEME)) return new PatternResult(null, "must start with \"spiffe://\"");
  const rest = s.substring(SPIFFE_SCHEME.length);
  const slash = rest.indexOf("/");
  const td = slash < 0 ? rest : rest.substring(0, slash);
  if (td != "*" && !validTrustDomain(td)) return new PatternResult(null, "invalid trust domain \"" + td + "\"");
  const segments = new Array<string>(0);
  let anyTail = false;
  if (slash >= 0) {
    const parts = rest.substring(slash + 1).split("/");
    for (let i = 0; i < parts.length; i++) {
      const seg = parts[i];
      if (seg == "**") {
        if (i != parts.length - 1) return new PatternResult(null, "\"**\" is only allowed as the last segment");
        anyTail = true;
        continue;
      }
      if (seg == "*") { segments.push(seg); continue; }
      if (seg.includes("*")) return new PatternResult(null, "wildcards must be a whole segment (\"*\" or a final \"**\"), not \"" + seg + "\"");
      if (!validSegment(seg)) return new PatternResult(null, "invalid path segment \"" + seg + "\"");
      segments.push(seg);
    }
  }
  return new PatternResult(new SpiffePattern(s, td, segments, anyTail), "");
}
