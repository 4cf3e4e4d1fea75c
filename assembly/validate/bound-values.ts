// The value of a body parameter named as one of the route's declared query parameters, judged by
// that parameter's rule. Frameworks that merge body parameters with the query (Rails, Laravel,
// PHP's $_REQUEST, ASP.NET model binding) hand the service the body's value under the query's
// name, so a body may carry that name only with a value the query itself could have carried (as a
// cookie may: bound-names.ts). Likewise a form field named as a path parameter must hold the
// path's value (a JSON member's is compared in override-body.ts). Values are kept as written, up
// to MAX_VALUE_BYTES (a longer one is not judged: refused), then read as the frameworks read
// them: a form's percent-decoded ('+' a space) as a query's value is, a JSON member's as the JSON
// value it is (a string decoded, a number or true/false as written, each only where the
// parameter's type reads one; null, an object or an array is no query value). Pure.
import { JsonKind, kindName, parseJson } from "../lib/json";
import { QueryParam, ValueType, checkQueryValue, decodeQueryPart, typeName } from "./shape";

export const MAX_VALUE_BYTES = 4096;

// The bytes of one value as they arrive, bounded.
export class ValueCapture {
  length: i32 = 0;
  overflow: bool = false;
  private buffer: Uint8Array = new Uint8Array(64);

  reset(): void { this.length = 0; this.overflow = false; }

  push(b: i32): void {
    if (this.length >= MAX_VALUE_BYTES) { this.overflow = true; return; }
    let buffer = this.buffer;
    if (this.length == buffer.length) {
      const grown = new Uint8Array(min(buffer.length * 2, MAX_VALUE_BYTES));
      grown.set(buffer);
      buffer = grown;
      this.buffer = buffer;
    }
    unchecked(buffer[this.length++] = <u8>b);
  }

  byteAt(i: i32): i32 { return <i32>unchecked(this.buffer[i]); }

  get bytes(): Uint8Array { return this.buffer.subarray(0, this.length); }

  // The bytes as text when they are all ASCII; null otherwise.
  ascii(): string | null {
    for (let i = 0; i < this.length; i++) if (this.byteAt(i) > 0x7f) return null;
    return String.UTF8.decodeUnsafe(this.buffer.dataStart, <usize>this.length, false);
  }
}

const TOO_LONG = "its value is longer than " + MAX_VALUE_BYTES.toString() + " bytes, more than meshguard judges";

// Why a value (decoded as its reader decodes it) cannot stand for a bound parameter: it fails the
// declared query parameter's `rule`, or, for a path parameter's name (`rule` null), it is not the
// path's `pathValue`; "" when it can. Forms, plain multipart parts and JSON members alike.
export function valueProblem(rule: QueryParam | null, pathValue: string | null, value: string): string {
  if (rule !== null) {
    const r = checkQueryValue(rule, value);
    return r.ok ? "" : r.detail;
  }
  return value == pathValue ? "" : "its value is not the path's";
}

// Why a form field's value (as written, decoded here as a query's) cannot stand for a bound
// parameter (valueProblem); "" when it can.
export function formValueProblem(rule: QueryParam | null, pathValue: string | null, v: ValueCapture): string {
  if (v.overflow) return TOO_LONG;
  const raw = v.ascii();
  const value = raw !== null ? decodeQueryPart(raw) : null;
  if (value === null) return "its value is not valid percent-encoded UTF-8";
  return valueProblem(rule, pathValue, value);
}

// Why a JSON member's value (its text as written) cannot stand for the query parameter `spec`; ""
// when it can.
export function jsonValueProblem(spec: QueryParam, v: ValueCapture): string {
  if (v.overflow) return TOO_LONG;
  const parsed = parseJson(v.bytes);
  const value = parsed.value;
  if (parsed.error.length > 0 || value === null) return "its value is not a JSON value";
  const kind = value.kind;
  if (kind != JsonKind.String && kind != JsonKind.Number && kind != JsonKind.Bool) return "its value is " + kindName(kind) + ", which a query parameter cannot be";
  // A query's value is text, which a typed parameter reads as a number or a boolean: only those
  // may come as such. A boolean where a string was declared would reach PHP's loose comparison
  // (true == "admin"), a number a string's (0 == "admin" before PHP 8).
  const t = spec.type;
  if (kind == JsonKind.Bool && t != ValueType.Boolean) return "its value is a boolean, and " + spec.name + " is " + typeName(t);
  if (kind == JsonKind.Number && t != ValueType.Integer && t != ValueType.Number) return "its value is a number, and " + spec.name + " is " + typeName(t);
  let text = value.str;   // a string's value, a number's text as written
  if (kind == JsonKind.Bool) text = value.bool ? "true" : "false";
  return valueProblem(spec, null, text);
}
