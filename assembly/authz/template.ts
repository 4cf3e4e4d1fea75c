// Route templates: method + path template (+ optional host). Pure: no host calls.
//
// A template is a path whose segments are literals, `{name}` (one segment, bound to `name`), `*`
// (one segment, unnamed), or a final `**` (zero or more segments). Matching is case-sensitive (the
// pipeline also checks the case-folded reading, routes.ts otherRoute) and runs on a path that has
// passed checkPath(); a single trailing slash is ignored, so `/a/b/` is
// `/a/b` for every rule (an upstream router usually treats them alike, and a rule must not be
// side-stepped by the difference).

import { foldCase } from "../lib/text";

export const enum SegmentKind { Literal = 0, Param = 1, Any = 2, Rest = 3 }

export class Segment {
  readonly folded: string;   // text in ASCII lowercase, for the case-insensitive reading (routes.ts)
  constructor(public kind: SegmentKind, public text: string) { this.folded = foldCase(text); }
}

export class TemplateResult {
  constructor(public template: PathTemplate | null, public error: string) {}
}

export class PathTemplate {
  constructor(public readonly source: string, public readonly segments: Segment[], public readonly params: string[]) {}

  // Specificity, for ordering routes (negative: this one first): compared segment by segment, a
  // literal beats a parameter or `*`, which beats `**`. When one template is a prefix of the other,
  // only a `**` lets both match one path ("/a" and "/a/**" both match "/a"), and the exact end
  // wins; otherwise the longer template goes first (the two never match the same path).
  compare(other: PathTemplate): i32 {
    const n = min(this.segments.length, other.segments.length);
    for (let i = 0; i < n; i++) {
      const a = rank(this.segments[i].kind);
      const b = rank(other.segments[i].kind);
      if (a != b) return b - a;
    }
    if (this.segments.length == other.segments.length) return 0;
    if (this.segments.length > n && this.segments[n].kind == SegmentKind.Rest) return 1;
    if (other.segments.length > n && other.segments[n].kind == SegmentKind.Rest) return -1;
    return other.segments.length - this.segments.length;
  }

  // Whether both match exactly the same paths: the same segment kinds and literals (parameter
  // names aside). "/x" and "/x/" are one template: a trailing slash is ignored when matching.
  sameShape(other: PathTemplate): bool {
    if (this.segments.length != other.segments.length) return false;
    for (let i = 0; i < this.segments.length; i++) {
      const a = this.segments[i];
      const b = other.segments[i];
      const ka = a.kind == SegmentKind.Param ? SegmentKind.Any : a.kind;
      const kb = b.kind == SegmentKind.Param ? SegmentKind.Any : b.kind;
      if (ka != kb || (ka == SegmentKind.Literal && a.text != b.text)) return false;
    }
    return true;
  }

  // A key that two templates share exactly when they match the same paths read without case:
  // segment kinds (a parameter as `*`) and the literals folded (Segment.folded).
  foldedShape(): string {
    let key = "";
    for (let i = 0; i < this.segments.length; i++) {
      const s = this.segments[i];
      key += s.kind == SegmentKind.Literal ? "/=" + s.folded : s.kind == SegmentKind.Rest ? "/**" : "/*";
    }
    return key;
  }

  // Fills `values` (aligned with this.params) and returns true when the path matches.
  // `folded`: the path's segments are in ASCII lowercase, and so are the literals compared.
  match(pathSegments: string[], values: string[], folded: bool = false): bool {
    const segs = this.segments;
    let i = 0;
    let p = 0;
    for (; i < segs.length; i++) {
      const s = segs[i];
      if (s.kind == SegmentKind.Rest) return true;
      if (p >= pathSegments.length) return false;
      const actual = pathSegments[p++];
      if (s.kind == SegmentKind.Literal) {
        if (actual != (folded ? s.folded : s.text)) return false;
      } else if (s.kind == SegmentKind.Param) {
        values.push(actual);
      }
    }
    return p == pathSegments.length;
  }
}

function rank(kind: SegmentKind): i32 {
  if (kind == SegmentKind.Literal) return 3;
  if (kind == SegmentKind.Rest) return 1;
  return 2;
}

function isParamName(s: string): bool {
  if (s.length == 0 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x5f;
    if (!ok) return false;
  }
  return true;
}

export function compileTemplate(source: string): TemplateResult {
  if (!source.startsWith("/")) return new TemplateResult(null, "must start with '/'");
  if (source.length > 1024) return new TemplateResult(null, "longer than 1024 characters");
  const parts = splitPath(source);
  const segments = new Array<Segment>(0);
  const params = new Array<string>(0);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p == "**") {
      if (i != parts.length - 1) return new TemplateResult(null, "\"**\" is only allowed as the last segment");
      segments.push(new Segment(SegmentKind.Rest, p));
    } else if (p == "*") {
      segments.push(new Segment(SegmentKind.Any, p));
    } else if (p.startsWith("{") && p.endsWith("}")) {
      const name = p.substring(1, p.length - 1);
      if (!isParamName(name)) return new TemplateResult(null, "invalid parameter name \"" + name + "\"");
      if (params.includes(name)) return new TemplateResult(null, "parameter \"" + name + "\" appears twice");
      params.push(name);
      segments.push(new Segment(SegmentKind.Param, name));
    } else {
      if (p.length == 0) return new TemplateResult(null, "empty segment");
      if (p == "." || p == "..") return new TemplateResult(null, "dot segment");
      for (let k = 0; k < p.length; k++) {
        const c = p.charCodeAt(k);
        if (c == 0x7b || c == 0x7d || c == 0x2a || c == 0x25 || c == 0x3f || c == 0x23 || c == 0x5c || c <= 0x20 || c >= 0x7f) {
          return new TemplateResult(null, "invalid character in segment \"" + p + "\"");
        }
      }
      segments.push(new Segment(SegmentKind.Literal, p));
    }
  }
  return new TemplateResult(new PathTemplate(source, segments, params), "");
}

// "/a/b/" and "/a/b" → ["a","b"]; "/" → [].
export function splitPath(path: string): string[] {
  return splitPathInto(path, new Array<string>(0));
}

// splitPath into `out` (emptied first): a segment is the one string made per segment.
export function splitPathInto(path: string, out: string[]): string[] {
  out.length = 0;
  let end = path.length;
  if (end > 1 && path.charCodeAt(end - 1) == 0x2f) end--;
  if (end <= 1) return out;
  let from = 1;
  for (let i = 1; i <= end; i++) {
    if (i < end && path.charCodeAt(i) != 0x2f) continue;
    out.push(path.substring(from, i));
    from = i + 1;
  }
  return out;
}

// HTTP method tokens, compared exactly (RFC 9110: methods are case-sensitive).
export function isMethodToken(m: string): bool {
  if (m.length == 0 || m.length > 32) return false;
  for (let i = 0; i < m.length; i++) {
    const c = m.charCodeAt(i);
    if (!((c >= 0x41 && c <= 0x5a) || c == 0x2d || c == 0x5f)) return false;
  }
  return true;
}

// The authority without its port or a trailing dot, lowercased, for host matching.
export function hostOf(authority: string): string {
  let end = authority.length;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close > 0) end = close + 1;
  } else {
    const colon = authority.lastIndexOf(":");
    if (colon >= 0) end = colon;
  }
  // "api.example.com." is the same name as "api.example.com" (a fully qualified name's root dot),
  // and servers that route by Host read it so.
  if (end > 1 && authority.charCodeAt(end - 1) == 0x2e) end--;
  return authority.substring(0, end).toLowerCase();
}
