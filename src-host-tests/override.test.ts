// Method overrides in the query and in POST bodies (validate/override.ts, override-body.ts), on their
// own: the names lenient frameworks read as `_method`, the ones they do not, every body cut into
// pieces of every size, and a fuzz against a reference written from the rules in the files'
// headers. The pipeline's replies are in hygiene.test.ts and the body table (every framing).
import { describe, expect, it } from "vitest";
import { formInteger, formReference, formValuesReference, integerText, multipartReference, nameMatchKind, nameMatches, plainPartsReference } from "./override-reference";
import { FUZZ_ITERATIONS, FUZZ_SEED, Rng } from "./random";
import { unit, withBytes } from "./unit";

const fn = unit;
const query = (q: string) => withBytes(q, (p, len) => fn.overrideQuery(p, len));
function body(contentType: string, b: string | Buffer, chunk: number): number {
  withBytes(contentType, (p, len) => fn.setOverrideType(p, len));
  return withBytes(b, (p, len) => fn.overrideBody(p, len, chunk));
}
const CHUNKS = [1, 2, 3, 5, 7, 1 << 20];

const codes = (s: string) => [...Buffer.from(s, "latin1")];

describe("a _method parameter in the query", () => {
  const found = ["_method=DELETE", "a=1&_method=DELETE", "a=1;_method=DELETE", "_METHOD=delete", "%5Fmethod=DELETE", "%5fm%65thod=x",
    "_method", "_method=", "_method[]=DELETE", "_method[x]=1", ".method=DELETE", "+_method=DELETE", "%20%20_method=x",
    "_method%00junk=x", "_Method=PUT&x=1",
    // Rack before 3 drops leading '[' and ']' and the ']' after a name (Express's qs a leading [..]).
    "[_method=x", "]_method=x", "_method]=x", "[_method]=DELETE", "]]%5B_method]]=x", "_method]x=1", " [_method=x"];
  const notFound = ["", "method=DELETE", "x_method=DELETE", "_methods=DELETE", "a=_method", "a=1&b=_method=DELETE", "_meth%6=x", "_meth od=x",
    "_me%00thod=x", "%5F%5Fmethod=x", "q=%26_method%3DDELETE",
    // PHP ignores a name that starts with '[' (an empty name); Rack and qs read "method".
    "[method=x", "_me]thod=x"];
  for (const q of found) it(`finds ${JSON.stringify(q)}`, () => expect(query(q)).toBe(1));
  for (const q of notFound) it(`lets ${JSON.stringify(q)} be`, () => expect(query(q)).toBe(0));
});

interface BodyRow { type: string; body: string; found: number; why: string }
const PART = (name: string, content: string) => `--XyZ\r\nContent-Disposition: form-data; ${name}\r\n\r\n${content}\r\n`;
// A body scanned for `names` (lenient, as BodyRules lists them) rather than `_method` alone.
function bodyFor(names: string[], contentType: string, b: string | Buffer, chunk: number): number {
  withBytes(names.join(","), (p, len) => fn.setOverrideNames(p, len));
  try { return body(contentType, b, chunk); } finally { withBytes("", (p, len) => fn.setOverrideNames(p, len)); }
}
const partsBody = (names: string[], b: string | Buffer, chunk: number) => bodyFor(names, "multipart/form-data; boundary=XyZ", b, chunk);
// Names with the letters case-insensitive readers fold into ASCII (ı and İ for i, ſ for s, the
// Kelvin sign for k), for the fuzz.
const FOLD_NAMES = ["_method", "userid", "kiss"];
const BODY_ROWS: BodyRow[] = [
  { type: "application/x-www-form-urlencoded", body: "a=1&_method=DELETE", found: 1, why: "a form field" },
  { type: "application/x-www-form-urlencoded; charset=utf-8", body: "%5Fmethod=DELETE", found: 1, why: "an encoded form name" },
  { type: "", body: "_method=DELETE", found: 1, why: "a POST without content-type (Rack reads a form)" },
  { type: "application/x-www-form-urlencoded", body: "a=_method&b=x%26_method%3DDELETE", found: 0, why: "_method only in values" },
  { type: "application/json", body: '{"a":1,"_method":"DELETE"}', found: 1, why: "a top-level JSON member" },
  { type: "application/vnd.api+json", body: '{"\\u005fmethod":"DELETE"}', found: 1, why: "an escaped top-level member of a +json type" },
  { type: "text/plain; x=/json", body: '{"_method":"DELETE"}', found: 1, why: "a content-type Laravel takes for JSON" },
  { type: "text/x-json", body: '{"_method":"DELETE"}', found: 1, why: "text/x-json (Rails registers it as JSON)" },
  { type: "application/x-www-form-urlencoded; v=/json", body: '{"_method":"DELETE"}', found: 1, why: "a form type Laravel reads as JSON" },
  { type: "application/json", body: '\ufeff{"_method":"DELETE"}', found: 1, why: "a JSON body after a byte-order mark (body-parser's decoder drops it)" },
  { type: "application/json", body: '{"a":{"_method":"DELETE"},"b":["_method"],"c":"_method"}', found: 0, why: "nested members and values" },
  { type: "application/json", body: '[{"_method":"DELETE"}]', found: 0, why: "a top-level array" },
  { type: "application/json", body: '/*{*/{"_method":"DELETE"}', found: 1, why: "a JSON body after a comment (Ruby's json gem reads comments as whitespace)" },
  { type: "application/json", body: '{"a":[/*]*/1],"_method":"DELETE"}', found: 1, why: "a comment hiding a bracket" },
  { type: "application/json", body: '{"a":1,//"\n"_method":"DELETE"}', found: 1, why: "a line comment hiding a quote" },
  { type: "application/json", body: '{"a":1/*,"_method":"DELETE"}', found: 0, why: "inside a comment never closed (the gem refuses the document)" },
  { type: "application/json", body: '{"\\_method":"DELETE"}', found: 1, why: "an escape JSON does not have (Ruby's json gem before 2.17 drops the backslash)" },
  { type: "application/json", body: '{"_met\\hod":"DELETE"}', found: 1, why: "an escape JSON does not have, inside the name" },
  { type: "application/json", body: '{"\\n_method":"DELETE"}', found: 0, why: "a newline escaped before the name" },
  { type: "application/json", body: '{"a":"\\"_method","b":1}', found: 0, why: "an escaped quote in a value" },
  { type: "multipart/form-data; boundary=XyZ", body: PART('name="a"', "1") + PART('name="_method"', "DELETE") + "--XyZ--\r\n", found: 1, why: "a multipart part" },
  { type: "multipart/form-data; boundary=XyZ", body: PART("name*=utf-8''%5Fmethod", "DELETE") + "--XyZ--", found: 1, why: "an RFC 2231 encoded part name" },
  { type: "multipart/form-data; boundary=XyZ", body: PART('name="_me\\thod"', "DELETE") + "--XyZ--", found: 1, why: "a quoted-pair in the part name" },
  { type: "multipart/form-data; boundary=other", body: PART('name="_method"', "DELETE"), found: 1, why: "a boundary the header does not name" },
  { type: "multipart/form-data; boundary=XyZ", body: PART('name=_me\r\nthod', "DELETE") + "--XyZ--", found: 1, why: "a part name split over a continued header line (PHP joins it)" },
  { type: "multipart/form-data; boundary=XyZ", body: PART('name="file"; filename="a.txt"', "_method=DELETE\r\nname=\"_method\""), found: 0, why: "_method only in part content" },
  { type: "application/octet-stream", body: "_method=DELETE", found: -1, why: "a type no framework reads parameters from" },
];

