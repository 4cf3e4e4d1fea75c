// The streaming schema check (assembly/validate/schema-stream.ts) against the document check it
// replaces (schema.ts's validate() on the parsed body): for every case of the official suite
// (drafts 4, 7 and 2020-12) and for random schemas and documents, the same verdict, the same error
// pointer and keyword, whatever the chunk size.
import { describe, expect, it } from "vitest";
import { callText, unit, withBytes, resultText } from "./unit";
import { suiteFiles } from "./schema-suite";
import { FUZZ_ITERATIONS, FUZZ_SEED, Rng } from "./random";

const DRAFTS: Record<string, string> = {
  draft4: "http://json-schema.org/draft-04/schema#",
  draft7: "http://json-schema.org/draft-07/schema#",
  "draft2020-12": "https://json-schema.org/draft/2020-12/schema",
};

const compile = (schema: unknown) => callText("schemaCompile", JSON.stringify(schema));
const byDocument = (doc: string) => callText("schemaValidate", doc);
const byEvents = (doc: string, chunk: number) => withBytes(doc, (p, len) => resultText(unit.schemaValidateStream(p, len, chunk)));

// Every chunking gives the document check's answer; returns it.
function agree(doc: string, where: string): string {
  const expected = byDocument(doc);
  for (const chunk of [1, 3, 64, 1 << 20]) expect(byEvents(doc, chunk), `${where}, chunks of ${chunk}: ${doc.slice(0, 300)}`).toBe(expected);
  return expected;
}

