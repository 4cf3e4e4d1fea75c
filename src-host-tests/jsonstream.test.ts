// The streaming JSON tokenizer (assembly/jsonstream.ts) against the whole-document parser
// (assembly/json.ts): for every document and every chunk size, the same verdict, and for accepted
// documents the same events. Chunk boundaries fall at every byte for short documents. Run through
// build/unit.wasm, without a host.
import { describe, expect, it } from "vitest";
import { FUZZ_ITERATIONS, FUZZ_SEED, Rng, mutate } from "./random";
import { callText, resultText, unit, withBytes } from "./unit";

const fn = unit;
const whole = (doc: Buffer) => callText("parseWhole", doc);
function streamed(doc: Buffer, sizes: number[]): string {
  fn.streamStart();
  let at = 0;
  let i = 0;
  do {
    const size = sizes[i++ % sizes.length];
    const part = doc.subarray(at, at + size);
    at += part.length;
    const ok = withBytes(part, (p, len) => fn.streamFeed(p, len, at >= doc.length ? 1 : 0));
    if (!ok) break;
  } while (at < doc.length);
  return resultText(fn.streamResult());
}
// Errors are compared by verdict only: where the two stop may differ in wording, not in outcome.
const verdict = (r: string) => (r.startsWith("OK") ? r : "ERR");

function agreeEverywhere(doc: Buffer): void {
  const expected = verdict(whole(doc));
  const maxSize = doc.length <= 64 ? doc.length : 8;
  for (let size = 1; size <= Math.max(1, maxSize); size++) {
    const got = verdict(streamed(doc, [size]));
    if (got !== expected) throw new Error(`chunks of ${size}: ${JSON.stringify(got)} != ${JSON.stringify(expected)} for ${JSON.stringify(doc.toString("latin1"))}`);
  }
  const got = verdict(streamed(doc, [Math.max(1, doc.length)]));
  if (got !== expected) throw new Error(`one chunk: ${got} != ${expected}`);
}

const CORPUS = [
  '{"a":1}', '[]', '{}', '[1,2,3]', '"text"', "0", "-0.5e+10", "true", "false", "null", " \n\t[ 1 , { \"k\" : [ null ] } ] \r\n",
  '{"a":{"b":{"c":[1,{"d":"e"}]}}}', '"esc \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00"', '"é漢字😀"',
  // refused
  "", " ", "{", "[1,]", '{"a":1,}', "01", "1.", ".5", "+1", "1e", "-", "tru", "truex", "nul", "nulll", '{"a" 1}', '{"a":1 "b":2}',
  '{"a":1,"a":2}', '"\\x"', '"\\u12"', '"\\ud800"', '"\\udc00x"', '"a\nb"', "[1 2]", '{"a":1}}', '{"a":1} 2', "[[[]]",
  "/*c*/1", "NaN", "Infinity", "'s'", '{a:1}', "\u0000", '"\u007f"',
  // past the intern tables' 32 bytes: plain ASCII values go to the sink undecoded
  '{"long":"a plain value past the intern tables\' thirty-two bytes","n":["tab\\tin a value past thirty-two bytes"]}',
].map((s) => Buffer.from(s, "utf8"));
// Duplicate names around the switch from a list to a set (16 members), and one spelled with an escape.
const members = (n: number, extra = "") => "{" + Array.from({ length: n }, (_, i) => `"m${i}":${i}`).join(",") + extra + "}";
CORPUS.push(...[members(16), members(17), members(40), members(16, ',"m3":0'), members(17, ',"m3":0'), members(17, ',"m16":0'), members(40, ',"m39":0'),
  members(15, ',"m\u0031":0'), members(20, ',"m\u0031\u0039":0'), '{"ab":1,"a\u0062":2}'].map((s) => Buffer.from(s, "utf8")));
CORPUS.push(Buffer.from([0x22, 0xc0, 0xaf, 0x22]), Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), Buffer.from([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22]), Buffer.from([0x22, 0xe2, 0x82, 0x22]));

