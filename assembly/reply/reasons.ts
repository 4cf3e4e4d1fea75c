// Every reason meshguard refuses a request for: its code, the status of the local reply, and a
// short message for the reply body. Defined once, here. The codes appear in reply bodies, in
// Envoy's response-code details ("meshguard_<code>", so its access log), in log events and in
// counter names; changing one is a breaking change for anyone alerting on it.
//
// This file is both AssemblyScript and TypeScript (only strings, i32 and plain classes): the
// filter compiles it, and the tooling (docs, tests, fuzzer, dashboard) imports it as it is, so
// the two can never disagree. docs/operations.md is generated from it (scripts/docs.ts).

export class Reason {
  constructor(
    public readonly code: string,
    public readonly status: i32,
    public readonly message: string,   // never policy internals
    public readonly index: i32,        // position in REASONS (counters are kept per reason)
    public readonly when: string,      // for the docs: when meshguard gives it
    public readonly group: string,     // what kind of refusal (GROUP_*): detectors count by group
  ) {}
}

// Reason groups. A refusal-burst detector counts the groups it names (docs/monitoring.md).
export const GROUP_AUTHENTICATION = "authentication";   // no identity where one is needed
export const GROUP_CREDENTIALS = "credentials";         // an identity presented and broken: a guess
export const GROUP_AUTHORIZATION = "authorization";     // an identity the rules do not admit
export const GROUP_UNDECLARED = "undeclared";           // a route or method no policy declares
export const GROUP_VALIDATION = "validation";           // a request of the wrong form
export const GROUP_RATE = "rate";                       // rate limits and quarantine
export const GROUP_HOST = "host";                       // Envoy failed: nobody's fault
export const GROUPS: string[] = [GROUP_AUTHENTICATION, GROUP_CREDENTIALS, GROUP_AUTHORIZATION, GROUP_UNDECLARED, GROUP_VALIDATION, GROUP_RATE, GROUP_HOST];

export const REASONS: Reason[] = [];

function reason(code: string, status: i32, message: string, when: string, group: string): Reason {
  const r = new Reason(code, status, message, REASONS.length, when, group);
  REASONS.push(r);
  return r;
}

// --- the caller (identity) ---
export const IDENTITY_MISSING = reason("identity_missing", 401, "this route needs an authenticated caller",
  "no identity at all (no verified peer, token or API key) on a route that is not public", GROUP_AUTHENTICATION);
export const PEER_IDENTITY_INVALID = reason("peer_identity_invalid", 401, "the client certificate does not carry a valid SPIFFE ID",
  "the peer certificate's first URI SAN is not a SPIFFE ID", GROUP_CREDENTIALS);
export const PEER_IDENTITY_UNAVAILABLE = reason("peer_identity_unavailable", 503, "the calling service's identity could not be read",
  "Envoy failed to report the peer certificate (fail closed)", GROUP_HOST);
export const PEER_IDENTITY_UNTRUSTED = reason("peer_identity_untrusted", 401, "the calling service's trust domain is not trusted here",
  "a SPIFFE ID from a trust domain not in trust_domains", GROUP_CREDENTIALS);
export const PEER_IDENTITY_MISSING = reason("peer_identity_missing", 401, "this service accepts only callers with a workload certificate",
  "require_peer is set and the connection has no verified peer certificate", GROUP_AUTHENTICATION);
export const USER_MISSING = reason("user_missing", 401, "this route needs the end user's token",
  "a caller without a token, on a route whose allow rules need user claims (WWW-Authenticate: Bearer)", GROUP_AUTHENTICATION);
export const USER_CLAIMS_INVALID = reason("user_claims_invalid", 401, "the verified token's claims could not be read",
  "jwt_authn's published payload could not be decoded within the claim limits, or its subject would not reach the service as it is (spaces at either end, control characters)", GROUP_CREDENTIALS);
export const USER_CLAIMS_UNAVAILABLE = reason("user_claims_unavailable", 503, "the verified token's claims are unavailable",
  "Envoy failed to report the dynamic metadata (fail closed)", GROUP_HOST);
export const API_KEY_INVALID = reason("api_key_invalid", 401, "the API key is not valid",
  "an API key header whose key matches no configured digest, or two lines of it with different keys", GROUP_CREDENTIALS);

// --- authorization ---
export const NOT_ALLOWED = reason("not_allowed", 403, "the caller is not allowed on this route",
  "an identified caller that no allow rule admits", GROUP_AUTHORIZATION);
export const DENIED_BY_RULE = reason("denied_by_rule", 403, "the caller is denied on this route",
  "a deny rule matched", GROUP_AUTHORIZATION);
export const ROUTE_NOT_DECLARED = reason("route_not_declared", 404, "no policy declares this route",
  "no route matches the path (a shadow API), with unmatched_routes: deny", GROUP_UNDECLARED);
export const METHOD_NOT_DECLARED = reason("method_not_declared", 405, "no policy declares this method on this route",
  "a route matches the path but not the method", GROUP_UNDECLARED);

