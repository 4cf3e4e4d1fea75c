// The published JSON Schema of the policy (schema/meshguard-policy.schema.json, for editors) and
// the compiler agree: the same fields on every object (assembly/config/fields.ts, which the
// compiler uses, read by both compilers), and every policy the tests and examples use is valid
// under the schema as well as accepted by the filter.
import { readFileSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import * as F from "../assembly/config/fields";
import { ACCESS_TABLES } from "../test/cases/access";
import { IDENTITY_POLICY, TRUST_ONLY_POLICY, TRUST_POLICY } from "../test/cases/identity";
import { ATTACK_POLICY, MONITOR_POLICY } from "../test/cases/monitor";
import { VALIDATION_POLICY } from "../test/cases/validation";
import { FUZZ_AUDIT_POLICY, FUZZ_POLICY } from "./fuzz";
import { loadFilter } from "./fixture";

const ROOT = resolve(import.meta.dirname, "..");
const schema = JSON.parse(readFileSync(resolve(ROOT, "schema", "meshguard-policy.schema.json"), "utf8"));
const defs = schema.$defs;

const OBJECTS: [string, string[], Record<string, unknown>][] = [
  ["the policy", F.POLICY_FIELDS, schema.properties],
  ["a route", F.ROUTE_FIELDS, defs.route.properties],
  ["a rule", F.RULE_FIELDS, defs.rule.properties],
  ["a query parameter", F.QUERY_PARAM_FIELDS, defs.query_param.properties],
  ["request_limits", F.REQUEST_LIMITS_FIELDS, defs.request_limits.properties],
  ["jwt", F.JWT_FIELDS, defs.jwt.properties],
  ["api_keys", F.API_KEYS_FIELDS, defs.api_keys.properties],
  ["an API key", F.API_KEY_FIELDS, defs.api_keys.properties.keys.items.properties],
  ["rate_limits", F.RATE_LIMITS_FIELDS, defs.rate_limits.properties],
  ["a limit", F.LIMIT_FIELDS, defs.limit.properties],
  ["a limit's refill", F.REFILL_FIELDS, defs.limit.properties.refill.properties],
  ["client_ip", F.CLIENT_IP_FIELDS, defs.client_ip.properties],
  ["monitoring", F.MONITORING_FIELDS, defs.monitoring.properties],
  ["the quarantine", F.QUARANTINE_FIELDS, defs.monitoring.properties.quarantine.properties],
  ["a detector", F.DETECTOR_FIELDS, defs.detector.properties],
];

describe("the policy's JSON Schema and the compiler", () => {
  for (const [what, fields, properties] of OBJECTS) {
    it(`${what}: the same fields`, () => expect(Object.keys(properties).sort()).toEqual([...fields].sort()));
  }

  it("every object of the schema refuses unknown fields, as the compiler does", () => {
    const open: string[] = [];
    const walk = (s: unknown, at: string) => {
      if (s === null || typeof s !== "object") return;
      const o = s as Record<string, unknown>;
      if (o.properties && o.additionalProperties !== false) open.push(at);
      for (const [k, v] of Object.entries(o)) if (k !== "body_schema") walk(v, `${at}/${k}`);
    };
    walk(schema, "");
    expect(open).toEqual([]);
  });

  const policies: [string, unknown][] = [
    ...readdirSync(resolve(ROOT, "examples")).filter((f) => f.endsWith(".json") && f.startsWith("policy")).map((f) => [`examples/${f}`, JSON.parse(readFileSync(resolve(ROOT, "examples", f), "utf8"))] as [string, unknown]),
    ["envoy/default-policy.json", JSON.parse(readFileSync(resolve(ROOT, "envoy", "default-policy.json"), "utf8"))],
    ...ACCESS_TABLES.map((t) => [`access table: ${t.title}`, t.policy] as [string, unknown]),
    ["identity", IDENTITY_POLICY], ["trust", TRUST_POLICY], ["trust only", TRUST_ONLY_POLICY],
    ["validation", VALIDATION_POLICY], ["monitor", MONITOR_POLICY], ["attack", ATTACK_POLICY],
    ["fuzz", FUZZ_POLICY], ["fuzz audit", FUZZ_AUDIT_POLICY],
  ];
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
  for (const [name, policy] of policies) {
    it(`${name}: valid under the schema and accepted by the filter`, async () => {
      const ok = validate(policy);
      expect(ok ? [] : validate.errors).toEqual([]);
      expect((await loadFilter(policy)).configured).toBe(true);
    });
  }
});
