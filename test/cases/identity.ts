// The identity table: one list of cases that drives both the emulator (src-host-tests) and the
// real Envoy (test/). Each case is a client certificate's URI SANs, a request, and the outcome.
export const TRUST_DOMAIN = "meshguard.test";
const td = (path: string) => `spiffe://${TRUST_DOMAIN}/${path}`;

export const IDENTITY_POLICY = {
  routes: [
    { path: "/api/**", allow: [{ peers: [td("ns/shop/sa/*"), "spiffe://partner.example/ns/billing/sa/invoicer"] }] },
    { path: "/api/admin/**", allow: [{ peers: [td("ns/ops/sa/admin")] }] },
    { path: "/internal/**", allow: [{ peers: [td("**")] }] },
    { path: "/healthz", public: true },
  ],
};

export interface IdentityCase {
  name: string;
  certUris: string[] | null;          // URI SANs of the client certificate; null: no certificate
  path: string;
  headers?: Record<string, string | string[]>;
  status: number;                     // 200 when forwarded
  reason?: string;
  forwardedPeer?: string | null;      // the x-meshguard-peer-id the upstream sees (null: none)
  removed?: string[];                 // headers sent that the upstream must not see
}

const SPOOF = { "x-meshguard-peer-id": td("ns/ops/sa/admin"), "x-forwarded-client-cert": "By=spiffe://x;URI=spiffe://evil" };
// The same headers, each on two lines: every line must go, not only the first.
// The same headers spelt with '_', which PHP, Rack and WSGI servers read as the headers themselves.
// (Older Apache read '.' so too.)
const SPOOF_UNDERSCORE = { x_meshguard_peer_id: td("ns/ops/sa/admin"), "x-meshguard_user": "root", x_forwarded_client_cert: "By=spiffe://x;URI=spiffe://evil", "x.meshguard.api-client": "partner-a", x_forwarded_for: "10.0.0.1" };
const SPOOF_TWICE = { "x-meshguard-peer-id": [td("ns/ops/sa/admin"), td("ns/ops/sa/root")], "x-forwarded-client-cert": ["By=spiffe://x;URI=spiffe://evil", "URI=spiffe://evil2"] };

export const IDENTITY_CASES: IdentityCase[] = [
  { name: "allowed service account", certUris: [td("ns/shop/sa/web")], path: "/api/orders", status: 200, forwardedPeer: td("ns/shop/sa/web") },
  { name: "namespace wildcard admits another account", certUris: [td("ns/shop/sa/cart")], path: "/api/orders/7", status: 200, forwardedPeer: td("ns/shop/sa/cart") },
  { name: "exact identity from another trust domain", certUris: ["spiffe://partner.example/ns/billing/sa/invoicer"], path: "/api/invoices", status: 200, forwardedPeer: "spiffe://partner.example/ns/billing/sa/invoicer" },
  { name: "other namespace refused", certUris: [td("ns/dev/sa/web")], path: "/api/orders", status: 403, reason: "not_allowed" },
  { name: "same names in another trust domain refused", certUris: ["spiffe://evil.example/ns/shop/sa/web"], path: "/api/orders", status: 403, reason: "not_allowed" },
  { name: "the most specific route decides: admin refuses shop", certUris: [td("ns/shop/sa/web")], path: "/api/admin/users", status: 403, reason: "not_allowed" },
  { name: "the most specific route decides: admin admits admin", certUris: [td("ns/ops/sa/admin")], path: "/api/admin/users", status: 200, forwardedPeer: td("ns/ops/sa/admin") },
  { name: "templates are segment-aware (/apix is not /api/**)", certUris: [td("ns/shop/sa/web")], path: "/apix", status: 404, reason: "route_not_declared" },
  { name: "trailing ** admits any workload of the domain", certUris: [td("anything/at/all")], path: "/internal/x", status: 200, forwardedPeer: td("anything/at/all") },
  { name: "trailing ** needs a path", certUris: [`spiffe://${TRUST_DOMAIN}`], path: "/internal/x", status: 403, reason: "not_allowed" },
  { name: "no client certificate", certUris: null, path: "/api/orders", status: 401, reason: "identity_missing" },
  { name: "certificate without a URI SAN", certUris: [], path: "/api/orders", status: 401, reason: "identity_missing" },
  { name: "URI SAN that is not SPIFFE", certUris: ["https://shop.example/web"], path: "/api/orders", status: 401, reason: "peer_identity_invalid" },
  { name: "only the first URI SAN counts", certUris: ["https://shop.example/web", td("ns/shop/sa/web")], path: "/api/orders", status: 401, reason: "peer_identity_invalid" },
  { name: "uppercase trust domain is not a SPIFFE ID", certUris: ["spiffe://MeshGuard.test/ns/shop/sa/web"], path: "/api/orders", status: 401, reason: "peer_identity_invalid" },
  { name: "dot segment in a SPIFFE ID", certUris: [td("ns/shop/sa/..")], path: "/api/orders", status: 401, reason: "peer_identity_invalid" },
  { name: "spoofed identity headers are replaced", certUris: [td("ns/shop/sa/web")], path: "/api/orders", headers: SPOOF, status: 200, forwardedPeer: td("ns/shop/sa/web") },
  { name: "spoofed identity headers cannot open the admin route", certUris: [td("ns/shop/sa/web")], path: "/api/admin/users", headers: SPOOF, status: 403, reason: "not_allowed" },
  { name: "spoofed headers without a certificate are removed", certUris: null, path: "/healthz", headers: SPOOF, status: 200, forwardedPeer: null },
  { name: "spoofed identity headers on two lines are replaced, every line", certUris: [td("ns/shop/sa/web")], path: "/api/orders", headers: SPOOF_TWICE, status: 200, forwardedPeer: td("ns/shop/sa/web") },
  { name: "spoofed identity headers spelt with '_' are removed", certUris: [td("ns/shop/sa/web")], path: "/api/orders", headers: SPOOF_UNDERSCORE, status: 200, forwardedPeer: td("ns/shop/sa/web"), removed: Object.keys(SPOOF_UNDERSCORE) },
  { name: "spoofed headers spelt with '_' without a certificate are removed", certUris: null, path: "/healthz", headers: SPOOF_UNDERSCORE, status: 200, forwardedPeer: null, removed: Object.keys(SPOOF_UNDERSCORE) },
  { name: "spoofed headers on two lines without a certificate are removed, every line", certUris: null, path: "/healthz", headers: SPOOF_TWICE, status: 200, forwardedPeer: null },
  { name: "public route needs no certificate", certUris: null, path: "/healthz", status: 200, forwardedPeer: null },
  { name: "undeclared route refused", certUris: [td("ns/shop/sa/web")], path: "/metrics", status: 404, reason: "route_not_declared" },
  { name: "encoded slash refused", certUris: [td("ns/shop/sa/web")], path: "/api%2Fadmin/users", status: 400, reason: "path_invalid" },
];

