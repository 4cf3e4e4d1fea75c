// A real Envoy refuses a configuration that meshguard refuses, and its log names the field.
import { describe, expect, it } from "vitest";
import { BAD_CONFIGS } from "./cases/config";
import { envoyConfig } from "../tools/envoy/config";
import { runEnvoyExpectingFailure } from "../tools/envoy/process";
import { WASM_PATH } from "./harness/fixture";
import { createPki } from "../tools/envoy/pki";

const SAMPLE = ["not JSON", "duplicate member", "unknown route field", "partial wildcard", "bad unmatched_routes", "path_params naming a missing parameter", "API key in clear"];

describe("real Envoy refuses a bad meshguard configuration", () => {
  const pki = createPki();
  for (const c of BAD_CONFIGS.filter((b) => SAMPLE.includes(b.name))) {
    it(c.name, async () => {
      const r = await runEnvoyExpectingFailure(envoyConfig({ wasmPath: WASM_PATH, pluginConfig: c.config, upstreamPort: 9, pki }));
      if (r.code === 0) process.stderr.write(r.output);
      expect(r.code).not.toBe(0);
      expect(r.output).toContain("meshguard: configuration refused: ");
      expect(r.output).toContain(c.error);
    });
  }
});
