// The docker-compose path: envoy/docker-compose.yaml runs the same config and filter in a
// container with host networking. Here no image can be pulled, so the image is imported from the
// installed Envoy binary. If no Docker engine can be started, these tests say so loudly and are
// reported as skipped, never as passed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IDENTITY_POLICY } from "./cases/identity";
import { call } from "./harness/client";
import { type Availability, ensureDocker, ensureLocalImage, stopDaemon } from "../tools/envoy/docker";
import { resolveEnvoy } from "../tools/envoy/install";
import { envoyConfig } from "../tools/envoy/config";
import { runEnvoyExpectingFailure } from "../tools/envoy/process";
import { type Mesh, WASM_PATH, dumpLogOnFailure, startMesh } from "./harness/fixture";

let docker: Availability = { ok: false, why: "not checked yet" };
let mesh: Mesh | undefined;

beforeAll(async () => {
  docker = await ensureDocker();
  if (docker.ok && !process.env.MESHGUARD_ENVOY_IMAGE) {
    const failed = ensureLocalImage(resolveEnvoy());
    if (failed) docker = { ok: false, why: failed };
  }
  if (!docker.ok) {
    process.stderr.write(`\n${"!".repeat(78)}\n!! COMPOSE TESTS DID NOT RUN: ${docker.why}\n${"!".repeat(78)}\n\n`);
    return;
  }
  mesh = await startMesh(IDENTITY_POLICY, { requireClientCertificate: false, forwardClientCert: "ALWAYS_FORWARD_ONLY" }, { launcher: "compose" });
}, 600_000);

afterAll(async () => {
  await mesh?.stop();
  if (docker.ok) stopDaemon(docker.startedDaemon);
});

describe("docker-compose launcher", () => {
  beforeEach((ctx) => {
    if (!docker.ok) ctx.skip();
    dumpLogOnFailure(() => mesh);
  });

  it("allows a permitted service and forwards its verified identity", async () => {
    const cert = mesh!.pki.issue("web", ["spiffe://meshguard.test/ns/shop/sa/web"]);
    const r = await call(mesh!.envoy.listenerPort, { path: "/api/orders", cert, ca: mesh!.pki.ca.cert, headers: { "x-forwarded-client-cert": "spoof" } });
    expect(r.status).toBe(200);
    const echo = JSON.parse(r.body);
    expect(echo.headers["x-meshguard-peer-id"]).toBe("spiffe://meshguard.test/ns/shop/sa/web");
    expect(echo.headers["x-forwarded-client-cert"]).toBeUndefined();
  });

  it("refuses another namespace with 403 and a reason", async () => {
    const cert = mesh!.pki.issue("dev", ["spiffe://meshguard.test/ns/dev/sa/web"]);
    const r = await call(mesh!.envoy.listenerPort, { path: "/api/orders", cert, ca: mesh!.pki.ca.cert });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).reason).toBe("not_allowed");
  });

  it("refuses a missing identity with 401 and counts it in Envoy's stats", async () => {
    const r = await call(mesh!.envoy.listenerPort, { path: "/api/orders", cert: null, ca: mesh!.pki.ca.cert });
    expect(r.status).toBe(401);
    const stats = await mesh!.envoy.stats();
    expect(stats["wasmcustom.meshguard.denied.identity_missing"]).toBe(1);
  });

  it("a bad policy stops the container with the field named in its log", async () => {
    const r = await runEnvoyExpectingFailure(envoyConfig({ wasmPath: WASM_PATH, pluginConfig: '{"routes":[{"path":"/a"}]}', upstreamPort: 9, pki: mesh!.pki }), "compose");
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("routes[0].allow: required unless the route is public");
  });
});
