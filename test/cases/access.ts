// The access-control and attack table: one list of cases for the emulator (src-host-tests) and a
// real Envoy with jwt_authn and mutual TLS (test/access.e2e.test.ts). Tokens are described here
// and minted by each side: the emulator gets the claims jwt_authn would publish (none for a token
// jwt_authn refuses), Envoy gets a real signed token.
import { createHash } from "node:crypto";

export const TD = "meshguard.test";
export const RS_ISSUER = "https://rs.issuer.meshguard.test";
export const ES_ISSUER = "https://es.issuer.meshguard.test";
export const AUDIENCE = "orders-api";
export const PARTNER_KEY = "pk_live_7f3a9c0e2b5d4f61";
export const OTHER_KEY = "pk_live_0b1c2d3e4f5a6b7c";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

export const ACCESS_POLICY = {
  api_keys: { header: "x-api-key", keys: [{ sha256: sha(PARTNER_KEY), client: "partner-a", roles: ["partner"] }, { sha256: sha(OTHER_KEY), client: "partner-b", roles: ["partner"] }] },
  routes: [
    {
      name: "read-order", path: "/users/{userId}/orders/{orderId}", methods: ["GET"],
      allow: [
        { name: "owner-with-scope", path_params: { userId: "sub" }, all_scopes: ["orders:read"] },
        { name: "support", any_role: ["support"] },
      ],
    },
    { name: "delete-order", path: "/users/{userId}/orders/{orderId}", methods: ["DELETE"], allow: [{ any_role: ["admin"] }] },
    {
      name: "admin", path: "/admin/**",
      deny: [{ name: "suspended", claims: { suspended: "true" } }],
      allow: [{ name: "acme-admins", any_role: ["admin"], claims: { "org.id": "acme" } }],
    },
    { name: "partner-reports", path: "/partners/reports", methods: ["GET"], allow: [{ api_clients: ["partner-a"] }] },
    { name: "internal", path: "/internal/**", allow: [{ peers: [`spiffe://${TD}/ns/shop/sa/*`] }] },
    { name: "reports", path: "/reports/**", mode: "audit", allow: [{ any_role: ["analyst"] }] },
    { name: "catalog", path: "/catalog/**", public: true, deny: [{ name: "banned", claims: { banned: "true" }, mode: "audit" }] },
    { name: "me", path: "/me", allow: [{ authenticated: true }] },
    { name: "account", path: "/accounts/{accountId}", allow: [{ path_params: { accountId: "account.id" } }] },
  ],
};

// How a token fares in Envoy's jwt_authn: verified (and published), or refused by Envoy.
export type TokenKind = "rs256" | "es256" | "other-issuer" | "wrong-audience" | "expired" | "alg-none" | "tampered";
export interface TokenSpec { kind: TokenKind; claims: Record<string, unknown> }
export const verified = (k: TokenKind) => k === "rs256" || k === "es256";

// The payload jwt_authn publishes for a verified token: the claims plus the registered ones.
export function publishedPayload(t: TokenSpec): Record<string, unknown> | undefined {
  if (!verified(t.kind)) return undefined;
  const now = Math.floor(Date.now() / 1000);
  return { iss: t.kind === "es256" ? ES_ISSUER : RS_ISSUER, aud: AUDIENCE, iat: now, exp: now + 600, ...t.claims };
}

export interface AccessCase {
  name: string;
  method?: string;
  path: string;
  cert?: string[];                      // client certificate URI SANs; none when absent
  token?: TokenSpec;
  apiKey?: string;
  headers?: Record<string, string | string[]>;
  status: number;                       // 200 when forwarded
  reason?: string;                      // meshguard's reason code when it refuses
  envoy?: { status: number; reason?: string | null };   // where Envoy answers differently; reason null: Envoy's own reply
  forwarded?: Record<string, string | null>;            // identity headers the upstream must see (null: absent)
  wouldDeny?: string;                   // an audit-mode "would deny" with this reason
}

const alice = { sub: "alice", scope: "orders:read profile", roles: ["customer"] };
const tok = (claims: Record<string, unknown>, kind: TokenKind = "rs256"): TokenSpec => ({ kind, claims });
const deep = (n: number): Record<string, unknown> => (n === 0 ? { leaf: true } : { d: deep(n - 1) });