// Part names frameworks read as parameters (multipart-names.ts), looked for as a route's bound
// names are: userId (a path parameter) and limit (a declared query parameter).
const PART_ROWS: { part: string; found: number; why: string }[] = [
  { part: 'name="userId"', found: 1, why: "a quoted name" },
  { part: "name=userId", found: 1, why: "a token name" },
  { part: 'name="USERID"', found: 1, why: "another case" },
  { part: 'name="limit[]"', found: 1, why: "the array form" },
  { part: 'name = "limit"', found: 1, why: "spaces around '='" },
  { part: "name*=utf-8''userId", found: 1, why: "an RFC 2231 extended name" },
  { part: "name*=utf-8'en'%75serId", found: 1, why: "an extended name with a language and an escape" },
  { part: 'name="user\\Id"', found: 1, why: "a quoted-pair" },
  { part: 'name="%75serId"', found: 1, why: "an escape (over-read: PHP reads it as written)" },
  { part: 'name="avatar"; filename="userId"', found: 0, why: "a file named as the parameter" },
  { part: 'name="file"; filename="a.txt"', found: 0, why: "another name" },
  { part: 'name="userIdx"', found: 0, why: "a longer name" },
  { part: 'xname="userId"', found: 0, why: "a parameter merely ending in name" },
  { part: 'name="x"; x-name=userId', found: 1, why: "a second name parameter after a dash (over-read)" },
  { part: 'name="avatar"; filename="a.png"\r\nContent-Type: image/png; name=limit', found: 1, why: "a name parameter on another header line" },
  { part: "name='userId'", found: 1, why: "single quotes (PHP's reader takes them)" },
  { part: 'name=\r\n userId', found: 1, why: "a value on a continued line (PHP appends it)" },
  { part: 'na\r\nme=limit', found: 1, why: "a name split over two lines (PHP appends a line without ':' as it is)" },
  { part: 'name="us\r\nerId"', found: 1, why: "a quoted value split over two lines" },
  { part: 'name="x\r\nContent-Disposition: form-data; name="userId"', found: 1, why: "a second Content-Disposition after an unclosed quote" },
  { part: 'name="a"\r\nX-Note: userId', found: 0, why: "the name elsewhere on another line" },
  { part: "name*0=us; name*1=erId", found: 1, why: "RFC 2231 continuations (Werkzeug joins them)" },
  { part: 'name*1="mit"; name*0="li"', found: 1, why: "continuations out of order (Python's email package sorts them)" },
  { part: "name*0*=utf-8''us; name*1*=er%49d", found: 1, why: "extended continuations" },
  { part: 'name="li"; name*1="mit"', found: 1, why: "a name and a continuation (Werkzeug appends it)" },
  { part: 'name*0=li;\r\n name*1=mit', found: 1, why: "continuations on a continued line (PHP joins the lines)" },
  { part: 'name*0="a"; name*1="b"', found: 0, why: "continuations joined into another name" },
];