// --- the request's form ---
export const PATH_INVALID = reason("path_invalid", 400, "the request path is ambiguous or malformed",
  "the path could be read two ways (dot segments, encoded slashes, double encoding, a path that is another route's read without case or ';' path parameters, ...)", GROUP_VALIDATION);
export const HEADERS_TOO_LARGE = reason("headers_too_large", 431, "the request's headers are too large",
  "more headers, or larger ones, than request_limits allows", GROUP_VALIDATION);
export const HEADER_INVALID = reason("header_invalid", 400, "a request header is malformed",
  "control characters, conflicting content-length, content-length with transfer-encoding, a header named as one meshguard reads but with '_' (or another character) for '-' (one header to PHP, Rack and WSGI servers), a forwarding header naming a host whose route differs, a header a rate limit is keyed by given twice, a content-type given twice, naming several media types or with a space in its media type", GROUP_VALIDATION);
export const PATH_PARAM_INVALID = reason("path_param_invalid", 400, "a path parameter does not have the declared type",
  "a {param} that is not of its param_types type", GROUP_VALIDATION);
export const QUERY_INVALID = reason("query_invalid", 400, "the query string does not match what this route accepts",
  "an undeclared, repeated, mistyped, too long or double-encoded query parameter, or a path or declared query parameter's name where frameworks read it too (the query; a form field, JSON member or plain multipart field whose value is not the path's or fails the query parameter's rule, any other multipart part; a cookie whose value fails it)", GROUP_VALIDATION);
export const HEADER_MISSING = reason("header_missing", 400, "a header this route requires is missing",
  "a required_headers header is absent", GROUP_VALIDATION);
export const HEADER_FORBIDDEN = reason("header_forbidden", 400, "a header this route forbids is present",
  "a forbidden_headers header is present", GROUP_VALIDATION);
export const HEADER_VALUE_INVALID = reason("header_value_invalid", 400, "a header's value does not match what this route accepts",
  "a header_patterns header whose value does not match", GROUP_VALIDATION);
export const METHOD_OVERRIDE = reason("method_override", 400, "the request asks to be run as another method",
  "a _method parameter in the query, or in a POST body's form fields, multipart part headers or top-level JSON members (method_override: strip)", GROUP_VALIDATION);

// --- the body ---
export const BODY_TOO_LARGE = reason("body_too_large", 413, "the request body is too large for this route",
  "content-length, or the body as it arrives, over max_body_bytes", GROUP_VALIDATION);
export const CONTENT_TYPE_NOT_ALLOWED = reason("content_type_not_allowed", 415, "this route does not accept the request's content type",
  "a body whose media type is not in the route's content_types (without them, on a route with a body_schema: not a JSON type)", GROUP_VALIDATION);
export const CONTENT_ENCODING_NOT_ALLOWED = reason("content_encoding_not_allowed", 415, "this route reads request bodies and does not accept an encoded one",
  "a content-encoding other than identity, or a charset that does not keep ASCII as ASCII (UTF-16, UTF-32, ...), on a body meshguard reads (a body_schema, or a POST scanned for _method): it would read other bytes than the service decodes", GROUP_VALIDATION);
export const BODY_INVALID_JSON = reason("body_invalid_json", 400, "the request body is not valid JSON",
  "a body that is not strict JSON (RFC 8259), or no body where a schema needs one", GROUP_VALIDATION);
export const BODY_SCHEMA_VIOLATION = reason("body_schema_violation", 400, "the request body does not match this route's schema",
  "the body fails body_schema; the reply names the pointer and the keyword", GROUP_VALIDATION);
export const BODY_LIMIT_EXCEEDED = reason("body_limit_exceeded", 413, "the request body exceeds a limit of this service; the reply names it",
  "the body passes a JSON limit (json_max_*) or needs more schema work than allowed; the reply names the limit", GROUP_VALIDATION);

// --- rate limits ---
export const RATE_LIMITED = reason("rate_limited", 429, "too many requests; retry after the time in Retry-After",
  "a limit's bucket is empty (Retry-After, RateLimit-Policy and RateLimit headers)", GROUP_RATE);
export const RATE_LIMIT_UNAVAILABLE = reason("rate_limit_unavailable", 503, "the rate limit could not be checked",
  "Envoy's shared data failed while taking a token (no token is granted on a failure)", GROUP_HOST);

export const QUARANTINED = reason("quarantined", 429, "this caller is quarantined for unusual behaviour; retry after the time in Retry-After",
  "a detector quarantined the caller's identity (docs/monitoring.md); Retry-After says when it ends", GROUP_RATE);

// --- the host ---
export const POLICY_UNAVAILABLE = reason("policy_unavailable", 503, "no valid policy is loaded",
  "a request arrived before any policy was accepted", GROUP_HOST);
export const REQUEST_UNAVAILABLE = reason("request_unavailable", 503, "the request's headers could not be read",
  "Envoy failed to hand over, change or hold the request (fail closed)", GROUP_HOST);

// The prefix of Envoy's response-code details for meshguard's local replies ("meshguard_<code>").
export const DETAILS_PREFIX = "meshguard_";