export const ACCESS_CASES: AccessCase[] = [
  // Object-level authorization (BOLA) and scopes.
  { name: "owner reads own order", path: "/users/alice/orders/7", token: tok(alice), status: 200, forwarded: { "x-meshguard-user": "alice" } },
  { name: "owner, ES256 token", path: "/users/alice/orders/7", token: tok(alice, "es256"), status: 200, forwarded: { "x-meshguard-user": "alice" } },
  // Laravel's $request->userId reads the query before the route's {userId}: bob's orders to it.
  { name: "owner's path, another user in the query (userId=bob)", path: "/users/alice/orders/7?userId=bob", token: tok(alice), status: 400, reason: "query_invalid" },
  { name: "owner's path, another order in the query (orderid=8)", path: "/users/alice/orders/7?orderid=8", token: tok(alice), status: 400, reason: "query_invalid" },
  { name: "owner's path, another user in brackets in the query ([userId]=bob: Rack before 3 reads userId)", path: "/users/alice/orders/7?[userId]=bob", token: tok(alice), status: 400, reason: "query_invalid" },
  { name: "another user's order (BOLA)", path: "/users/bob/orders/7", token: tok(alice), status: 403, reason: "not_allowed" },
  { name: "own order without the scope", path: "/users/alice/orders/7", token: tok({ sub: "alice", scope: "profile" }), status: 403, reason: "not_allowed" },
  { name: "a numeric claim binds to the path", path: "/accounts/42", token: tok({ sub: "alice", account: { id: 42 } }), status: 200 },
  { name: "another account", path: "/accounts/43", token: tok({ sub: "alice", account: { id: 42 } }), status: 403, reason: "not_allowed" },
  { name: "support role reads any order", path: "/users/bob/orders/7", token: tok({ sub: "sam", roles: ["support"] }), status: 200 },
  { name: "no identity at all", path: "/users/alice/orders/7", status: 401, reason: "identity_missing" },
  { name: "trailing slash is the same route", path: "/users/bob/orders/7/", token: tok(alice), status: 403, reason: "not_allowed" },
  // Methods.
  { name: "DELETE needs admin", method: "DELETE", path: "/users/alice/orders/7", token: tok(alice), status: 403, reason: "not_allowed" },
  { name: "undeclared method", method: "POST", path: "/users/alice/orders/7", token: tok(alice), status: 405, reason: "method_not_declared" },
  // Roles, claims, deny rules.
  { name: "admin of acme", path: "/admin/users", token: tok({ sub: "ann", roles: ["admin"], org: { id: "acme" } }), status: 200 },
  { name: "admin of another org", path: "/admin/users", token: tok({ sub: "eve", roles: ["admin"], org: { id: "evil" } }), status: 403, reason: "not_allowed" },
  { name: "suspended admin: deny before allow", path: "/admin/users", token: tok({ sub: "ann", roles: ["admin"], org: { id: "acme" }, suspended: true }), status: 403, reason: "denied_by_rule" },
  { name: "role given as a number is no role", path: "/admin/users", token: tok({ sub: "x", roles: [1, { admin: true }, true, null], org: { id: "acme" } }), status: 403, reason: "not_allowed" },
  // API keys.
  { name: "partner API key", path: "/partners/reports", apiKey: PARTNER_KEY, status: 200, forwarded: { "x-meshguard-api-client": "partner-a" } },
  { name: "wrong API key", path: "/partners/reports", apiKey: PARTNER_KEY + "x", status: 401, reason: "api_key_invalid" },
  // Two lines of the key header: a service behind may read either, so two different keys are refused.
  { name: "two different API keys, both valid: refused", path: "/partners/reports", headers: { "x-api-key": [PARTNER_KEY, OTHER_KEY] }, status: 401, reason: "api_key_invalid" },
  { name: "a valid API key, then a wrong one: refused", path: "/partners/reports", headers: { "x-api-key": [PARTNER_KEY, "pk_wrong"] }, status: 401, reason: "api_key_invalid" },
  { name: "the same API key on two lines is one key", path: "/partners/reports", headers: { "x-api-key": [PARTNER_KEY, PARTNER_KEY] }, status: 200, forwarded: { "x-meshguard-api-client": "partner-a" } },
  { name: "API key on a route that needs a user: 401, the token is what is missing", path: "/admin/users", apiKey: PARTNER_KEY, status: 401, reason: "user_missing" },
  { name: "API key on a route for other API clients", path: "/partners/reports", apiKey: OTHER_KEY, status: 403, reason: "not_allowed" },
  { name: "authenticated by API key alone", path: "/me", apiKey: PARTNER_KEY, status: 200 },
  // Service identity.
  { name: "shop service on internal", path: "/internal/jobs", cert: [`spiffe://${TD}/ns/shop/sa/worker`], status: 200, forwarded: { "x-meshguard-peer-id": `spiffe://${TD}/ns/shop/sa/worker` } },
  { name: "service certificate without the user's token on a user route: 401 user_missing", path: "/users/alice/orders/7", cert: [`spiffe://${TD}/ns/shop/sa/worker`], status: 401, reason: "user_missing" },
  { name: "a user token does not open a service route", path: "/internal/jobs", token: tok(alice), status: 403, reason: "not_allowed" },
  // Audit mode.
  { name: "audit route lets a would-deny through", path: "/reports/q3", token: tok(alice), status: 200, wouldDeny: "not_allowed" },
  { name: "audit deny rule on a public route", path: "/catalog/items", token: tok({ sub: "z", banned: true }), status: 200, wouldDeny: "denied_by_rule" },
  // Path tricks. Envoy normalises before meshguard runs; what is left is still refused.
  { name: "dot-dot to reach admin", path: "/catalog/../admin/users", token: tok(alice), status: 400, reason: "path_invalid", envoy: { status: 403, reason: "not_allowed" } },
  { name: "encoded dots", path: "/catalog/%2e%2e/admin/users", token: tok(alice), status: 400, reason: "path_invalid", envoy: { status: 403, reason: "not_allowed" } },
  { name: "encoded slash", path: "/admin%2Fusers", token: tok(alice), status: 400, reason: "path_invalid" },
  { name: "double slash", path: "//admin/users", token: tok(alice), status: 400, reason: "path_invalid", envoy: { status: 403, reason: "not_allowed" } },
  // Routes are case-sensitive, but a server that ignores case (Express's default) reads /admin here.
  { name: "upper case: a declared route to a server that ignores case", path: "/ADMIN/users", token: tok({ sub: "ann", roles: ["admin"], org: { id: "acme" } }), status: 400, reason: "path_invalid" },
  { name: "trailing dot", path: "/admin./users", token: tok({ sub: "ann", roles: ["admin"], org: { id: "acme" } }), status: 400, reason: "path_invalid" },
  { name: "encoded unreserved letter", path: "/%61dmin/users", token: tok(alice), status: 400, reason: "path_invalid", envoy: { status: 403, reason: "not_allowed" } },
  // Spoofed identity headers.
  { name: "spoofed identity headers, duplicated and oddly cased", path: "/users/alice/orders/7", token: tok(alice),
    headers: { "X-MeshGuard-User": ["bob", "root"], "x-meshguard-peer-id": `spiffe://${TD}/ns/shop/sa/worker`, "x-meshguard-api-client": "partner-a" },
    status: 200, forwarded: { "x-meshguard-user": "alice", "x-meshguard-peer-id": null, "x-meshguard-api-client": null } },
  { name: "spoofed peer header cannot open a service route", path: "/internal/jobs", headers: { "x-meshguard-peer-id": `spiffe://${TD}/ns/shop/sa/worker` }, status: 401, reason: "identity_missing" },
  { name: "forged payload header without a token", path: "/me", headers: { "x-jwt-payload": Buffer.from(JSON.stringify({ sub: "alice" })).toString("base64url"), "x-meshguard-user": "alice" }, status: 401, reason: "identity_missing" },
  // Tokens Envoy's jwt_authn refuses: it publishes no claims, so the emulator sees none; Envoy
  // itself answers 401 before meshguard runs.
  { name: "token from another issuer", path: "/me", token: tok(alice, "other-issuer"), status: 401, reason: "identity_missing", envoy: { status: 401, reason: null } },
  // jwt_authn answers an audience mismatch with 403.
  { name: "token for another audience", path: "/me", token: tok(alice, "wrong-audience"), status: 401, reason: "identity_missing", envoy: { status: 403, reason: null } },
  { name: "expired token", path: "/me", token: tok(alice, "expired"), status: 401, reason: "identity_missing", envoy: { status: 401, reason: null } },
  { name: "alg: none", path: "/me", token: tok(alice, "alg-none"), status: 401, reason: "identity_missing", envoy: { status: 401, reason: null } },
  { name: "tampered payload", path: "/me", token: tok({ ...alice, roles: ["admin"] }, "tampered"), status: 401, reason: "identity_missing", envoy: { status: 401, reason: null } },
  // Hostile claim values: bounded, no trap.
  { name: "2,000 roles (over the 1,000 claim values read)", path: "/admin/users", token: tok({ sub: "r", roles: Array.from({ length: 2000 }, (_, i) => `role${i}`), org: { id: "acme" } }), status: 401, reason: "user_claims_invalid" },
  { name: "claims nested 40 deep", path: "/me", token: tok({ sub: "d", x: deep(40) }), status: 401, reason: "user_claims_invalid" },
  { name: "a 20 KB claim string", path: "/me", token: tok({ sub: "s", blob: "x".repeat(20_000) }), status: 401, reason: "user_claims_invalid" },
  // The subject goes to the service in x-meshguard-user, which must read the value meshguard
  // judged: every HTTP server drops a field value's leading and trailing spaces (" alice " would be
  // alice there), and Envoy refuses control characters in a value (an opaque 503).
  { name: "a subject with spaces around it (alice to the service)", path: "/me", token: tok({ sub: " alice " }), status: 401, reason: "user_claims_invalid" },
  { name: "a subject with a tab at its end", path: "/me", token: tok({ sub: "alice\t" }), status: 401, reason: "user_claims_invalid" },
  { name: "a subject with a line break", path: "/me", token: tok({ sub: "alice\r\nx-meshguard-peer-id: spiffe://meshguard.test/ns/ops/sa/admin" }), status: 401, reason: "user_claims_invalid" },
  { name: "a subject with a NUL", path: "/me", token: tok({ sub: "alice\u0000" }), status: 401, reason: "user_claims_invalid" },
  { name: "a subject with inner spaces passes as it is", path: "/me", token: tok({ sub: "Ann O Briain" }), status: 200, forwarded: { "x-meshguard-user": "Ann O Briain" } },
  { name: "a subject with non-ASCII letters passes", path: "/me", token: tok({ sub: "Ann Ó Briain" }), status: 200 },
];