describe("a route's bound names as multipart part names, in pieces of every size", () => {
  const names = ["userid", "limit"];
  for (const r of PART_ROWS) {
    it(`${r.why}: ${r.found ? "found" : "not found"}`, () => {
      for (const chunk of CHUNKS) expect(partsBody(names, PART(r.part, "bob") + "--XyZ--\r\n", chunk), `chunk ${chunk}`).toBe(r.found);
    });
  }
  it("a name parameter counts only in a Content-Disposition header (every reader takes the part's name from there)", () => {
    const sql = PART('name="f"; filename="dump.sql"', "-- users\r\nUPDATE t SET name = 'userId' WHERE 1;\r\n-- limits\r\nname=limit") + "--XyZ--\r\n";
    const noDisposition = "--XyZ\r\nX-Note: name=\"userId\"\r\n\r\nbob\r\n--XyZ--\r\n";
    const folded = "--XyZ\r\ncontent-DISPOSITION: form-data;\r\n name=\"limit\"\r\n\r\n5\r\n--XyZ--\r\n";
    for (const chunk of CHUNKS) {
      expect(partsBody(names, sql, chunk), "SQL comments in a file").toBe(0);
      expect(partsBody(names, noDisposition, chunk), "another header").toBe(0);
      expect(partsBody(names, folded, chunk), "a continued Content-Disposition").toBe(1);
    }
  });
  it("a part name in part content, or in the preamble, is not read", () => {
    const text = "preamble; name=userId\r\n" + PART('name="a"', 'name="userId"\r\nname=limit') + "--XyZ--\r\n";
    for (const chunk of CHUNKS) expect(partsBody(names, text, chunk)).toBe(0);
  });
  it("a header block ends only at an empty line (a bare \\r\\r\\n does not end it)", () => {
    const text = '--XyZ\r\nContent-Disposition: form-data; name="a"\r\r\nContent-Disposition: form-data; name="userId"\r\n\r\nbob\r\n--XyZ--';
    for (const chunk of CHUNKS) expect(partsBody(names, text, chunk)).toBe(1);
  });
  it("the second part's name, in every part and every chunking", () => {
    const text = PART('name="a"', "1") + PART('name="f"; filename="x.bin"', "\x00\xff--\r\n") + PART('name="limit"', "5") + "--XyZ--";
    for (const chunk of CHUNKS) expect(partsBody(names, text, chunk)).toBe(1);
  });
});

describe("a _method parameter in a POST body, in pieces of every size", () => {
  for (const r of BODY_ROWS) {
    it(`${r.why}: ${r.found === 1 ? "found" : r.found === 0 ? "not found" : "not scanned"}`, () => {
      for (const chunk of CHUNKS) expect(body(r.type, r.body, chunk), `chunk ${chunk}`).toBe(r.found);
    });
  }
});

const NAME_PIECES = ["_method", "_METHOD", "%5F", "%5f", "method", "meth", "od", ".", "+", " ", "[", "]", "%", "%5", "%G1", "%00", "%20",
  "%6D", "=", "&", ";", "x", "_", "é", "\\u005f", "%C5%BF", "\xc5\xbf", "%C4", "%E2%84%AA", "\xc4\xb1",
  "user", "id", "USER%C4%B0D", "k", "ss", "K%C4%B1%C5%BFs", "\xe2\x84\xaa", "\xe2\x84", "%C4%B1", "&user\xc4\xb1d=", "&\xe2\x84\xaaiss=", "&k%C4%B1ss", "&userid="];

