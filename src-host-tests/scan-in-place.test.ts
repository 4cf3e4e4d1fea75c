// The body scans read in place what cannot hold a name they look for (validate/byte-scan.ts):
// json-names.ts the strings that are not top-level names and everything below the top-level
// members, override.ts FormNames the values it does not judge, multipart-names.ts part content
// before a line break. Pushing every byte through the state machine is the definition. On hostile bodies, in pieces of every size, both ways must find
// the same name for the same reason and leave the same state.
import { describe, expect, it } from "vitest";
import { resultText, unit as fn, withBytes } from "./unit";
import { FUZZ_ITERATIONS, FUZZ_SEED, Rng } from "./random";

function bothWays(body: Buffer, chunk: number, scan = "jsonNamesBothWays"): [string, string] {
  const [inPlace, bytewise] = withBytes(body, (p, len) => resultText(fn[scan](p, len, chunk))).split("~");
  return [inPlace, bytewise];
}

// Pieces of JSON and of what lenient readers take for it: brackets, strings cut anywhere, escapes
// (\u with 0 to 4 hex digits, and escapes JSON has none of), comments of both kinds, the names
// looked for, their values, nesting that closes back to the top level, and bytes of any value.
const PIECES = ["{", "}", "[", "]", "\"", ",", ":", " ", "\n", "\\", "\\\"", "\\\\", "\\u", "\\u0", "\\u00", "\\u005", "\\u005f", "\\u005F", "\\x", "\\l",
  "/", "/*", "*/", "*", "//", "\"_method\"", "\"limit\"", "\"id\"", "\"_meth", "od\"", "\"li\\u006dit\"", "\"\\limit\"", "7", "\"7\"", "12", "\"12\"", "\"x\"",
  "true", "null", "-1", "1e3", "{\"a\":", "[[", "]]", "{\"a\":{\"b\":[", "]}}", "\"]\"", "\"}\"", "\"/*\"", "\"a\\\"]\""];

const STRING_PIECES = ["a", "\\", "\\\"", "\\\\", "\\u", "\\u0", "\\u00", "\\u005", "\\u005f", "\\uZ", "\\x", "]", "}", "/*", "//", "\n", "é"];
const pieces = (rng: Rng, from: string[], n: number) => { const out: Buffer[] = []; for (; n > 0; n--) out.push(rng.int(12) ? Buffer.from(rng.pick(from)) : rng.bytes(1 + rng.int(3))); return out; };

// Either loose pieces, or an object whose first member nests hostile strings below the top level
// and whose next members are looked for: what the reading of the deep part leaves decides them.
function hostile(rng: Rng): Buffer {
  if (rng.int(2)) return Buffer.concat([Buffer.from(rng.int(4) ? "{" : ""), ...pieces(rng, PIECES, 1 + rng.int(30))]);
  const deep: Buffer[] = [];
  for (let n = 1 + rng.int(6); n > 0; n--) {
    const r = rng.int(4);
    if (r === 0) deep.push(Buffer.from(rng.pick(["[", "{\"k\":", "[[", "]", "}", ","])));
    else deep.push(Buffer.from("\""), ...pieces(rng, STRING_PIECES, rng.int(4)), Buffer.from(rng.int(6) ? "\"" : ""));
  }
  const tail = pieces(rng, ["\"_method\":1", "\"limit\":\"x\"", "\"id\":\"8\"", "\"id\":7", ",", "]", "}", "\"", " "], 1 + rng.int(5));
  return Buffer.concat([Buffer.from("{\"a\":["), ...deep, Buffer.from(rng.int(3) ? "]," : ""), ...tail]);
}

describe("JSON top-level names read in place agree with the byte-by-byte reading", () => {
  it(`${FUZZ_ITERATIONS} hostile bodies, each whole and in 1- to 16-byte pieces (seed ${FUZZ_SEED})`, () => {
    const rng = new Rng(FUZZ_SEED + 41);
    let found = 0;
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const body = hostile(rng);
      for (const chunk of [body.length, 1 + rng.int(16), 1]) {
        const [inPlace, bytewise] = bothWays(body, chunk);
        expect(inPlace, `${JSON.stringify(body.toString("latin1"))} in ${chunk}-byte pieces`).toBe(bytewise);
        if (chunk === 1 && !bytewise.startsWith("|")) found++;
        if (chunk === body.length) expect(inPlace.split("|")[2], "the state after the whole body").toBe(bytewise.split("|")[2]);
      }
    }
    // Not vacuous: a fair share of the bodies carry a name looked for, and a fair share do not.
    expect(found).toBeGreaterThan(FUZZ_ITERATIONS * 0.1);
    expect(found).toBeLessThan(FUZZ_ITERATIONS * 0.9);
  });

  it("names after deep strings, escapes and comments, in every piece size", () => {
    const rows: [string, string][] = [
      ['{"a":[{"b":"x\\"]"}],"limit":"x"}', "limit|limit is not integer"],
      ['{"a":[{"b":"\\u00"}],"_method":"PUT"}', "|"],   // `\u00` then a quote: the quote is the escape's, the string goes on
      ['{"a":["\\u"],"limit":1}', "|"],
      ['{"a":[/*]*/1],"id":"8"}', "id|"],
      ['{"a":{"b":["]"]},"id":"7"}', "|"],
      ['{"a":[[["\\\\"]]],"limit":"12a"}', "limit|limit is not integer"],
      ['{"a":[1,2]//]\n,"_method":1}', "_method|"],
    ];
    for (const [body, want] of rows) {
      for (let chunk = 1; chunk <= body.length; chunk++) {
        const [inPlace, bytewise] = bothWays(Buffer.from(body), chunk);
        expect(inPlace.split("|").slice(0, 2).join("|"), `${body} in ${chunk}-byte pieces`).toBe(want);
        expect(inPlace, `${body} in ${chunk}-byte pieces`).toBe(bytewise);
      }
    }
  });
});