describe("streaming JSON tokenizer (unit, no host)", () => {
  it("gives the whole-document parser's events on an accepted document", () => {
    const doc = Buffer.from('{"name":"x","tags":["a","b"],"n":1.5e3,"ok":true,"none":null,"o":{}}');
    fn.setLimits(1 << 20, 32, 10000, 65536, 64);
    expect(streamed(doc, [1])).toBe(whole(doc));
    expect(streamed(doc, [1])).toBe("OK\n{\nk name\ns x\nk tags\n[\ns a\ns b\n]\nk n\nn 1.5e3\nk ok\nb true\nk none\nz\nk o\n{\n}\n}\n");
  });

  it(`agrees with the whole-document parser on ${CORPUS.length} edge cases at every chunk boundary`, () => {
    fn.setLimits(1 << 20, 32, 10000, 65536, 64);
    for (const doc of CORPUS) agreeEverywhere(doc);
  });

  it("agrees at the limits: depth, members, string and number length, total bytes", () => {
    fn.setLimits(200, 4, 3, 8, 5);
    const docs = ["[[[[]]]]", "[[[[[]]]]]", "[1,2,3]", "[1,2,3,4]", '{"a":1,"b":2,"c":3}', '{"a":1,"b":2,"c":3,"d":4}',
      '"12345678"', '"123456789"', '"\\u0041234567"', "12345", "123456", "-1234", "[" + "1,".repeat(40) + "1]",
      JSON.stringify({ k: "v".repeat(300) })];
    for (const d of docs) agreeEverywhere(Buffer.from(d));
    fn.setLimits(1 << 20, 32, 10000, 65536, 64);
  });

  // Fed one byte at a time, no token ends in the piece it began in, so every token goes through the
  // carry: the definition that reading short strings and numbers where they lie must match,
  // message, offset and limit of a refusal included (the offset reaches the reply).
  it("refuses a document with the same message, at the same byte, whatever the chunking", () => {
    const rng = new Rng(FUZZ_SEED + 7);
    const limits: Array<[number, number, number, number, number]> = [[1 << 20, 32, 10000, 65536, 64], [200, 4, 3, 8, 5]];
    const seeds = CORPUS.concat(["[12345,-1.5e3,0.25]", '{"n":[1e,2],"s":"ab"}', "[1.5x]", "[-]", "[0123]", "[123456,1]", '["12345678","123456789"]',
      '{"a":"\\x"}', '{"qty":1,"b":-01}', "[1.e5]", "[1e+]", '[1,"a\u0000"]', "[0,-0,0.5,-0.0,12.,1.2.3,00,-,1-2,1e5,123456789012345678,0.0000001]", "[1.5,2.25e1,1,-7,0.25]",
      '[true,false,null]', "[truex]", "[falsey,1]", "[nulll]", "[fals]", "[nul]", '{"a":true,"b":false,"c":null}', "[true1,null-]",
      JSON.stringify({ note: "a plain value longer than the intern tables take: forty bytes", ["a long member name, also past the tables' bound"]: 1 }),
      '["a long value with an escape \\" inside it, past thirty-two bytes", "tab\\tin a long one .................."]', '["123456789", "12\\u00345678"]',
      '["a long value with a control character \u0001 ......"]', '["a long value ending in a backslash ..............\\\\"]'].map((s) => Buffer.from(s)),
      Buffer.concat([Buffer.from('["a long value with invalid UTF-8 ......... '), Buffer.from([0xc0, 0xaf]), Buffer.from(' ..."]')]),
      Buffer.from('["a long value in UTF-8, é and 漢 ..................."]'));
    let refused = 0;
    try {
      for (const l of limits) {
        fn.setLimits(...l);
        for (let i = 0; i < 4000; i++) {
          const doc = i < seeds.length ? seeds[i] : mutate(rng, rng.pick(seeds));
          if (doc.length > l[0]) continue;   // refused by its size as the piece arrives: where depends on the pieces
          // Every third document, the sink refuses one of its events (the schema check's refusal).
          fn.setSinkRefusesAfter(i % 3 === 0 ? rng.int(12) : -1);
          const bytewise = streamed(doc, [1]);
          if (bytewise.startsWith("ERR")) refused++;
          for (const sizes of [[doc.length || 1], [1 + rng.int(9)], [2, 7, 3]]) {
            const got = streamed(doc, sizes);
            if (got !== bytewise) throw new Error(`chunks ${sizes}: ${JSON.stringify(got)} != ${JSON.stringify(bytewise)} for ${JSON.stringify(doc.toString("latin1"))}`);
          }
        }
      }
    } finally {
      fn.setSinkRefusesAfter(-1);
      fn.setLimits(1 << 20, 32, 10000, 65536, 64);
    }
    expect(refused).toBeGreaterThan(1000);
  });

  // A string is scanned eight bytes at a time while eight are in sight (lib/intern.ts stringRun): a
  // byte that matters, at every position of a word, must be seen there, short strings included.
  it("strings with one byte that matters at every position agree with the whole-document parser", () => {
    fn.setLimits(1 << 20, 32, 10000, 65536, 64);
    const specials = [[0x22], [0x5c, 0x22], [0x5c, 0x6e], [0x5c], [0x01], [0x1f], [0x7f], [0x80], [0xff], [0xc3, 0xa9], [0xe6, 0xbc, 0xa2], [0x20], [0x7e]];
    let compared = 0;
    const lengths = [1, 2, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 40, 41, 47, 64, 80];
    for (const length of lengths) {
      for (const special of specials) {
        for (let at = 0; at < length; at++) {
          const content = Buffer.alloc(length, 0x61);
          Buffer.from(special).copy(content, at);
          const doc = Buffer.concat([Buffer.from('{"k":"'), content.subarray(0, Math.max(length, at + special.length)), Buffer.from('","n":1}')]);
          const expected = whole(doc);
          for (const sizes of [[doc.length], [doc.length - 3], [1]]) {
            const got = streamed(doc, sizes);
            if (verdict(got) !== verdict(expected)) throw new Error(`${JSON.stringify(doc.toString("latin1"))} in pieces of ${sizes}: ${got} != ${expected}`);
          }
          compared++;
        }
      }
    }
    expect(compared).toBe(specials.length * lengths.reduce((a, b) => a + b, 0));
  });

  // byteAt (lib/json-runs.ts, multipart-names.ts's skip to the next line break) reads eight bytes at a
  // time while eight are in sight: the byte found must be the first, wherever it lies, whatever
  // surrounds it (bytes one bit away from it, 0x00, 0x80 and 0xff, where a word trick would slip).
  it("byteAt: the first such byte, at every position and alignment, among bytes that look like it", () => {
    const fillers = [0x0b, 0x08, 0x8a, 0x0a ^ 0x80, 0x00, 0x01, 0x80, 0xff, 0x09, 0x79];
    let checked = 0;
    for (const b of [0x0a, 0x00, 0xff, 0x80]) {
      for (let len = 0; len <= 40; len++) {
        for (let at = -1; at < len; at++) {
          for (const lead of [0, 1, 3, 7]) {
            const bytes = Buffer.alloc(lead + len + 9);
            for (let i = 0; i < bytes.length; i++) bytes[i] = fillers.filter((f) => f !== b)[(i * 7 + at + len) % (fillers.length - 1)];
            if (at >= 0) bytes[lead + at] = b;
            if (at >= 0 && at + 2 < len) bytes[lead + at + 2] = b;   // a second one after it
            bytes[lead + len] = b;   // just past what is in sight: never to be found
            const want = at >= 0 ? at : len;
            expect(withBytes(bytes, (p) => fn.byteAtOf(p + lead, len, b)), `byte ${b} at ${at} of ${len}, lead ${lead}`).toBe(want);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(3000);
  });

  // eitherByteAt (a form value's end, '&' or ';'; a string's run, '"' or '\\'): the first of either.
  it("eitherByteAt: the first of the two bytes, at every pair of positions and alignment", () => {
    const fillers = [0x27, 0x25, 0x3a, 0x3d, 0xa6, 0xbb, 0x00, 0x80, 0xff, 0x61];
    let checked = 0;
    for (const [a, b] of [[0x26, 0x3b], [0x22, 0x5c]]) {
      for (let len = 0; len <= 24; len++) {
        for (let atA = -1; atA < len; atA++) {
          for (let atB = -1; atB < len; atB++) {
            for (const lead of [0, 5]) {
              const bytes = Buffer.alloc(lead + len + 9);
              for (let i = 0; i < bytes.length; i++) bytes[i] = fillers[(i * 3 + atA + 2 * atB) % fillers.length];
              if (atB >= 0) bytes[lead + atB] = b;
              if (atA >= 0) bytes[lead + atA] = a;
              bytes[lead + len] = a;   // just past what is in sight
              const found = [atA, atB].filter((x) => x >= 0 && bytes[lead + x] === (x === atA ? a : b));
              const want = found.length ? Math.min(...found) : len;
              expect(withBytes(bytes, (p) => fn.eitherByteAtOf(p + lead, len, a, b)), `${a}@${atA} ${b}@${atB} of ${len}, lead ${lead}`).toBe(want);
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  // The intern tables are keyed by stringRun's hash: the same content must hash the same wherever it
  // lies (word-aligned or not, read eight bytes at a time or, near the end of what is in sight, one
  // by one, as the carry is), and a hash is given exactly for plain ASCII up to 32 bytes.
  it("stringRun: the same length, plainness and intern hash wherever the string lies; distinct names, distinct hashes", () => {
    const rng = new Rng(FUZZ_SEED + 11);
    const plainBytes = Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i).filter((c) => c !== 0x22 && c !== 0x5c);
    const hashes = new Map<number, string>();
    let collisions = 0;
    let plainShort = 0;
    for (let n = 0; n < 3000; n++) {
      const length = rng.int(42);
      const bytes = Array.from({ length }, () => plainBytes[rng.int(plainBytes.length)]);
      if (n % 5 === 0 && length > 0) bytes[rng.int(length)] = [0x5c, 0x01, 0x7f, 0x80, 0xe9][rng.int(5)];
      if (bytes[length - 1] === 0x5c) bytes[length - 1] = 0x61;   // a backslash would escape the quote
      const content = Buffer.from(bytes);
      const plain = bytes.every((c) => c >= 0x20 && c <= 0x7e && c !== 0x5c);
      const seen = new Set<string>();
      for (const lead of [0, 1, 3, 7]) {
        for (const after of [0, 1, 7, 8, 16]) {
          const input = Buffer.concat([Buffer.alloc(lead, 0x61), content, Buffer.from('"'), Buffer.alloc(after, 0x22)]);
          const len = withBytes(input, (p, total) => fn.stringRunOf(p + lead, total - lead));
          const got = `${len} ${fn.lastRunPlain()} ${fn.lastRunHash()}`;
          seen.add(got);
          expect(len, content.toString("latin1")).toBe(length);
          expect(fn.lastRunPlain(), content.toString("latin1")).toBe(plain ? 1 : 0);
          expect(fn.lastRunHash() >= 0, content.toString("latin1")).toBe(plain && length <= 32);
        }
      }
      expect([...seen], content.toString("latin1")).toHaveLength(1);
      const hash = fn.lastRunHash();
      if (hash >= 0) {
        plainShort++;
        const text = content.toString("latin1");
        const other = hashes.get(hash);
        if (other !== undefined && other !== text) collisions++;
        hashes.set(hash, text);
      }
      // Without its closing quote in sight: no length.
      expect(withBytes(content.length ? content : Buffer.from("a"), (p, total) => fn.stringRunOf(p, total))).toBe(-1);
    }
    expect(plainShort).toBeGreaterThan(1500);
    expect(collisions).toBeLessThanOrEqual(1);
  });

  it(`fuzz: ${FUZZ_ITERATIONS} random and mutated documents, random chunkings (seed ${FUZZ_SEED})`, () => {
    fn.setLimits(1 << 20, 32, 10000, 65536, 64);
    const rng = new Rng(FUZZ_SEED + 5);
    const seeds = CORPUS.filter((d) => whole(d).startsWith("OK"));
    let accepted = 0;
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const doc = rng.int(4) === 0 ? rng.bytes(rng.int(40)) : mutate(rng, mutate(rng, rng.pick(seeds)));
      const expected = verdict(whole(doc));
      if (expected !== "ERR") accepted++;
      const sizes = Array.from({ length: 4 }, () => 1 + rng.int(7));
      const got = verdict(streamed(doc, sizes));
      if (got !== expected) throw new Error(`seed ${FUZZ_SEED + 5}, iteration ${i}: ${got} != ${expected} for ${JSON.stringify(doc.toString("latin1"))}`);
      if (doc.length <= 24 && i % 10 === 0) agreeEverywhere(doc);
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it("documents JSON.stringify makes are accepted, in 1-byte chunks", () => {
    fn.setLimits(1 << 20, 32, 10000, 65536, 64);
    const rng = new Rng(FUZZ_SEED + 6);
    const make = (d: number): unknown => {
      const k = rng.int(d > 3 ? 4 : 7);
      if (k === 0) return rng.int(1000) - 500;
      if (k === 1) return rng.bytes(rng.int(8)).toString("latin1");
      if (k === 2) return rng.int(2) === 0;
      if (k === 3) return null;
      if (k === 4) return Array.from({ length: rng.int(4) }, () => make(d + 1));
      return Object.fromEntries(Array.from({ length: rng.int(4) }, (_, i) => [`k${i}`, make(d + 1)]));
    };
    for (let i = 0; i < 300; i++) {
      const doc = Buffer.from(JSON.stringify(make(0)));
      const r = streamed(doc, [1]);
      expect(r.startsWith("OK"), doc.toString()).toBe(true);
      expect(r).toBe(whole(doc));
    }
  });

  it("short names and values decoded once per VM (lib/intern.ts): thousands of colliding ones, seen twice, decode as the whole-document parser reads them", () => {
    fn.setLimits(1 << 20, 32, 10000, 65536, 64);
    const rng = new Rng(FUZZ_SEED + 8);
    const names = Array.from({ length: 3000 }, (_, i) => `n${i}${rng.stringFrom(["a", "b", "~", " ", "Z"], 6)}`).filter((n, i, all) => all.indexOf(n) === i);
    const object = () => "{" + names.map((n) => `${JSON.stringify(n)}:${JSON.stringify(n.slice(0, 1 + rng.int(n.length)))}`).join(",") + "}";
    const doc = Buffer.from(`[${object()},${object()},${object()}]`);
    for (const sizes of [[doc.length], [1], [7, 3]]) expect(streamed(doc, sizes)).toBe(whole(doc));
  });

  it(`numbers: the value read is JavaScript's Number() of the text, bit for bit (${FUZZ_ITERATIONS} random numbers of every shape, and the edges)`, () => {
    // lib/float.ts: up to 15 digits and a power of ten within 10^22 take the fast path; the rest are
    // computed exactly. AssemblyScript's own parseFloat read some of these wrongly by orders of
    // magnitude (the first edge below: 2.36e38), which let a body past a schema's maximum.
    const rng = new Rng(FUZZ_SEED + 7);
    const digits = (n: number) => Array.from({ length: n }, () => rng.int(10)).join("");
    const edges = ["23616649545148486e24", "0", "-0", "0.0", "-0.0e5", "0e999999999", "1e22", "1e23", "9007199254740993", "9007199254740995",
      "123456789012345", "1234567890123456", "0.1234567890123456", "12345678901234.56", "-0.000000000000000000001234", "0.1", "0.3", "2.2250738585072014e-308", "2.2250738585072011e-308", "5e-324", "4.9406564584124654e-324",
      "2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
      "1e309", "-1e-400", "1e-99999999999", "1e+99999999999", "9.99", "16.990000000000002", "0.30000000000000004", "1E+2", "1e-22", "1e-23",
      "1234567.891e-10", "100000000000000000000000", "0.000000000000000000000001", "8.98846567431158e307", "4.35663e-309",
      "1" + "0".repeat(308), "1" + "0".repeat(309), "0." + "0".repeat(322) + "5", "9".repeat(1024), "0." + "9".repeat(1022),
      "1." + "0".repeat(700) + "1e-300", "2.470328229206232720882538e-324", "7.2057594037927933e16",
      // Past 1,024 significant digits only "nonzero or not" is kept: midpoints decided far out.
      "9007199254740993" + "0".repeat(1500) + "e-1500", "9007199254740993" + "0".repeat(1500) + "1e-1501",
      "9007199254740992" + "9".repeat(3000) + "e-3000", "1" + "7".repeat(65000), "0." + "0".repeat(400) + "2470328229206232720882538" + "0".repeat(2000) + "1e77",
      "4.9406564584124654417656879286822137236505980e-324" + "", "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324"];
    // Read alone (lib/float.ts), and in a body, where a short number is read in place (simpleNumber).
    const valueOf = (text: string) => {
      const alone = withBytes(text, (p, len) => fn.numberValue(p, len));
      const streamed = withBytes(text, (p, len) => fn.numberValueStreamed(p, len));
      return Object.is(alone, streamed) ? alone : `${alone} alone, ${streamed} in a body`;
    };
    for (const text of edges) expect(Object.is(valueOf(text), Number(text)), text).toBe(true);
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const long = rng.int(10) === 0;
      const int = rng.int(4) === 0 ? "0" : String(1 + rng.int(9)) + digits(rng.int(long ? 400 : 18));
      const frac = rng.int(2) === 0 ? "" : "." + digits(1 + rng.int(long ? 400 : 12));
      const exp = rng.int(3) === 0 ? "" : rng.pick(["e", "E"]) + rng.pick(["", "+", "-"]) + String(rng.int(rng.int(2) === 0 ? 30 : 400));
      const text = (rng.int(2) === 0 ? "-" : "") + int + frac + exp;
      expect(Object.is(valueOf(text), Number(text)), text).toBe(true);
    }
  });
});
