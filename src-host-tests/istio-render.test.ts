// `meshguard render`: Istio manifests for a policy, valid under Istio's CRD schemas
// (@kubernetes-models/istio), the module pinned by digest, failStrategy deliberate, and the
// pluginConfig one the compiled filter accepts as Istio will hand it over (claims under "payload").
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

const ROOT = resolve(import.meta.dirname, "..");
const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, "bin", "meshguard.mjs"), ...args], { encoding: "utf8", cwd: ROOT });
const digest = createHash("sha256").update(readFileSync(join(ROOT, "build", "meshguard.wasm"))).digest("hex");
const image = `oci://registry.example/meshguard@sha256:${digest}`;

describe("meshguard render (Istio)", async () => {
  const out = cli("render", "examples/policy-short.json", "--image", image, "--namespace", "shop", "--app", "orders", "--issuer", "https://login.example.com", "--jwks-uri", "https://login.example.com/jwks.json", "--audience", "orders-api");
  const docs = parseAllDocuments(out.stdout).map((d) => d.toJS());

  it("four manifests: sidecar and gateway WasmPlugins, PeerAuthentication STRICT, RequestAuthentication", () => {
    expect(out.status).toBe(0);
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`)).toEqual([
      "WasmPlugin shop/meshguard-orders", "WasmPlugin istio-system/meshguard-orders-gateway",
      "PeerAuthentication shop/meshguard-orders", "RequestAuthentication shop/meshguard-orders",
    ]);
    expect(docs[2].spec.mtls.mode).toBe("STRICT");
    expect(docs[3].spec.jwtRules).toEqual([{ issuer: "https://login.example.com", jwksUri: "https://login.example.com/jwks.json", audiences: ["orders-api"] }]);
  });

  it("the WasmPlugins: pinned by digest, phase AUTHZ, FAIL_CLOSE, inbound on sidecars", () => {
    for (const w of docs.slice(0, 2)) expect(w.spec).toMatchObject({ url: image, phase: "AUTHZ", failStrategy: "FAIL_CLOSE", imagePullPolicy: "IfNotPresent" });
    expect(docs[0].spec.match).toEqual([{ mode: "SERVER" }]);
    expect(docs[0].spec.selector.matchLabels).toEqual({ app: "orders" });
  });

  it("the pluginConfig reads claims where Istio's jwt_authn puts them, and the filter accepts it", async () => {
    const config = docs[0].spec.pluginConfig;
    expect(config.jwt.payload_keys).toEqual(["payload"]);
    const host = await loadFilter(config);
    expect(host.configured).toBe(true);
    const claims = { sub: "alice", scope: "orders:read" };
    const asIstio = runRequest(host, { path: "/users/alice/orders/7", dynamic_metadata: { "envoy.filters.http.jwt_authn": { payload: claims } } });
    expect(asIstio.allowed).toBe(true);
  });

  it("an image by tag is refused (exit 2): Istio would pull whatever the tag points at", () => {
    const r = cli("render", "examples/policy-short.json", "--image", "oci://registry.example/meshguard:latest", "--namespace", "shop", "--app", "orders");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("must be pinned by digest");
  });

  it("a policy the filter refuses is not rendered (exit 1, at its line)", () => {
    const r = cli("render", "examples/openapi/orders.yaml", "--image", image, "--namespace", "shop", "--app", "orders");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
  });
});
