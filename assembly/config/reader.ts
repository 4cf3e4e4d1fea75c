// Reading the configuration's JSON: kind checks, unknown fields, common value forms. The first
// error wins, and it names the field ("routes[2].allow[0].peers[1]: ..."). Pure.
import { ClaimPath } from "../identity/caller";
import { JsonKind, JsonValue, kindName } from "../lib/json";

export const MAX_LIST = 1000;

export class ConfigReader {
  error: string = "";
  // What the routes and limits read, for the parts compiled after them.
  usesUserClaims: bool = false;
  clients: string[] = [];        // API-key client names (api_keys)
  trustDomains: string[] = [];   // trust_domains; empty: any

  fail(field: string, message: string): void {
    if (this.error.length == 0) this.error = field + ": " + message;
  }
  get failed(): bool { return this.error.length > 0; }

  expectKind(field: string, v: JsonValue, kind: JsonKind): bool {
    if (v.kind == kind) return true;
    this.fail(field, "expected " + kindName(kind) + ", got " + kindName(v.kind));
    return false;
  }

  // An object field whose value must be an object: null when absent or of another kind.
  object(field: string, v: JsonValue | null, known: string[]): JsonValue | null {
    if (v === null || !this.expectKind(field, v, JsonKind.Object)) return null;
    this.onlyKnown(field, v, known);
    return v;
  }

  onlyKnown(field: string, obj: JsonValue, known: string[]): void {
    for (let i = 0; i < obj.names.length; i++) {
      if (!known.includes(obj.names[i])) {
        this.fail(field.length > 0 ? field + "." + obj.names[i] : obj.names[i], "unknown field");
        return;
      }
    }
  }

  bool(field: string, v: JsonValue | null, fallback: bool): bool {
    if (v === null) return fallback;
    if (!this.expectKind(field, v, JsonKind.Bool)) return fallback;
    return v.bool;
  }

  // A string that must be one of `choices`; the index of the one given, or `fallback`.
  choice(field: string, v: JsonValue | null, choices: string[], fallback: i32): i32 {
    if (v === null || !this.expectKind(field, v, JsonKind.String)) return fallback;
    const at = choices.indexOf(v.str);
    if (at >= 0) return at;
    this.fail(field, "must be \"" + choices.join("\" or \"") + "\", got \"" + v.str + "\"");
    return fallback;
  }

  // A list of non-empty strings, at most MAX_LIST, no duplicates.
  strings(field: string, v: JsonValue | null): string[] {
    const out = new Array<string>(0);
    if (v === null) return out;
    if (!this.expectKind(field, v, JsonKind.Array)) return out;
    if (v.items.length > MAX_LIST) { this.fail(field, "more than " + MAX_LIST.toString() + " entries"); return out; }
    // An entry's field name is built only for its error (500 routes' lists: thousands of strings).
    for (let i = 0; i < v.items.length; i++) {
      const item = v.items[i];
      if (item.kind != JsonKind.String) { this.expectKind(entry(field, i), item, JsonKind.String); return out; }
      const s = item.str;
      if (s.length == 0) { this.fail(entry(field, i), "empty"); return out; }
      if (out.includes(s)) { this.fail(entry(field, i), "duplicate \"" + s + "\""); return out; }
      out.push(s);
    }
    return out;
  }

  // "enforce" (false) or "audit" (true).
  mode(field: string, v: JsonValue | null): bool {
    return this.choice(field, v, MODES, 0) == 1;
  }

  wholeNumber(field: string, v: JsonValue | null, lo: f64, hi: f64, fallback: i64): i64 {
    if (v === null) return fallback;
    if (!this.expectKind(field, v, JsonKind.Number)) return fallback;
    if (v.num < lo || v.num > hi || Math.floor(v.num) != v.num) {
      this.fail(field, "must be a whole number from " + (<i64>lo).toString() + " to " + (<i64>hi).toString());
      return fallback;
    }
    return <i64>v.num;
  }

  positiveNumber(field: string, v: JsonValue | null, max: f64): f64 {
    if (v === null) { this.fail(field, "required"); return 1; }
    if (!this.expectKind(field, v, JsonKind.Number)) return 1;
    if (!(v.num > 0) || v.num > max) { this.fail(field, "must be a number above 0 and at most " + max.toString()); return 1; }
    return v.num;
  }

  // A lowercase HTTP header name (RFC 9110 token; Envoy lowercases names).
  headerName(field: string, v: JsonValue | null, fallback: string): string {
    if (v === null) return fallback;
    if (!this.expectKind(field, v, JsonKind.String)) return fallback;
    const name = v.str;
    if (name.length == 0 || name.length > 256) { this.fail(field, "header name must be 1 to 256 characters"); return fallback; }
    for (let i = 0; i < name.length; i++) {
      if (!isTokenChar(name.charCodeAt(i))) {
        this.fail(field, "\"" + name + "\" is not a lowercase HTTP header name");
        return fallback;
      }
    }
    return name;
  }

  // "a.b.c" or ["a", "b.c"] (for claim names that contain dots, such as URLs).
  claimPath(field: string, v: JsonValue): ClaimPath {
    if (v.isString()) return this.dottedClaimPath(field, v.str);
    const out = new Array<string>(0);
    if (v.isArray()) {
      const parts = this.strings(field, v);
      if (parts.length == 0 && !this.failed) this.fail(field, "empty claim path");
      return parts;
    }
    this.fail(field, "expected a claim path (string or list of strings), got " + kindName(v.kind));
    return out;
  }

  dottedClaimPath(field: string, s: string): ClaimPath {
    const out = new Array<string>(0);
    const parts = s.split(".");
    for (let i = 0; i < parts.length; i++) {
      if (parts[i].length == 0) { this.fail(field, "empty segment in claim path \"" + s + "\""); return out; }
      out.push(parts[i]);
    }
    return out;
  }
}

const MODES: string[] = ["enforce", "audit"];

function isTokenChar(ch: i32): bool {
  return (ch >= 0x61 && ch <= 0x7a) || (ch >= 0x30 && ch <= 0x39) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(ch));
}

// The field name of a list's entry: "field[i]".
export function entry(field: string, i: i32): string {
  return field + "[" + i.toString() + "]";
}
