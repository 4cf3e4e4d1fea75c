// The access-control and attack table through a real Envoy: jwt_authn verifies real RS256 and
// ES256 tokens signed here (public keys served as a local JWKS), mutual TLS carries service
// identities, and meshguard decides. Same table as src-host-tests/access.test.ts.
import { describe, expect } from "vitest";
import { ACCESS_TABLES, AUDIENCE, type AccessCase, ES_ISSUER, RS_ISSUER, type TokenSpec } from "./cases/access";
import { quiesce } from "./harness/fixture";
import { meshPerSuite, overBothProtocols, sendOver } from "./harness/table";
import { type Issuer, algNone, createIssuer, tamper } from "../tools/envoy/jwt";
import type { CertFiles } from "../tools/envoy/pki";

const rs = createIssuer(RS_ISSUER, "RS256");
const es = createIssuer(ES_ISSUER, "ES256");
const rogue = createIssuer("https://rogue.example", "RS256", rs.kid);   // same kid, other key and issuer

function mint(t: TokenSpec): string {
  const claims = { aud: AUDIENCE, ...t.claims };
  switch (t.kind) {
    case "rs256": return rs.token(claims);
    case "es256": return es.token(claims);
    case "other-issuer": return rogue.token(claims);
    case "wrong-audience": return rs.token({ ...claims, aud: "another-api" });
    case "expired": return rs.token(claims, { expiresIn: -600 });
    case "alg-none": return algNone({ iss: RS_ISSUER, ...claims, exp: Math.floor(Date.now() / 1000) + 600 });
    case "tampered": return tamper(rs.token({ ...claims, roles: ["customer"] }), { roles: t.claims.roles });
  }
}

for (const table of ACCESS_TABLES) describe(`${table.title} (real Envoy, jwt_authn, mutual TLS)`, () => {
  const certs = new Map<string, CertFiles>();
  const jwtProviders = [
    { name: "rs", issuer: RS_ISSUER, audiences: [AUDIENCE], jwks: rs.jwks },
    { name: "es", issuer: ES_ISSUER, audiences: [AUDIENCE], jwks: es.jwks },
  ];
  const mesh = meshPerSuite(table.policy, { requireClientCertificate: false, jwtProviders }, (m) => {
    table.cases.forEach((c, i) => { if (c.cert) certs.set(c.name, m.pki.issue(`access${i}`, c.cert)); });
  });

  function send(c: AccessCase, http2: boolean) {
    const headers: Record<string, string | string[]> = { ...c.headers };
    if (c.apiKey) headers["x-api-key"] = c.apiKey;
    if (c.token) headers.authorization = `Bearer ${mint(c.token)}`;
    return sendOver(mesh(), http2, { method: c.method ?? "GET", path: c.path, headers, cert: certs.get(c.name) ?? null });
  }

  // Each case over HTTP/1.1 and HTTP/2 (where a header given twice stays two fields).
  overBothProtocols(table.cases, async (c, http2) => {
    const m = mesh();
    const seen = m.upstream.seen.length;
    const stat = `wasmcustom.meshguard.audit.would_deny.${c.wouldDeny}`;
    const before = c.wouldDeny ? (await m.envoy.stats())[stat] ?? 0 : 0;
    const r = await send(c, http2);
    const status = c.envoy?.status ?? c.status;
    const reason = c.envoy ? c.envoy.reason : c.reason;
    expect(r.status).toBe(status);
    if (status !== 200) {
      if (reason) expect(JSON.parse(r.body).reason).toBe(reason);
      if (reason === "user_missing") expect(r.headers["www-authenticate"]).toBe("Bearer");
      await quiesce(m);
      expect(m.upstream.seen.length).toBe(seen);   // not even the headers reached the service
      return;
    }
    const echo = JSON.parse(r.body);
    for (const [name, value] of Object.entries(c.forwarded ?? {})) expect(echo.headers[name] ?? null).toBe(value);
    if (c.wouldDeny) expect((await m.envoy.stats())[stat]).toBe(before + 1);
  });
});
