// Parameters in a request body that frameworks read beside, or instead of, what meshguard checked:
// a `_method` parameter in a POST body (see override.ts), and a parameter named as one the route
// binds, a path or declared query parameter (validate/bound-names.ts: Rails, Laravel, PHP's
// $_REQUEST and ASP.NET's model binding merge body parameters with the others, the body's
// winning). Which body formats frameworks read them from, and a scanner for each, fed the body in
// pieces of any size with O(1) state per name:
//
//   form       application/x-www-form-urlencoded, and no content-type at all (Rack reads a POST
//              without one as a form): every parameter name
//   JSON       a content-type with "/json" or "+json" anywhere in it (Laravel's test), or
//              "/x-json" (Rails registers text/x-json as JSON and merges its members): the
//              top-level object's member names, escapes decoded
//   multipart  multipart/*: every part's name, and "_method" anywhere in its header block
//              (multipart-names.ts)
// Other media types are not read as parameters by those frameworks and are not scanned.
import { hexDigit, lowerAscii } from "../lib/text";
import { PartNames } from "./multipart-names";
import { FormNames, METHOD_PARAMETER, NameMatches } from "./override";

// The scanners a body needs, from its media type (validate/hygiene.ts mediaType) and its whole
// content-type value (Laravel tests the value, parameters included), or null when none does. A
// body two frameworks would read as different formats is scanned as both. `names`: the names
// looked for in a form (lenient forms, override.ts NameMatch); `jsonNames`: those looked for among
// a JSON body's top-level members, those from `boundFrom` on passing when they hold the value of
// the path parameter `params[pathParams[k - boundFrom]]` (read now: `params` may be reused). A
// multipart body's part names are matched against `names`, as a form's are.
export function bodyParameterScan(mediaType: string, contentType: string, names: string[], jsonNames: string[], boundFrom: i32, params: string[], pathParams: i32[]): BodyParameters | null {
  const form = mediaType.length == 0 || mediaType == "application/x-www-form-urlencoded";
  const multipart = mediaType.startsWith("multipart/") && names.length > 0;
  const lower = lowerAscii(contentType);
  const json = (lower.includes("/json") || lower.includes("+json") || lower.includes("/x-json")) && jsonNames.length > 0;
  if (!((form && names.length > 0) || multipart || json)) return null;
  const parts = multipart ? new PartNames(names, names.includes(METHOD_PARAMETER)) : null;
  return new BodyParameters(form ? names : null, json ? new JsonNames(jsonNames, boundFrom, params, pathParams) : null, parts);
}

export class BodyParameters {
  private readonly form: FormNames | null;
  private readonly json: JsonNames | null;
  private readonly parts: PartNames | null;

  constructor(form: string[] | null, json: JsonNames | null, parts: PartNames | null) {
    this.form = form !== null ? new FormNames(form) : null;
    this.json = json;
    this.parts = parts;
  }

  // The next bytes of the body; true once a parameter looked for was seen (`found`).
  feed(bytes: Uint8Array): bool {
    const n = bytes.length;
    const form = this.form;
    const json = this.json;
    const parts = this.parts;
    if (form !== null) for (let i = 0; i < n; i++) form.push(<i32>unchecked(bytes[i]));
    if (json !== null) json.feed(bytes);
    if (parts !== null) for (let i = 0; i < n; i++) parts.push(<i32>unchecked(bytes[i]));
    return this.found.length > 0;
  }

  // The end of the body: true when it carried a parameter looked for.
  end(): bool {
    const form = this.form;
    if (form !== null) form.end();
    const parts = this.parts;
    if (parts !== null) parts.end();
    return this.found.length > 0;
  }

  // The name of the first parameter looked for that the body carried (as looked for); "" if none.
  get found(): string {
    const form = this.form;
    if (form !== null && form.found.length > 0) return form.found;
    const json = this.json;
    if (json !== null && json.found.length > 0) return json.found;
    const parts = this.parts;
    return parts !== null ? parts.found : "";
  }
}

// The member names of a top-level JSON object. Lenient: it never refuses, it only watches names,
// so a malformed document is scanned as far as it goes (its service will refuse it, or read it).
class JsonNames {
  found: string = "";
  private readonly name: NameMatches;
  // Targets from `boundFrom` on are names bound to a value (a path parameter's): a member so named
  // is found only when its value is not that value, written plainly (a string without escapes,
  // or a number's text). Made when such a member is met.
  private value: BoundValue | null = null;
  private depth: i32 = 0;
  private started: bool = false;
  private topObject: bool = false;
  private expectName: bool = false;   // the next string at depth 1 is a member name
  private inString: bool = false;
  private isName: bool = false;       // the string being read is a top-level member name
  private escape: i32 = 0;            // 0: none; 1: after '\'; 2-5: \u and that many hex digits - 2
  private code: i32 = 0;

  // The path's values the bound names are compared with: copied here, since the route matcher
  // reuses its parameter array for the next stream's path while this body is still arriving.
  private readonly values: string[];

  constructor(targets: string[], private readonly boundFrom: i32, params: string[], pathParams: i32[]) {
    this.name = new NameMatches(targets);
    const values = new Array<string>(pathParams.length);
    for (let i = 0; i < pathParams.length; i++) {
      const p = unchecked(pathParams[i]);
      values[i] = p < params.length ? unchecked(params[p]) : "";
    }
    this.values = values;
  }