describe("schema checked on the events agrees with the document check", () => {
  for (const [draft, uri] of Object.entries(DRAFTS)) {
    it(`every case of the JSON Schema Test Suite, ${draft}, whose schema compiles`, () => {
      let cases = 0;
      let invalid = 0;
      for (const { file, groups } of suiteFiles(draft)) {
        for (const group of groups) {
          const schema = typeof group.schema === "object" && group.schema !== null && !("$schema" in group.schema) ? { $schema: uri, ...group.schema } : group.schema;
          if (compile(schema) !== "OK") continue;
          for (const t of group.tests) {
            const verdict = agree(JSON.stringify(t.data), `${draft} ${file} / ${group.description} / ${t.description}`);
            cases++;
            if (verdict.startsWith("INVALID")) invalid++;
          }
        }
      }
      expect(cases).toBeGreaterThan(500);
      expect(invalid).toBeGreaterThan(200);
    });
  }

  // Random schemas over a few member names, and documents built from those names, so that
  // properties, required, additionalProperties and the combinators meet documents that nearly fit.
  const NAMES = ["a", "b", "c", "id", "x/y", "t~", "a member name longer than thirty-two bytes"];
  const LONG = "a plain value past the intern tables' thirty-two bytes";
  function schemaOf(rng: Rng, depth: number): unknown {
    if (depth > 3 || rng.int(6) === 0) return rng.pick([true, false, {}, { type: "string" }, { type: "integer" }, { type: ["number", "null"] }]);
    const s: Record<string, unknown> = {};
    const kind = rng.int(8);
    if (kind < 3) {
      s.type = rng.pick(["object", "object", ["object", "array"]]);
      const props: Record<string, unknown> = {};
      for (const n of NAMES) if (rng.int(2) === 0) props[n] = schemaOf(rng, depth + 1);
      s.properties = props;
      if (rng.int(2) === 0) s.required = NAMES.filter(() => rng.int(3) === 0);
      if (rng.int(3) === 0) s.additionalProperties = rng.int(2) === 0 ? false : schemaOf(rng, depth + 1);
      if (rng.int(4) === 0) s.minProperties = rng.int(3);
      if (rng.int(4) === 0) s.maxProperties = rng.int(4);
    } else if (kind < 5) {
      s.type = "array";
      if (rng.int(4) > 0) s.items = schemaOf(rng, depth + 1);
      if (rng.int(4) === 0) s.minItems = rng.int(3);
      if (rng.int(4) === 0) s.maxItems = rng.int(4);
      if (rng.int(5) === 0) s.uniqueItems = true;
    } else if (kind === 5) {
      s[rng.pick(["allOf", "anyOf", "oneOf"])] = [schemaOf(rng, depth + 1), schemaOf(rng, depth + 1)];
      if (rng.int(3) === 0) s.not = schemaOf(rng, depth + 1);
    } else if (kind === 6) {
      s.$ref = "#/definitions/d";
      if (rng.int(2) === 0) s.minProperties = 1;   // a $ref beside another keyword (draft 2020-12)
    } else {
      if (rng.int(2) === 0) s.enum = [1, "a", { a: 1 }, [1, 2], null];
      else s.const = rng.pick([{ a: [1] }, 2, "x", [null]]);
    }
    if (rng.int(6) === 0) { s.minLength = 1; s.maximum = 5; s.minimum = -1; }
    // Strings past the intern tables' 32 bytes are handed over undecoded when plain ASCII.
    if (rng.int(6) === 0) s.maxLength = rng.pick([33, 40, 41]);
    if (rng.int(10) === 0) s.pattern = "^a+$";
    if (rng.int(10) === 0) s.enum = [LONG, "a".repeat(40)];
    return s;
  }
  function docOf(rng: Rng, depth: number): unknown {
    const k = depth > 3 ? 3 + rng.int(5) : rng.int(8);
    if (k < 2) { const o: Record<string, unknown> = {}; for (const n of NAMES) if (rng.int(3) === 0) o[n] = docOf(rng, depth + 1); return o; }
    if (k < 3) return Array.from({ length: rng.int(4) }, () => docOf(rng, depth + 1));
    return rng.pick([0, 1, 2, 7, -1, 1.5, "", "a", "ab", true, false, null, 1e300, LONG, "a".repeat(40), "a".repeat(33), "é".repeat(20), "tab\tin a value past thirty-two bytes"]);
  }

  it(`fuzz (${FUZZ_ITERATIONS} schemas, 5 documents each, seed ${FUZZ_SEED}): the same verdict, pointer and keyword`, () => {
    const rng = new Rng(FUZZ_SEED);
    let compared = 0;
    let invalid = 0;
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      const root = schemaOf(rng, 0);
      const schema = { $schema: DRAFTS["draft2020-12"], ...(typeof root === "object" ? root : { allOf: [root] }), definitions: { d: schemaOf(rng, 2) } };
      if (compile(schema) !== "OK") continue;
      for (let d = 0; d < 5; d++) {
        const verdict = agree(JSON.stringify(docOf(rng, 0)), `schema ${JSON.stringify(schema)}`);
        compared++;
        if (verdict.startsWith("INVALID")) invalid++;
      }
    }
    expect(compared).toBeGreaterThan(FUZZ_ITERATIONS * 4);
    expect(invalid).toBeGreaterThan(compared / 4);
    expect(compared - invalid).toBeGreaterThan(compared / 10);
  });

  // A number judged on doubles alone (schema-stream.ts passesOnDoubles) must be one the doubles
  // decide: literals that round to a bound, or to an integer, go the whole way.
  it("numbers at and next to a bound or an integer, in literals their doubles cannot tell apart", () => {
    const literals = ["0.1", "0.10000000000000000001", "0.09999999999999999999", "5", "5.0", "5.0000000000000000001", "4.9999999999999999999",
      "9007199254740993", "9007199254740992", "9007199254740991.5", "1e308", "1e309", "-0", "0", "1.0", "1.5", "100000000000000000000000.5",
      "123456789012345", "1234567890123456.5", "-1", "7"];
    const bounds = [{ minimum: 0.1 }, { maximum: 0.1 }, { exclusiveMinimum: 0.1 }, { exclusiveMaximum: 0.1 }, { maximum: 5 }, { exclusiveMaximum: 5 },
      { minimum: 9007199254740992 }, { maximum: 1e308 }, { minimum: -1, maximum: 7 }, {}];
    let compared = 0;
    for (const type of ["integer", "number", undefined]) {
      for (const b of bounds) {
        const node = { ...(type ? { type } : {}), ...b };
        for (const [schema, wrap] of [[node, (l: string) => l], [{ properties: { v: node } }, (l: string) => `{"v":${l},"w":[${l}]}`]] as const) {
          expect(compile({ $schema: DRAFTS["draft2020-12"], ...schema })).toBe("OK");
          for (const l of literals) { agree(wrap(l), `schema ${JSON.stringify(schema)}`); compared++; }
        }
      }
    }
    expect(compared).toBe(3 * bounds.length * 2 * literals.length);
  });

  // A name found absent from `required` is remembered by its address (schema-stream.ts): the same
  // interned name in the next object is not looked up again; another name, or the empty name, is.
  it("members that are not required, repeated in every item, beside required ones (the empty name included)", () => {
    const item = { type: "object", required: ["", "id"], properties: { "": { type: "integer" }, id: { type: "string" }, tag: { type: "string" } } };
    expect(compile({ $schema: DRAFTS["draft2020-12"], type: "array", items: item })).toBe("OK");
    const docs = ['[{"":1,"id":"a","tag":"x"},{"":2,"id":"b","tag":"y"},{"tag":"z","id":"c"}]', '[{"tag":"x","":1,"id":"a"},{"id":"b","":2}]',
      '[{"":1,"id":"a"},{"tag":"x","":"no","id":"b"}]', '[{"id":"a","tag":"x"}]', '[{"":1,"tag":"x"},{"":1,"id":"a","tag":"x"},{"":1,"tag":"x"}]'];
    const verdicts = docs.map((d) => agree(d, "required with the empty name"));
    expect(verdicts.map((v) => v.split(" ")[0])).toEqual(["INVALID", "VALID", "INVALID", "INVALID", "INVALID"]);
  });

  // A plain ASCII string against an enum of strings is matched on its bytes (schema-strings.ts
  // validateEnumString), where other values and enums go through validate(): the same verdicts.
  it("strings against enums of strings, matched on their bytes, agree with the document check (with type, lengths, nullable, escapes, long and non-ASCII values)", () => {
    const LONG = "x".repeat(40);
    // Each as it is written in JSON (escapes included).
    const enums = [["gift", "fragile", "express"], ["", "a", "é", "caf\\u00e9", LONG], ["a\\\"b", "a\\\\b", "tab\\tx"], ["a", "A", "a "], ["only"]];
    const others: Record<string, unknown>[] = [{}, { type: "string" }, { type: ["string", "null"] }, { type: "integer" }, { minLength: 2 }, { maxLength: 3 },
      { minLength: 1, maxLength: 5, type: "string" }, { format: "email" }, { pattern: "^a" }, { const: "a" }];
    const values = ["gift", "fragile", "express", "Gift", "gif", "gifts", "", "a", "A", "a ", "é", "caf\\u00e9", "caf\\u0065", LONG, LONG + "x", "a\\\"b", "a\\\\b",
      "tab\\tx", "tab\\u0009x", "only", "onl", "x".repeat(41)];
    let compared = 0;
    const verdicts = new Set<string>();
    for (const en of enums) {
      for (const other of others) {
        const item = { ...other, enum: en.map((v) => JSON.parse(`"${v}"`)) };
        expect(compile({ $schema: DRAFTS["draft2020-12"], type: "array", items: item })).toBe("OK");
        for (const v of values) {
          const doc = `["${v}",{"k":"${v}"},"${v}",7,null]`;
          verdicts.add(agree(doc, `enum ${JSON.stringify(en)} with ${JSON.stringify(other)}, value "${v}"`).split(" ")[0]);
          compared++;
        }
      }
    }
    expect(compared).toBe(enums.length * others.length * values.length);
    expect([...verdicts].sort()).toEqual(["INVALID"]);   // each document holds 7, an object or null besides the string
    // And with only the string, passing and failing.
    const item = { type: "string", maxLength: 7, enum: ["gift", "fragile", "express", "é", LONG] };
    expect(compile({ $schema: DRAFTS["draft2020-12"], type: "array", items: item })).toBe("OK");
    const ok = ["gift", "fragile", "express", "\\u0067ift", "é"].map((v) => agree(`["${v}","${v}"]`, `only "${v}"`).split(" ")[0]);
    expect(ok).toEqual(["VALID", "VALID", "VALID", "VALID", "VALID"]);
    const bad = ["Gift", "gif", "", LONG, "fragil", "expresss"].map((v) => agree(`["gift","${v}"]`, `only "${v}"`));
    expect(bad.map((v) => v.split(" ").slice(0, 2).join(" "))).toEqual(["INVALID /1", "INVALID /1", "INVALID /1", "INVALID /1", "INVALID /1", "INVALID /1"]);
  });

  // Each open object's frame is reused by the next object at its depth (schema-stream.ts Frame): the
  // required names seen in one item must not count for the next, with more required names than
  // the frame first had room for.
  it("required names seen in one item do not count for the next (12 required, each missing in turn)", () => {
    const names = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const item = { type: "object", required: names, properties: Object.fromEntries(names.map((n) => [n, { type: "integer" }])) };
    expect(compile({ $schema: DRAFTS["draft2020-12"], type: "array", items: item })).toBe("OK");
    const full = "{" + names.map((n, i) => `"${n}":${i}`).join(",") + "}";
    for (let missing = 0; missing < names.length; missing++) {
      const partial = "{" + names.filter((_, i) => i !== missing).map((n, i) => `"${n}":${i}`).join(",") + "}";
      const verdict = agree(`[${full},${partial},${full}]`, `r${missing} missing in the second item`);
      expect(verdict.split(" ")[0]).toBe("INVALID");
      expect(verdict).toContain(`r${missing}`);
    }
    expect(agree(`[${full},${full}]`, "all present").split(" ")[0]).toBe("VALID");
  });

  // Member names are looked up by the address of the string last found equal to a property's
  // (validate/schema.ts findName): short names come from the intern table, the same object each
  // time, until another name takes their slot and the name is decoded again as a new object.
  it("a property is found by its name after its interned string was replaced (thousands of other names in between)", () => {
    const schema = { type: "object", required: ["qty"], properties: { qty: { type: "integer", maximum: 5 } }, additionalProperties: { type: "string" } };
    expect(compile(schema)).toBe("OK");
    const crowd = JSON.stringify(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`n${i}`, "v"])));
    const verdicts = () => ['{"qty":1}', '{"qty":9}', '{"qty":"x"}', '{"other":"x"}'].map((d) => agree(d, "after the crowd"));
    const first = verdicts();
    expect(first[0]).toBe("VALID");
    expect(first.slice(1).every((v) => v.startsWith("INVALID"))).toBe(true);
    expect(agree(crowd, "the crowd")).toMatch(/^INVALID/);   // qty missing
    expect(verdicts()).toEqual(first);
    expect(agree(crowd.replace("{", '{"qty":2,'), "the crowd with qty")).toBe("VALID");
    expect(verdicts()).toEqual(first);
  });
});
