// The validation table (test/cases/validation.ts) at two levels: the pipeline alone in the unit
// build (no host), and the compiled filter in the emulator. test/validation.e2e.test.ts runs it
// through a real Envoy.
import { beforeAll, describe, expect, it } from "vitest";
import { RATE_CASES, RATE_LIMITED_HEADERS, VALIDATION_CASES, VALIDATION_POLICY, type ValidationCase } from "../test/cases/validation";
import { type RequestSpec, header, runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";
import { configurePipeline, runPipeline } from "./unit-pipeline";

function spec(c: ValidationCase): RequestSpec {
  const chunked = c.chunks !== undefined;
  return {
    method: c.method, path: c.path, headers: c.headers,
    body: chunked ? c.chunks!.join("") : c.body,
    chunkSize: chunked ? c.chunks![0].length : undefined,
    lengthUnknown: chunked,
  };
}

describe("validation table: the pipeline alone (unit build, no host)", () => {
  beforeAll(() => configurePipeline(VALIDATION_POLICY));
  for (const c of VALIDATION_CASES) {
    it(c.name, () => {
      const out = runPipeline(spec(c));
      expect(out.status ?? 200).toBe(c.status);
      if (c.status !== 200) {
        expect(out.reason).toBe(c.reason);
        expect(out.body).toMatchObject(c.reply ?? {});
      }
    });
  }
  for (const r of RATE_CASES) {
    it(`rate limits: ${r.name}`, () => {
      const outs = r.statuses.map(() => runPipeline({ path: "/limited", headers: { "x-client": `unit-${r.client}` } }));
      expect(outs.map((o) => o.status ?? 200)).toEqual(r.statuses);
      const refused = outs.find((o) => o.status === 429)!;
      for (const [name, pattern] of Object.entries(RATE_LIMITED_HEADERS)) expect(header(refused.replyHeaders, name)[0]).toMatch(pattern);
    });
  }
});

describe("validation table: the compiled filter (emulator)", async () => {
  const host = await loadFilter(VALIDATION_POLICY);
  for (const c of VALIDATION_CASES) {
    it(c.name, () => {
      const out = runRequest(host, spec(c));
      expect(out.status ?? 200).toBe(c.status);
      if (c.status !== 200) {
        expect(out.reason).toBe(c.reason);
        expect(out.body).toMatchObject(c.reply ?? {});
        expect(out.upstream.body.length).toBe(0);   // no byte of a refused body went on
      } else {
        expect(out.upstream.complete).toBe(true);
      }
    });
  }
  for (const r of RATE_CASES) {
    it(`rate limits: ${r.name}`, () => {
      const outs = r.statuses.map(() => runRequest(host, { path: "/limited", headers: { "x-client": `emu-${r.client}` } }));
      expect(outs.map((o) => o.status ?? 200)).toEqual(r.statuses);
      const refused = outs.find((o) => o.status === 429)!;
      for (const [name, pattern] of Object.entries(RATE_LIMITED_HEADERS)) expect(header(refused.replyHeaders, name)[0]).toMatch(pattern);
    });
  }
  it("never trapped", () => expect(host.trap).toBeNull());
});