// Trust domains and a required peer (policy settings). The same table runs in the emulator and
// through a real Envoy (test/identity.e2e.test.ts).
export const TRUST_POLICY = { ...IDENTITY_POLICY, trust_domains: [TRUST_DOMAIN, "partner.example"], require_peer: true };

export const TRUST_CASES: IdentityCase[] = [
  { name: "own trust domain", certUris: [td("ns/shop/sa/web")], path: "/api/orders", status: 200, forwardedPeer: td("ns/shop/sa/web") },
  { name: "listed partner trust domain", certUris: ["spiffe://partner.example/ns/billing/sa/invoicer"], path: "/api/invoices", status: 200, forwardedPeer: "spiffe://partner.example/ns/billing/sa/invoicer" },
  { name: "foreign trust domain on a guarded route", certUris: ["spiffe://evil.example/ns/shop/sa/web"], path: "/api/orders", status: 401, reason: "peer_identity_untrusted" },
  { name: "foreign trust domain on a public route (require_peer)", certUris: ["spiffe://evil.example/ns/shop/sa/web"], path: "/healthz", status: 401, reason: "peer_identity_untrusted" },
  { name: "foreign trust domain with spoofed identity headers", certUris: ["spiffe://evil.example/ns/ops/sa/admin"], path: "/internal/x", headers: SPOOF, status: 401, reason: "peer_identity_untrusted" },
  { name: "no certificate on a public route (require_peer)", certUris: null, path: "/healthz", status: 401, reason: "peer_identity_missing" },
  { name: "no certificate on an undeclared route: refused before the route lookup", certUris: null, path: "/metrics", status: 401, reason: "peer_identity_missing" },
  { name: "certificate without a SPIFFE ID (require_peer)", certUris: ["https://shop.example/web"], path: "/healthz", status: 401, reason: "peer_identity_invalid" },
];

// Without require_peer, an untrusted peer may use a public route but is never forwarded as one.
export const TRUST_ONLY_POLICY = { ...IDENTITY_POLICY, trust_domains: [TRUST_DOMAIN, "partner.example"] };
export const TRUST_ONLY_CASES: IdentityCase[] = [
  { name: "foreign trust domain on a public route: passes, no identity forwarded", certUris: ["spiffe://evil.example/ns/shop/sa/web"], path: "/healthz", headers: SPOOF, status: 200, forwardedPeer: null },
  { name: "foreign trust domain on a guarded route", certUris: ["spiffe://evil.example/ns/shop/sa/web"], path: "/api/orders", status: 401, reason: "peer_identity_untrusted" },
  { name: "no certificate on a public route", certUris: null, path: "/healthz", status: 200, forwardedPeer: null },
];