  feed(bytes: Uint8Array): void {
    const n = bytes.length;
    for (let i = 0; i < n; i++) {
      if (this.inString) {
        // Inside a string that is not a top-level name (or a bound value), only its end or an
        // escape matters.
        if (!this.isName && this.escape == 0 && !this.capturing) {
          while (i < n && unchecked(bytes[i]) != 0x22 && unchecked(bytes[i]) != 0x5c) i++;
          if (i == n) break;
        }
      } else if (this.depth >= 2) {
        // Below the top-level object's members, only strings and brackets matter (a comma there
        // never starts a top-level name).
        while (i < n) {
          const c = unchecked(bytes[i]);
          if (c == 0x22 || c == 0x7b || c == 0x7d || c == 0x5b || c == 0x5d) break;
          i++;
        }
        if (i == n) break;
      }
      this.push(<i32>unchecked(bytes[i]));
    }
  }

  // A bound name's value is being read (BoundValue).
  private get capturing(): bool { const v = this.value; return v !== null && v.pending >= 0; }

  push(c: i32): void {
    if (this.inString) { this.inStringByte(c); return; }
    const v = this.value;
    if (v !== null && v.pending >= 0 && this.depth == 1 && c != 0x3a && c > 0x20) {
      // The bound name's value: a string (read in inStringByte), a number (its characters), or
      // anything else (never the path's value).
      if (c == 0x22) { v.startString(); this.inString = true; this.isName = false; return; }
      if ((c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2b || c == 0x2e || c == 0x65 || c == 0x45) { v.take(c); return; }
      if (v.takenAny) this.settle(v);
      else { v.mismatch(); this.settle(v); }
    }
    if (c == 0x22) {
      this.inString = true;
      this.isName = this.topObject && this.depth == 1 && this.expectName;
      this.expectName = false;
      this.name.reset();
    } else if (c == 0x7b || c == 0x5b) {
      if (!this.started) { this.started = true; this.topObject = c == 0x7b; }
      this.depth++;
      this.expectName = this.depth == 1 && c == 0x7b;
    } else if (c == 0x7d || c == 0x5d) {
      this.depth--;
    } else if (c == 0x2c) {
      this.expectName = this.depth == 1;
    } else if (c > 0x20 && c < 0x80 && !this.started) {
      this.started = true;   // a scalar document: no names (bytes above 0x7f, a BOM, do not start one)
    }
  }

  // A bound value ended: found when it was not the path's.
  private settle(v: BoundValue): void {
    const k = v.pending;
    if (!v.matches() && this.found.length == 0) this.found = this.name.target(this.boundFrom + k);
    v.pending = -1;
  }

  private inStringByte(c: i32): void {
    const v = this.value;
    if (v !== null && v.pending >= 0) {
      if (c == 0x22) { this.inString = false; this.settle(v); }
      else if (c == 0x5c) v.mismatch();   // an escape: not plainly the path's value
      else v.take(c);
      return;
    }
    const e = this.escape;
    if (e == 1) {
      if (c == 0x75) { this.escape = 2; this.code = 0; return; }
      this.escape = 0;
      this.nameByte(c == 0x2f || c == 0x5c || c == 0x22 ? c : 0xff);   // \/ \\ \" stand for themselves
    } else if (e >= 2) {
      const h = hexDigit(c);
      if (h < 0) { this.escape = 0; this.nameByte(0xff); return; }
      this.code = (this.code << 4) | h;
      if (++this.escape < 6) return;
      this.escape = 0;
      if (this.isName) this.name.pushCode(this.code);
    } else if (c == 0x5c) {
      this.escape = 1;
    } else if (c == 0x22) {
      this.inString = false;
      if (this.isName) this.nameEnded();
    } else {
      this.nameByte(c);
    }
  }

  private nameByte(c: i32): void { if (this.isName) this.name.push(c); }

  private nameEnded(): void {
    const k = this.name.endNameIndex();
    if (k < 0) return;
    if (k < this.boundFrom) { if (this.found.length == 0) this.found = this.name.target(k); return; }
    let v = this.value;
    if (v === null) { v = new BoundValue(this.values.length); this.value = v; }
    v.await(k - this.boundFrom, unchecked(this.values[k - this.boundFrom]));
  }
}

// The value of a member named as a path parameter, compared with the path's value as bytes. Each
// path value is encoded once per body, however many members name it.
class BoundValue {
  pending: i32 = -1;                  // the bound name whose value is being read; -1: none
  takenAny: bool = false;
  private expected: ArrayBuffer = new ArrayBuffer(0);
  private readonly encoded: StaticArray<ArrayBuffer | null>;   // per bound name, once met
  private at: i32 = 0;                // bytes of the value so far
  private differs: bool = false;

  constructor(names: i32) { this.encoded = new StaticArray<ArrayBuffer | null>(names); }

  await(k: i32, value: string): void {
    this.pending = k;
    let e = unchecked(this.encoded[k]);
    if (e === null) { e = String.UTF8.encode(value); unchecked(this.encoded[k] = e); }
    this.expected = e;
    this.at = 0;
    this.differs = false;
    this.takenAny = false;
  }
  startString(): void { this.takenAny = true; }
  mismatch(): void { this.differs = true; }

  take(c: i32): void {
    this.takenAny = true;
    if (this.differs) return;
    const e = this.expected;
    if (this.at >= e.byteLength || load<u8>(changetype<usize>(e) + <usize>this.at) != <u8>c) this.differs = true;
    this.at++;
  }

  matches(): bool { return !this.differs && this.at == this.expected.byteLength; }
}