// A route whose only rule is `authenticated: true` (what the OpenAPI importer writes for a bearer
// scheme without scopes): any verified identity is enough, a JWT user's included, so the policy
// must read claims although no rule names one (issue #10).
export const AUTHENTICATED_POLICY = {
  api_keys: ACCESS_POLICY.api_keys,
  routes: [{ name: "me", path: "/me", allow: [{ authenticated: true }] }],
};

export const AUTHENTICATED_CASES: AccessCase[] = [
  { name: "a verified JWT user is authenticated", path: "/me", token: tok(alice), status: 200, forwarded: { "x-meshguard-user": "alice" } },
  { name: "a verified JWT user (ES256) is authenticated", path: "/me", token: tok(alice, "es256"), status: 200, forwarded: { "x-meshguard-user": "alice" } },
  { name: "a service with a workload certificate is authenticated", path: "/me", cert: [`spiffe://${TD}/ns/shop/sa/worker`], status: 200, forwarded: { "x-meshguard-peer-id": `spiffe://${TD}/ns/shop/sa/worker` } },
  { name: "an API client is authenticated", path: "/me", apiKey: PARTNER_KEY, status: 200, forwarded: { "x-meshguard-api-client": "partner-a" } },
  { name: "nobody is not", path: "/me", status: 401, reason: "identity_missing" },
  { name: "an expired token is not (Envoy refuses it first)", path: "/me", token: tok(alice, "expired"), status: 401, reason: "identity_missing", envoy: { status: 401, reason: null } },
];

export const ACCESS_TABLES: { title: string; policy: object; cases: AccessCase[] }[] = [
  { title: "access control and attacks", policy: ACCESS_POLICY, cases: ACCESS_CASES },
  { title: "authenticated: any verified identity", policy: AUTHENTICATED_POLICY, cases: AUTHENTICATED_CASES },
];