describe("override scans, fuzzed", () => {
  it(`forms and queries agree with the reference (${FUZZ_ITERATIONS} forms, seed ${FUZZ_SEED})`, () => {
    const rng = new Rng(FUZZ_SEED);
    let found = 0;
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      let form = "";
      for (let n = rng.int(8); n > 0; n--) form += rng.pick(NAME_PIECES);
      const bytes = codes(form);
      const want = FOLD_NAMES.some((t) => formReference(bytes, t)) ? 1 : 0;
      found += want;
      expect(bodyFor(FOLD_NAMES, "application/x-www-form-urlencoded", Buffer.from(bytes), 1 + rng.int(9)), form).toBe(want);
      expect(query(form), form).toBe(formReference([...form].map((ch) => ch.charCodeAt(0))) ? 1 : 0);
    }
    expect(found).toBeGreaterThan(FUZZ_ITERATIONS * 0.1);
    expect(found).toBeLessThan(FUZZ_ITERATIONS * 0.9);
  });

  it(`JSON bodies agree with JSON.parse's top-level names (${FUZZ_ITERATIONS} documents)`, () => {
    const rng = new Rng(FUZZ_SEED + 1);
    let found = 0;
    const keyPieces = ["_method", "_METHOD", "method", "_", ".", " ", "[", "x", "é", "\u0000", "_meth", "od", "user", "id", "k", "ss", "ſ", "ı", "İ", "\u212a", "\u00c4\u00b1", "\u2121", "userıd", "kıſs", "\u212aiss", "USERID"];
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const key = () => { let k = ""; for (let n = 1 + rng.int(3); n > 0; n--) k += rng.pick(keyPieces); return k; };
      const value = (d: number): unknown => {
        const r = rng.int(d > 2 ? 3 : 6);
        if (r === 0) return rng.pick(["_method", "a\"_method", 1, null, true]);
        if (r === 1) return rng.int(100);
        if (r === 2) return "v";
        if (r === 3) { const o: Record<string, unknown> = {}; for (let n = rng.int(3); n > 0; n--) o[key()] = value(d + 1); return o; }
        return [value(d + 1), value(d + 1)];
      };
      const doc: Record<string, unknown> = {};
      for (let n = rng.int(4); n > 0; n--) doc[key()] = value(1);
      let text = JSON.stringify(doc, null, rng.int(2) ? 1 : undefined);
      if (rng.int(2)) text = text.replace(/_/g, "\\u005F").replace(/m/g, "\\u006d").replace(/ı/g, "\\u0131").replace(/\u212a/g, "\\u212A");   // escapes, in names and values alike
      const want = Object.keys(JSON.parse(text)).some((k) => FOLD_NAMES.some((t) => nameMatches([...Buffer.from(k, "utf8")], t))) ? 1 : 0;
      found += want;
      expect(bodyFor(FOLD_NAMES, "application/json", text, 1 + rng.int(9)), text).toBe(want);
    }
    expect(found).toBeGreaterThan(FUZZ_ITERATIONS * 0.1);
    expect(found).toBeLessThan(FUZZ_ITERATIONS * 0.9);
  });

  // Targets other than `_method` given a rule (a declared query parameter's, an integer), as a
  // route's query parameters are: a field or member so named is found only when its value fails it
  // (bound-values.ts), or in the array form.
  const INTEGER = 1;   // shape.ts ValueType.Integer
  const withIntegerRule = <T>(run: () => T): T => {
    fn.setOverrideRuleType(INTEGER);
    try { return run(); } finally { fn.setOverrideRuleType(-1); }
  };
  const VALUE_PIECES = ["1", "12", "0", "-", ";", "007", "%31", "%2531", "+", "%", "%3", "x", "9".repeat(19), "\xc3\xa9", "%C3%A9"];

  it(`form values judged by an integer rule agree with the reference (${FUZZ_ITERATIONS} forms)`, () => {
    const rng = new Rng(FUZZ_SEED + 5);
    let found = 0;
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      let form = "";
      for (let n = 1 + rng.int(8); n > 0; n--) form += rng.int(2) ? rng.pick(NAME_PIECES) : rng.pick(VALUE_PIECES);
      const bytes = codes(form);
      const want = formValuesReference(bytes, FOLD_NAMES.slice(1), formInteger) ? 1 : 0;
      found += want;
      expect(withIntegerRule(() => bodyFor(FOLD_NAMES, "application/x-www-form-urlencoded", Buffer.from(bytes), 1 + rng.int(9))), form).toBe(want);
    }
    expect(found).toBeGreaterThan(FUZZ_ITERATIONS * 0.1);
    expect(found).toBeLessThan(FUZZ_ITERATIONS * 0.9);
  });

  it(`JSON members judged by an integer rule agree with JSON.parse (${FUZZ_ITERATIONS} documents)`, () => {
    const rng = new Rng(FUZZ_SEED + 6);
    let found = 0;
    const keyPieces = ["_method", "user", "id", "ı", "[", "x", "kiss", "\u212aiss", "USERID", " "];
    const values: unknown[] = [1, 12, -3, 1.5, 0, 1e21, true, false, null, "7", "-12", "007", "1x", "%31", "", " 1", "\u0031", [1], { a: 1 }, "9".repeat(19), "1".repeat(5000)];
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const members: [string, unknown][] = [];
      for (let n = rng.int(4); n > 0; n--) { let k = ""; for (let m = 1 + rng.int(2); m > 0; m--) k += rng.pick(keyPieces); members.push([k, rng.pick(values)]); }
      // Written out by hand: the same name may come twice (each is judged), with spaces or not.
      const sp = rng.pick(["", " ", "\n"]);
      let text = "{" + members.map(([k, v]) => JSON.stringify(k) + sp + ":" + sp + JSON.stringify(v)).join("," + sp) + "}";
      if (rng.int(3) === 0) text = text.replace(/1/g, "\\u0031");   // escaped in strings; a number becomes no JSON (the document is malformed)
      let want = 0;
      let parsed: unknown[] | null = null;
      try { parsed = members.map(([k]) => k); JSON.parse(text); } catch { parsed = null; }
      if (parsed !== null) {
        // Each member as written, in order (JSON.parse keeps only a repeated name's last value).
        const pairs = members.map(([k, v]) => [JSON.parse(JSON.stringify(k).replace(/1/g, "\\u0031")) as string, v] as const);
        want = pairs.some(([k, v]) => {
          const raw = [...Buffer.from(k, "utf8")];
          if (nameMatchKind(raw, "_method", false) !== "no") return true;
          const t = FOLD_NAMES.slice(1).find((x) => nameMatchKind(raw, x, false) !== "no");
          if (t === undefined) return false;
          if (nameMatchKind(raw, t, false) === "array") return true;
          const written = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);
          if (Buffer.byteLength(written) > 4096) return true;
          return !(typeof v === "number" ? integerText(written) : typeof v === "string" ? integerText(v) : false);
        }) ? 1 : 0;
        found += want;
        expect(withIntegerRule(() => bodyFor(FOLD_NAMES, "application/json", text, 1 + rng.int(9))), text).toBe(want);
      }
    }
    expect(found).toBeGreaterThan(FUZZ_ITERATIONS * 0.1);
    expect(found).toBeLessThan(FUZZ_ITERATIONS * 0.9);
  });

  it(`multipart parts judged by an integer rule agree with the reference (${FUZZ_ITERATIONS} bodies)`, () => {
    const rng = new Rng(FUZZ_SEED + 7);
    const utf8Integer = (raw: number[]) => { try { return integerText(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(raw))); } catch { return false; } };
    const delimiters = ["--XyZ\r\n", "--XyZ\r\n", "--XyZ\r\n", "--XyZ \r\n", "--XyZ\n", "--XyZ--\r\n", "--x\r\n", "--XyZx\r\n"];
    const partNames = ["userid", "USERID", "kiss", "k\xc4\xb1ss", "x", "_method", "user.id", "userid[]"];
    const headers = ['Content-Disposition: form-data; name="N"\r\n', 'content-disposition: form-data; name="N"\r\n', "Content-Disposition: form-data; name=N\r\n",
      'Content-Disposition: form-data; name="N"; filename="f"\r\n', 'Content-Disposition: form-data; name="N"\r\nContent-Type: text/plain\r\n', 'Content-Disposition:  form-data; name="N"\r\n'];
    let found = 0;
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      // Half the bodies are well formed but for their names and values (plain parts reach both verdicts).
      const clean = rng.int(2) === 0;
      let text = !clean && rng.int(5) === 0 ? "preamble\r\n" : "";
      for (let n = 1 + rng.int(3); n > 0; n--) {
        if (clean) {
          // (Sometimes after a line another reader could take for a delimiter: the block then opens there.)
          text += (rng.int(4) === 0 ? "--zz\r\n" : "") + "--XyZ\r\n" + headers[0].replace("N", rng.pick(partNames)) + "\r\n" + rng.pick(["1", "12", "0", "-3", "x", "007", "1 ", ""]) + "\r\n";
          continue;
        }
        text += rng.pick(delimiters) + rng.pick(headers).replace("N", rng.pick(partNames)) + rng.pick(["\r\n", "\r\n", "\r\n", "\n"]);
        for (let m = 1 + rng.int(2); m > 0; m--) text += rng.pick([...VALUE_PIECES, "\r\n", "\r\n--XyZx", "\r\n--XyZ ", "1".repeat(4094)]);
        text += rng.pick(["\r\n", "\r\n", "\n", ""]);
      }
      text += clean ? "--XyZ--\r\n" : rng.pick(["--XyZ--\r\n", "--XyZ--\r\n", "--XyZ\r\n", ""]);
      const bytes = codes(text);
      const want = plainPartsReference(bytes, "XyZ", FOLD_NAMES, true, (_k, v) => utf8Integer(v)) ? 1 : 0;
      found += want;
      expect(withIntegerRule(() => bodyFor(FOLD_NAMES, "multipart/form-data; boundary=XyZ", Buffer.from(bytes), 1 + rng.int(9))), JSON.stringify(text.slice(0, 400))).toBe(want);
    }
    expect(found).toBeGreaterThan(FUZZ_ITERATIONS * 0.1);
    expect(found).toBeLessThan(FUZZ_ITERATIONS * 0.9);
  });

  it(`multipart bodies: only part headers count (${FUZZ_ITERATIONS} bodies)`, () => {
    const rng = new Rng(FUZZ_SEED + 2);
    const names = ['name="a"', 'name="_method"', 'name="_METHOD"', "name*=utf-8''%5Fmethod", 'name="x_methodx"', 'name="meth"', 'name="f"; filename="b"'];
    const contents = ["", "1", "_method", "DELETE\r\n_method=x", "a\r\n\r\nb", "-- not at a line start"];
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      let text = rng.int(2) ? "preamble _method\r\n" : "";
      let want = 0;
      for (let n = rng.int(4); n > 0; n--) {
        const name = rng.pick(names);
        if (/_method|%5fmethod/i.test(name)) want = 1;
        text += PART(name, rng.pick(contents));
      }
      text += "--XyZ--\r\n";
      expect(body("multipart/form-data; boundary=XyZ", text, 1 + rng.int(9)), text).toBe(want);
    }
  });

  it(`multipart bodies agree with the reference on part names (${FUZZ_ITERATIONS} bodies)`, () => {
    const rng = new Rng(FUZZ_SEED + 4);
    const targets = ["userid", "limit"];
    const keys = ["name", "NAME", "filename", "xname", "name*", "name*0", " name", "na%6De", "-name", "na\r\nme", "name\r\n", "name*1", "name*2*", "name*10", "name*0*", "name *1 2", "name*0000001"];
    const values = ["userId", "user", "Id", "li", "mit", "utf-8''li", "user\xc4\xb1d", "l%C4%B1mit", "L\xc4\xb0MIT", "limit", "LIMIT[]", "%75serId", "user\\Id", "x", "utf-8''userId", "'", "%", "%4", "é", "_method", "", " userId",
      "\r\n userId", "us\r\nerId", "\r\nContent-Disposition: form-data; name=limit"];
    const noise = ["=", " ", "*", "\"", ";", ",", "\r", "\n", "\r\n", "--", "%", "\\", "name", "userId"];
    const value = () => { let v = ""; for (let n = 1 + rng.int(2); n > 0; n--) v += rng.pick(values); const q = rng.pick(['"', '"', "'", ""]); return q + v + q; };
    const param = () => rng.pick(keys) + rng.pick(["", " "]) + "=" + rng.pick(["", " "]) + value();
    const line = () => {
      // A header Rack names an unnamed part by (multipart-unnamed.ts).
      if (rng.int(6) === 0) return rng.pick(["Content-ID: ", "content-type: ", "CONTENT-ID:", "Content-Type:  x; "]) + rng.pick(values) + rng.pick(["\r\n", "\n"]);
      let l = rng.pick(["Content-Disposition: form-data; ", "content-type: text/plain; ", "", "Content-Disposition: form-data;", "Content-Disposition: a:b; "]);
      for (let n = 1 + rng.int(3); n > 0; n--) l += (n > 1 ? rng.pick(["; ", ";", ",", " "]) : "") + param();
      if (rng.int(4) === 0) l += rng.pick(noise);
      return l + rng.pick(["\r\n", "\r\n", "\n", "\r\r\n"]);
    };
    let found = 0;
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      let text = rng.int(4) === 0 ? "preamble name=userId\r\n" : "";
      for (let p = 1 + rng.int(3); p > 0; p--) {
        text += "--XyZ" + (rng.int(5) === 0 ? rng.pick(noise) : "") + "\r\n";
        for (let n = rng.int(3); n > 0; n--) text += line();
        text += rng.pick(["\r\n", "\n", ""]) + rng.pick(["content", "name=limit", "--", "\r\n--x name=userId"]) + "\r\n";
      }
      if (rng.int(2)) text += "--XyZ--\r\n";
      const bytes = codes(text);
      for (const method of [false, true]) {
        const names = method ? ["_method", ...targets] : targets;
        const want = multipartReference(bytes, names, method) ? 1 : 0;
        found += want;
        expect(partsBody(names, Buffer.from(bytes), 1 + rng.int(9)), JSON.stringify([method, text])).toBe(want);
      }
    }
    // The generator reaches both verdicts often (a fuzz that only ever agrees on "not found" proves nothing).
    expect(found).toBeGreaterThan(FUZZ_ITERATIONS * 2 * 0.1);
    expect(found).toBeLessThan(FUZZ_ITERATIONS * 2 * 0.9);
  });

  it("random bytes of every scanned type never trap", () => {
    const rng = new Rng(FUZZ_SEED + 3);
    const types = ["application/x-www-form-urlencoded", "application/json", "multipart/form-data", "multipart/form-data; boundary=XyZ", ""];
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const b = rng.bytes(rng.int(300));
      const type = rng.pick(types);
      // (With names judged by their values too: every scanner that reads a value.)
      expect([0, 1]).toContain(rng.int(2) ? body(type, b, 1 + rng.int(64)) : withIntegerRule(() => bodyFor(FOLD_NAMES, type, b, 1 + rng.int(64))));
      expect([0, 1]).toContain(query(b.toString("latin1")));
    }
  });
});

