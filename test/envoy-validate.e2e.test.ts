// Every shape of Envoy config the project ships (tools/envoy/config.ts: the demo's, the tests',
// the benchmark's) passes `envoy --mode validate` of the Envoy the project installs: the
// bootstrap's protos, the wasm filter's, jwt_authn's, the stats tags, the access log (Envoy does
// not start the VM in this mode: meshguard's own configuration is `meshguard validate`'s job).
// Files named in a config (certificates, the module) are real files here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { type EnvoyConfigOptions, envoyConfig } from "../tools/envoy/config";
import { resolveEnvoy } from "../tools/envoy/install";
import { createIssuer } from "../tools/envoy/jwt";
import { createPki } from "../tools/envoy/pki";
import { writeExtensionConfig } from "../tools/envoy/reload";
import { MONITOR_POLICY } from "./cases/monitor";

const WASM = resolve(import.meta.dirname, "..", "build", "meshguard.wasm");

describe("the shipped Envoy configs pass envoy --mode validate", () => {
  const envoy = resolveEnvoy();
  const pki = createPki();
  const dir = mkdtempSync(join(tmpdir(), "meshguard-validate-"));
  const issuer = createIssuer("https://issuer.example", "RS256");
  const base: EnvoyConfigOptions = { wasmPath: WASM, pluginConfig: MONITOR_POLICY, upstreamPort: 9, pki };
  const shapes: [string, Partial<EnvoyConfigOptions>][] = [
    ["mutual TLS (the demo's and the tests' default)", {}],
    ["with jwt_authn", { jwtProviders: [{ name: "rs", issuer: "https://issuer.example", audiences: ["api"], jwks: issuer.jwks }] }],
    ["with the access log", { accessLogPath: join(dir, "access.log") }],
    ["plaintext (the load benchmark)", { tls: false }],
    ["without meshguard (the benchmark's baseline)", { withoutMeshguard: true }],
    ["FAIL_CLOSED and SANITIZE_SET", { failurePolicy: "FAIL_CLOSED", forwardClientCert: "SANITIZE_SET", requireClientCertificate: false }],
    ["hot reload: the filter from a watched ECDS file", { reloadDir: (() => { writeExtensionConfig(dir, WASM, MONITOR_POLICY); return dir; })() }],
  ];
  it("and a broken one does not (the check can fail)", () => {
    const path = join(dir, "broken.json");
    writeFileSync(path, JSON.stringify({ ...envoyConfig(base), no_such_field: true }));
    const r = spawnSync(envoy, ["--mode", "validate", "-c", path, "-l", "error"], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
  });

  shapes.forEach(([name, extra], i) => {
    it(name, () => {
      const path = join(dir, `envoy-${i}.json`);
      writeFileSync(path, JSON.stringify(envoyConfig({ ...base, ...extra })));
      const r = spawnSync(envoy, ["--mode", "validate", "-c", path, "-l", "error"], { encoding: "utf8" });
      expect(r.stdout + r.stderr).toContain("OK");
      expect(r.status).toBe(0);
    });
  });
});
