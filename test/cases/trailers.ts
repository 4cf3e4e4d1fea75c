// The trailer table: request trailers named as headers meshguard removes or reads (removed from
// the trailers), and ordinary ones (passed on). Servers that merge trailers into the request's
// headers (Tomcat, for those in allowedTrailerHeaders) would otherwise find a spoofed identity
// there, or another value of a header meshguard judged (validate/trailers.ts). Every request is
// forwarded. One table
// drives the emulator (src-host-tests/trailers.test.ts) and the real Envoy (test/trailers.e2e.test.ts).
export const TRAILER_POLICY = {
  routes: [
    // A body meshguard holds until its end (the schema), and one it lets stream.
    { name: "orders", path: "/orders", methods: ["POST"], public: true, content_types: ["application/json"], body_schema: { type: "object", properties: { sku: { type: "string" } } } },
    { name: "tenant", path: "/tenant", methods: ["POST"], public: true, header_patterns: { "x-tenant": "^[a-z]+$" } },
    { name: "any", path: "/**", public: true },
  ],
  strip_headers: ["x-real-ip"],
};

export interface TrailerCase {
  name: string;
  trailers: Record<string, string>;
  removed: string[];         // trailers that must not reach the service
  kept: string[];            // trailers that must reach the service as sent
}

export const TRAILER_PATHS = ["/orders", "/tenant"] as const;
export const TRAILER_BODY = '{"sku":"a-1"}';

// Each case also sends an ordinary trailer, which must reach the service: the removal takes only
// what it names, and the service really gets trailers in that framing.
const ORDINARY = { "x-checksum": "abc" };
const row = (name: string, screened: Record<string, string>): TrailerCase =>
  ({ name, trailers: { ...screened, ...ORDINARY }, removed: Object.keys(screened), kept: Object.keys(ORDINARY) });

export const TRAILER_CASES: TrailerCase[] = [
  row("an ordinary trailer passes", {}),
  row("meshguard's peer identity header", { "x-meshguard-peer-id": "spiffe://cluster.local/ns/prod/sa/admin" }),
  row("its '_' spelling", { x_meshguard_user: "root" }),
  row("a strip_headers entry", { "x-real-ip": "10.0.0.1" }),
  row("x-forwarded-for (Envoy's in the headers) and a twin of x-forwarded-proto", { "x-forwarded-for": "10.0.0.1", x_forwarded_proto: "https" }),
  row("a method override", { "x-http-method-override": "DELETE" }),
  row("content-type (read for the body)", { "content-type": "text/plain" }),
  row("a route's header rule name", { "x-tenant": "../admin" }),
  row("its '_' spelling (read)", { x_tenant: "../admin" }),
  row("authorization", { authorization: "Bearer forged" }),
  row("cookie", { cookie: "session=forged" }),
];