// A route's declared query parameters looked for in its bodies (override-body.ts): frameworks that
// merge body and query parameters read the body's. Through the compiled filter, the body in pieces.
describe("a declared query parameter in a body (emulator)", async () => {
  const { loadFilter } = await import("./fixture");
  const { runRequest } = await import("../tools/emulator/request");
  const route = { path: "/items/{id}", public: true, query: { limit: { type: "integer" }, per_page: { type: "integer" }, flag: { type: "boolean" }, sort: { pattern: "^[a-z]+$" } } };
  const policy = { routes: [{ name: "items", ...route }, { name: "typed", path: "/typed", methods: ["POST"], public: true, query: { limit: { type: "integer" }, mode: { enum: ["a", "b"] } }, body_schema: { type: "object", properties: { limit: { type: "integer", maximum: 10 }, mode: { type: "string" } } } }] };
  const host = await loadFilter(policy);
  const audit = await loadFilter({ ...policy, mode: "audit" });
  const send = (h: typeof host, path: string, type: string, body: string, method = "POST", chunkSize?: number) => runRequest(h, { method, path, headers: { "content-type": type }, body, chunkSize });
  const form = "application/x-www-form-urlencoded";

  // A field so named passes when its value passes the parameter's rule (an integer here), as a
  // query's would; the array form never does (a framework reads an array).
  for (const [body, found] of [["limit=x", true], ["a=1&per.page=2x", true], ["per%20page=%2B", true], ["LIMIT[x]=1", true], ["limit[]=1", true], ["x=1&limit", true], ["limit=1&limit=1.5", true],
    ["limit=%2531", true], ["limit=%zz", true], ["limit=1;x", true], ["a=1&limit=1;limit=2", true], ["limit=%C3%A9", true], ["limit=" + "1".repeat(5000), true],
    ["limit=1", false], ["a=1;limit=2", false], ["limit=2&a=1;b", false], ["a=1&per.page=2", false], ["per%20page=%32", false], ["LIMIT=-7&limit=3", false], ["limits=x", false], ["a=limit", false]] as const) {
    it(`a form body ${JSON.stringify(body.slice(0, 40))} ${found ? "is refused" : "passes"}, in any method and any chunking`, () => {
      for (const method of ["POST", "PUT", "PATCH", "DELETE", "GET"]) for (const chunk of [1, 3, undefined]) {
        const out = send(host, "/items/7", form, body, method, chunk);
        if (found) expect([method, chunk, out]).toMatchObject([method, chunk, { status: 400, reason: "query_invalid" }]);
        else expect([method, chunk, out.allowed]).toEqual([method, chunk, true]);
      }
    });
  }
  it("a JSON body's top-level member so named must hold a value the parameter's rule takes, and the schema's too where the route's schema declares it", () => {
    for (const doc of ['{"limit":"x"}', '{"limit":1.5}', '{"limit":{"$gt":1}}', '{"limit":[1]}', '{"limit":null}', '{"limit":true}', '{"a":1,"limit":"1\\u0078"}', '{"limit":"1\\"}', '{"limit":', '{"limit":}',
      '{"limit":1,"limit":"2x"}', '{"LIMIT[]":1}', `{"limit":"${"1".repeat(5000)}"}`,
      // Comments, whitespace to Ruby's json gem (Rails' params): before the object, hiding a bracket or a quote.
      '/*c*/{"limit":"x"}', '//c\n{"limit":"x"}', '{"a":[1,/*]*/2],"limit":"x"}', '{"a":{"b":/*"*/1},"limit":"x"}', '{"limit":/*c*/"x"}',
      // A backslash before a byte JSON has no escape for, which Ruby's json gem before 2.17 drops.
      '{"\\limit":"x"}', '{"l\\imit":"x"}', '{"limit":"\\1"}']) {
      for (const chunk of [1, 3, undefined]) expect([doc.slice(0, 40), chunk, send(host, "/items/7", "application/json", doc, "PUT", chunk)]).toMatchObject([doc.slice(0, 40), chunk, { status: 400, reason: "query_invalid" }]);
    }
    // Typed as the query would be: a JSON boolean or number only where the parameter reads one
    // (PHP compares true == "admin" loosely), a string anywhere its text passes.
    for (const doc of ['{"sort":true}', '{"sort":1}', '{"flag":1}', '{"limit":false}', '{"sort":"A"}']) expect([doc, send(host, "/items/7", "application/json", doc, "PUT")]).toMatchObject([doc, { status: 400, reason: "query_invalid" }]);
    for (const doc of ['{"sort":"abc"}', '{"flag":true}', '{"flag":"false"}', '{"per_page":7,"limit":"7"}']) expect([doc, send(host, "/items/7", "application/json", doc, "PUT").allowed]).toEqual([doc, true]);
    for (const doc of ['{"limit":1}', '{"limit":"12"}', '{"limit" : -3 ,"a":{"limit":"x"}}', '{"limit"/**/:/**/1/**/}', '{"a":1/*","limit":"x"}', '{"a":"/*","limit":1}', '{"limit":"\\u0031"}', '{"per_page":2,"limit":1}', '{"a":"limit","b":"x"}', '{"limit":1']) {
      for (const chunk of [1, 3, undefined]) expect([doc, chunk, send(host, "/items/7", "application/json", doc, "PUT", chunk).allowed]).toEqual([doc, chunk, true]);
    }
    expect(send(host, "/items/7", "text/x-json", '{"limit":"x"}')).toMatchObject({ status: 400, reason: "query_invalid" });
    send(host, "/items/7", "application/json", '{"limit":"x"}');
    expect(host.logsAt("info").at(-1)).toContain("the body's limit, named as a parameter of the route's path or query (frameworks that merge body parameters with the route's read the body's): limit is not integer");
    expect(send(host, "/typed", "application/json", '{"limit":1}').allowed).toBe(true);
    expect(send(host, "/typed", "application/json", '{"limit":11}')).toMatchObject({ status: 400, reason: "body_schema_violation" });
    // The schema takes any string as mode; Laravel's input('mode') still hands it over as the query's.
    expect(send(host, "/typed", "application/json", '{"mode":"x"}')).toMatchObject({ status: 400, reason: "query_invalid" });
    expect(send(host, "/typed", "application/json", '{"limit":"x"}').allowed).toBe(false);
    expect(send(host, "/typed", "application/json", '{"mode":"b"}').allowed).toBe(true);
  });
  it("a body searched for the names must come unencoded, in a charset that keeps ASCII (ASP.NET Core decodes a form's charset, and inflates with its decompression middleware)", () => {
    const utf16 = Buffer.from("limit=1", "utf16le").toString("latin1");
    for (const [headers, body] of [[{ "content-type": form, "content-encoding": "gzip" }, "limit=1"], [{ "content-type": "application/json", "content-encoding": "gzip" }, '{"a":1}'],
      [{ "content-type": form + "; charset=utf-16le" }, utf16], [{ "content-type": "multipart/form-data; boundary=b; charset=utf-16" }, "x"]] as const) {
      expect([headers, runRequest(host, { method: "PUT", path: "/items/7", headers, body })]).toMatchObject([headers, { status: 415, reason: "content_encoding_not_allowed" }]);
    }
    expect(runRequest(host, { method: "PUT", path: "/items/7", headers: { "content-type": "application/json; charset=utf-8", "content-encoding": "identity" }, body: '{"a":1}' }).allowed).toBe(true);
    expect(runRequest(host, { method: "PUT", path: "/items/7", headers: { "content-type": "application/octet-stream", "content-encoding": "gzip" }, body: "\u0001" }).allowed).toBe(true);
  });
  // A plain part (multipart-values.ts) named as the parameter passes when its value does, as a form
  // field's would; any other part so named is refused by its name (PHP's $_POST, Rails).
  it("a multipart part named as the parameter: a plain one is judged by its value, any other refused; a file merely so named passes", () => {
    const type = "multipart/form-data; boundary=b";
    const part = (disposition: string, content = "5", extra = "") => `--b\r\ncontent-disposition: form-data; ${disposition}\r\n${extra}\r\n${content}\r\n--b--\r\n`;
    const refused: [string, string][] = [
      [type, part('name="limit"', "x")], [type, part('name="limit"', "5\r\n6")], [type, part('name="limit"', "1".repeat(5000))],
      [type, part('name="limit"; filename="a.txt"')], [type, part('name="limit"', "5", "Content-Type: text/plain\r\n")], [type, part("name=limit")],
      [type, part('name="limit[]"')], [type, part('name="ID"', "8")], [type, part('name="id"', "7\r\n--b \r\nx")], [type, part('name="id"', "7\r\n--bx")],
      [type, `--b\r\ncontent-disposition: form-data; name="limit"\r\n\r\n5`], [type, `--b\r\ncontent-disposition: form-data; name="limit"\r\n\r\n5\n--b--\r\n`],
      [type, part('name="a"', "1") + part('name="limit"', "5")], ["multipart/form-data; boundary=b; boundary=c", part('name="limit"')], ['multipart/form-data; boundary="b b"', part('name="limit"')],
      [type, `--b\r\ncontent-disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n--b\r\ncontent-disposition: form-data; name="limit"\r\n\r\n5\r\n--b--\r\n`],
      // PHP takes the first "boundary" anywhere (xboundary: zz) and keeps a space after one: its
      // parts can start at another line, whose block holds this one's header and runs elsewhere.
      ["multipart/form-data; xboundary=zz; boundary=b", part('name="limit"')], ["multipart/form-data; boundary=b ;x=1", part('name="limit"')],
      [type, "--zz\r\n" + part('name="limit"', "5\r\n--b--\r\n99999\r\n--zz--")],
    ];
    const passed: [string, string][] = [
      [type, part('name="limit"')], [type, part('name="per.page"', "20")], [type, part('name="id"', "7")], ['multipart/form-data; boundary="b"', part('name="limit"')],
      [type, `--b\r\nContent-Disposition: form-data; name="id"\r\n\r\n7\r\n--b\r\ncontent-disposition: form-data; name="limit"\r\n\r\n12\r\n--b--\r\n`],
      [type, part('name="photo"; filename="limit"')],
    ];
    for (const chunk of [1, 7, undefined]) {
      for (const [t, body] of refused) expect([t, body, chunk, send(host, "/items/7", t, body, "PUT", chunk)]).toMatchObject([t, body, chunk, { status: 400, reason: "query_invalid" }]);
      for (const [t, body] of passed) expect([t, body, chunk, send(host, "/items/7", t, body, "PUT", chunk).allowed]).toEqual([t, body, chunk, true]);
    }
    expect(send(host, "/items/7", "multipart/form-data; boundary=b", part('name="ID"; filename="a.txt"'), "POST")).toMatchObject({ status: 400, reason: "query_invalid" });
    send(host, "/items/7", type, part('name="limit"', "x"), "PUT");
    expect(host.logsAt("info").at(-1)).toContain("the body's limit, named as a parameter of the route's path or query (frameworks that merge body parameters with the route's read the body's): limit is not integer");
  });
  it("in audit mode a would-deny, and the body goes on", () => {
    expect(send(audit, "/items/7", form, "limit=x").allowed).toBe(true);
    expect(audit.metric("meshguard.audit.would_deny.query_invalid")).toBe(1n);
  });
  it("never trapped", () => { expect(host.trap).toBeNull(); expect(audit.trap).toBeNull(); });
});

