// The official JSON Schema Test Suite for draft 7 and draft 2020-12 (core and optional/format),
// from PyPI's jsonschema source (schema-suite.ts), through the compiled filter: each case POSTed
// as a body in 7-byte chunks. Every group whose schema the compiler accepts must pass whole; the
// groups it refuses are printed with the compiler's reason. Each schema gets the draft's
// `$schema` when it has none, as a user states the draft meshguard is to follow.
import { describe, expect, it } from "vitest";
import { runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";
import { JSONSCHEMA_VERSION, suiteFiles } from "./schema-suite";

const DRAFTS: Record<string, string> = {
  draft7: "http://json-schema.org/draft-07/schema#",
  "draft2020-12": "https://json-schema.org/draft/2020-12/schema",
};

// Cases left out, each with its reason.
const CASE_EXCLUSIONS: Record<string, string> = {};
for (const f of ["email", "ipv4", "ipv6", "date", "date-time", "uri", "uuid", "hostname", "idn-hostname", "idn-email", "iri", "iri-reference", "json-pointer", "regex", "relative-json-pointer", "time", "uri-reference", "uri-template", "duration"]) {
  CASE_EXCLUSIONS[`draft2020-12 format.json / ${f} format / invalid ${f} string is only an annotation by default`] =
    "meshguard asserts formats (the format-assertion vocabulary), as the suite's optional/format tests expect";
}

const route = (schema: unknown) => ({ routes: [{ name: "v", path: "/v", methods: ["POST"], public: true, body_schema: schema }] });
const withDraft = (schema: unknown, uri: string) =>
  schema !== null && typeof schema === "object" && !Array.isArray(schema) && !("$schema" in schema) ? { $schema: uri, ...schema } : schema;

for (const [draft, uri] of Object.entries(DRAFTS)) {
  describe(`JSON Schema Test Suite ${draft} (jsonschema ${JSONSCHEMA_VERSION}), through the filter`, async () => {
    let run = 0;
    let accepted = 0;
    const refused: string[] = [];
    const failures: string[] = [];
    for (const { file, groups } of suiteFiles(draft)) {
      for (const group of groups) {
        const host = await loadFilter(route(withDraft(group.schema, uri)));
        if (!host.configured) {
          refused.push(`${file} / ${group.description}: ${host.logsAt("error")[0]?.replace("meshguard: configuration refused: routes[0].", "")}`);
          continue;
        }
        accepted++;
        for (const t of group.tests) {
          const name = `${draft} ${file} / ${group.description} / ${t.description}`;
          if (CASE_EXCLUSIONS[name]) continue;
          run++;
          const out = runRequest(host, { method: "POST", path: "/v", body: JSON.stringify(t.data), chunkSize: 7 });
          if (out.allowed !== t.valid) failures.push(`${name}: expected ${t.valid ? "valid" : "invalid"}, got ${out.allowed ? "allowed" : JSON.stringify(out.body)}`);
        }
        if (host.trap) failures.push(`${file} / ${group.description}: trapped`);
      }
    }

    it("every case of every group the compiler accepts", () => {
      console.log(`JSON Schema Test Suite ${draft}: ${accepted} groups accepted, ${run} cases run, ${failures.length} failed; ${refused.length} groups refused:\n  ${refused.join("\n  ")}`);
      expect(failures).toEqual([]);
      expect(run).toBeGreaterThan(600);
    });
  });
}
