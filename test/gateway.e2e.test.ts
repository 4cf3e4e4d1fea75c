// The same module on an ingress-style Envoy (issue #13, item 6): no client certificates, users by
// JWT (verified by jwt_authn), the client address from x-forwarded-for behind one trusted load
// balancer. The gateway WasmPlugin `meshguard render` writes runs this shape.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createIssuer } from "../tools/envoy/jwt";
import { call } from "./harness/client";
import { type Mesh, dumpLogOnFailure, startMesh } from "./harness/fixture";

const ISSUER = "https://login.gateway.meshguard.test";
const issuer = createIssuer(ISSUER, "RS256");
const GATEWAY_POLICY = {
  routes: [
    { name: "orders", path: "/api/users/{userId}/orders", methods: ["GET"], allow: [{ path_params: { userId: "sub" } }] },
    { name: "catalog", path: "/api/catalog/**", public: true },
  ],
  rate_limits: { client_ip: { trusted_hops: 1 }, limits: [{ name: "per-client", capacity: 3, refill: { tokens: 1, seconds: 60 }, key: ["client_ip"], routes: ["catalog"] }] },
  monitoring: { client_ip: { trusted_hops: 1 }, detectors: [{ name: "probing", kind: "refusal_burst", identity: "client_ip", groups: ["undeclared"], window_seconds: 60, threshold: 5, action: "quarantine" }] },
};

describe("an ingress gateway (real Envoy: no client certificates, JWT users, clients behind a load balancer)", () => {
  let mesh: Mesh | undefined;
  beforeAll(async () => { mesh = await startMesh(GATEWAY_POLICY, { requireClientCertificate: false, jwtProviders: [{ name: "login", issuer: ISSUER, jwks: issuer.jwks }] }); });
  afterAll(async () => { await mesh?.stop(); });
  beforeEach(() => dumpLogOnFailure(() => mesh));

  // The load balancer appends the address it saw; a client may have written anything before it.
  const get = (path: string, client: string, headers: Record<string, string> = {}) =>
    call(mesh!.envoy.listenerPort, { path, headers: { "x-forwarded-for": `${headers["x-forwarded-for"] ? headers["x-forwarded-for"] + ", " : ""}${client}`, ...Object.fromEntries(Object.entries(headers).filter(([k]) => k !== "x-forwarded-for")) }, ca: mesh!.pki.ca.cert });

  it("users by JWT: her own orders, not another's; no token, no orders", async () => {
    const alice = { authorization: `Bearer ${issuer.token({ sub: "alice" })}` };
    expect((await get("/api/users/alice/orders", "198.51.100.1", alice)).status).toBe(200);
    expect((await get("/api/users/bob/orders", "198.51.100.1", alice)).status).toBe(403);
    expect((await get("/api/users/alice/orders", "198.51.100.1")).status).toBe(401);
  });

  it("rate limits per client address from x-forwarded-for, which a client cannot dodge by writing its own entries", async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get("/api/catalog/items", "203.0.113.7", { "x-forwarded-for": `10.9.9.${i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await get("/api/catalog/items", "203.0.113.8")).status).toBe(200);   // another client, its own bucket
  });

  it("probing undeclared routes quarantines the client address, not the load balancer's", async () => {
    for (let i = 0; i < 5; i++) expect((await get(`/wp-admin/${i}`, "192.0.2.66")).status).toBe(404);
    expect((await get("/api/catalog/x", "192.0.2.66")).status).toBe(429);
    expect((await get("/api/catalog/x", "192.0.2.67")).status).toBe(200);
  });
});