// A path parameter's name in the query or a form (validate/bound-names.ts): Laravel's
// $request->userId reads them before the route's parameter.
describe("a path parameter's name elsewhere (emulator)", async () => {
  const { loadFilter } = await import("./fixture");
  const { runRequest } = await import("../tools/emulator/request");
  const host = await loadFilter({ jwt: {}, routes: [{ name: "orders", path: "/users/{userId}/orders", allow: [{ path_params: { userId: "sub" } }] }] });
  const bob = { sub: "bob" };
  const get = (path: string) => runRequest(host, { path, jwt_claims: bob });
  it("the caller's own path passes; the query naming userId is refused, a form naming it with another value too, however spelt", () => {
    expect(get("/users/bob/orders").allowed).toBe(true);
    expect(get("/users/bob/orders?page=2").allowed).toBe(true);
    for (const q of ["userId=alice", "a=1&userid=alice", "a=1;USERID=alice", "user%49d=alice", "userId[]=alice", " userId=alice".replace(" ", "%20"), "user%C4%B1d=alice"]) {
      expect([q, get(`/users/bob/orders?${q}`)]).toMatchObject([q, { status: 400, reason: "query_invalid" }]);
    }
    // ASP.NET reads a dotless ı as I, a long ſ as S, the Kelvin sign as K (lib/text.ts foldCase).
    const post = (body: string, chunkSize?: number) => runRequest(host, { method: "POST", path: "/users/bob/orders", jwt_claims: bob, headers: { "content-type": "application/x-www-form-urlencoded" }, body, chunkSize });
    for (const body of ["item=1&userId=alice", "item=1&user%C4%B1d=alice", "USER\u0130D=alice", "userId=bob&userId=alice", "userId=bob;x", "userId=bob;userid=bob", "userId[]=bob", "userId", "userId=bo", "userId=bobby", "userId=b%zzob", "userId=%2562ob"]) {
      for (const chunk of [1, 3, undefined]) expect([body, chunk, post(body, chunk)]).toMatchObject([body, chunk, { status: 400, reason: "query_invalid" }]);
    }
    // A form that repeats the resource's id (a hidden field) holds the path's own value: it passes.
    for (const body of ["item=1&userId=bob", "USERID=%62ob&item=2", "userId=bob&userid=b%6Fb", "a=1;userId=bob"]) {
      for (const chunk of [1, 3, undefined]) expect([body, chunk, post(body, chunk).allowed]).toEqual([body, chunk, true]);
    }
  });
  it("a JSON body's top-level member named so passes only with the path's value, written plainly", () => {
    const post = (body: string) => runRequest(host, { method: "POST", path: "/users/bob/orders", jwt_claims: bob, headers: { "content-type": "application/json" }, body });
    for (const body of ['{"userId":"bob","item":1}', '{"item":1, "userId" : "bob" }', '{"a":{"userId":"alice"}}', '[{"userId":"alice"}]', '{"item":"userId"}']) expect([body, post(body).allowed]).toEqual([body, true]);
    for (const body of ['{"userId":"alice"}', '{"item":1,"USERID":"alice"}', '{"userıd":"alice"}', '{"user\\u0131d":"alice"}', '{"userId":"b\\u006fb"}', '{"userId":["bob"]}', '{"userId":null}', '{"userId":"bobby"}', '{"userId":"bo"}', '{"userId":7}']) {
      expect([body, post(body)]).toMatchObject([body, { status: 400, reason: "query_invalid" }]);
    }
    for (const chunkSize of [1, 2, 5]) {
      expect(runRequest(host, { method: "POST", path: "/users/bob/orders", jwt_claims: bob, headers: { "content-type": "application/json" }, body: '{"userId":"bob"}', chunkSize }).allowed).toBe(true);
      expect(runRequest(host, { method: "POST", path: "/users/bob/orders", jwt_claims: bob, headers: { "content-type": "application/json" }, body: '{"userId":"alice"}', chunkSize })).toMatchObject({ status: 400 });
    }
  });
  it("a body naming the path parameter tens of thousands of times with its value passes in flat memory", () => {
    const body = "{" + Array.from({ length: 50_000 }, () => '"userId":"bob"').join(",") + "}";
    const post = () => runRequest(host, { method: "POST", path: "/users/bob/orders", jwt_claims: bob, headers: { "content-type": "application/json" }, body, chunkSize: 16384 });
    for (let i = 0; i < 3; i++) expect(post().allowed).toBe(true);   // the heap grows to its size for such bodies
    const pages = host.memoryPages;
    for (let i = 0; i < 6; i++) expect(post().allowed).toBe(true);
    expect(host.memoryPages).toBe(pages);
  });
  it("the path's value is the stream's own, whatever other streams match before its body comes", () => {
    const claims = { "envoy.filters.http.jwt_authn": { jwt_payload: { sub: "bob" } } };
    const a = host.newStream({ dynamicMetadata: claims });
    a.sendRequestHeaders([[":path", "/users/bob/orders"], [":method", "POST"], [":authority", "svc"], ["content-type", "application/json"], ["content-length", "18"]], false);
    expect(runRequest(host, { path: "/users/alice/orders", jwt_claims: { sub: "alice" } }).allowed).toBe(true);   // the matcher now holds alice
    a.sendRequestBody('{"userId":"alice"}', true);
    expect(a.localReply?.status).toBe(400);
    expect(a.upstream.ended).toBe(false);
    a.finish();
  });
  it("names that only contain it pass", () => {
    for (const q of ["userIds=1", "x=userId", "the_userId=1"]) expect([q, get(`/users/bob/orders?${q}`).allowed]).toEqual([q, true]);
  });
  it("never trapped", () => expect(host.trap).toBeNull());
});