// Forms: names and values cut anywhere, escapes, both pair separators, the names looked for and
// values that pass or fail their judgement.
const FORM_PIECES = ["&", ";", "=", "==", "_method", "limit", "id", "li", "mit", "%5F", "%5", "%", "+", "7", "8", "12", "x", "[]", "[", "]", "&limit=", "&id=", ";id=7", "é"];

describe("form names read in place agree with the byte-by-byte reading", () => {
  it(`${FUZZ_ITERATIONS} hostile forms, each whole and in 1- to 16-byte pieces (seed ${FUZZ_SEED})`, () => {
    const rng = new Rng(FUZZ_SEED + 43);
    let found = 0;
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const body = Buffer.concat(pieces(rng, FORM_PIECES, 1 + rng.int(12)));
      for (const chunk of [body.length, 1 + rng.int(16), 1]) {
        const [inPlace, bytewise] = bothWays(body, chunk, "formNamesBothWays");
        expect(inPlace, `${JSON.stringify(body.toString("latin1"))} in ${chunk}-byte pieces`).toBe(bytewise);
        if (chunk === 1 && !bytewise.startsWith("|")) found++;
      }
    }
    expect(found).toBeGreaterThan(FUZZ_ITERATIONS * 0.1);
    expect(found).toBeLessThan(FUZZ_ITERATIONS * 0.9);
  });

  it("a value not judged ends at ';' as at '&', in every piece size", () => {
    for (const [body, want] of [["x=a;_method=PUT", "_method|"], ["x=aaaa;_method", "_method|"], ["x=a;b&_method=1", "_method|"], ["x=a;id=8", "id|its value is not the path's"], ["x=a;id=7", "|"]]) {
      for (let chunk = 1; chunk <= body.length; chunk++) {
        const [inPlace, bytewise] = bothWays(Buffer.from(body), chunk, "formNamesBothWays");
        expect(inPlace.split("|").slice(0, 2).join("|"), `${body} in ${chunk}-byte pieces`).toBe(want);
        expect(inPlace, `${body} in ${chunk}-byte pieces`).toBe(bytewise);
      }
    }
  });
});

// Multipart: delimiters whole and cut, the boundary and other "--" lines, header blocks with the
// names looked for, plain parts with values that pass or fail, bare LF and CRLF line ends, long
// lines (past the 4,104 bytes a line keeps) and bytes of any value.
const PART_PIECES = ["--XyZ\r\n", "--XyZ--\r\n", "--XyZ", "--", "-", "\r\n", "\n", "\r", "\r\n\r\n", "Content-Disposition: form-data; name=\"",
  "id", "limit", "_method", "\"\r\n", "\"; filename=\"a.bin\"\r\n", "Content-Type: text/plain\r\n", "7", "8", "12", "x", "--XyZ\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n"];

describe("multipart names read in place agree with the byte-by-byte reading", () => {
  it(`${FUZZ_ITERATIONS} hostile multipart bodies, each whole and in 1- to 16-byte pieces (seed ${FUZZ_SEED})`, () => {
    const rng = new Rng(FUZZ_SEED + 47);
    let found = 0;
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const parts = pieces(rng, PART_PIECES, 1 + rng.int(16));
      if (rng.int(20) === 0) parts.splice(rng.int(parts.length), 0, Buffer.alloc(4000 + rng.int(300), "y"));
      const body = Buffer.concat(parts);
      for (const chunk of [body.length, 1 + rng.int(16), 1 + rng.int(300)]) {
        const [inPlace, bytewise] = bothWays(body, chunk, "partNamesBothWays");
        expect(inPlace, `${JSON.stringify(body.toString("latin1").slice(0, 400))} in ${chunk}-byte pieces`).toBe(bytewise);
        if (chunk === body.length && !bytewise.startsWith("|")) found++;
      }
    }
    expect(found).toBeGreaterThan(FUZZ_ITERATIONS * 0.05);
    expect(found).toBeLessThan(FUZZ_ITERATIONS * 0.9);
  });
});
