// Reason codes: stable, machine-readable, defined once. They appear in reply bodies, in Envoy's
// response-code details (and so its access log), in log lines and in counter names. Changing one
// is a breaking change for anyone alerting on it.

export const REASON_IDENTITY_MISSING = "identity_missing";
export const REASON_PEER_IDENTITY_INVALID = "peer_identity_invalid";
export const REASON_PEER_IDENTITY_UNAVAILABLE = "peer_identity_unavailable";
export const REASON_PEER_IDENTITY_UNTRUSTED = "peer_identity_untrusted";
export const REASON_PEER_IDENTITY_MISSING = "peer_identity_missing";
export const REASON_USER_MISSING = "user_missing";
export const REASON_USER_CLAIMS_INVALID = "user_claims_invalid";
export const REASON_USER_CLAIMS_UNAVAILABLE = "user_claims_unavailable";
export const REASON_API_KEY_INVALID = "api_key_invalid";
export const REASON_NOT_ALLOWED = "not_allowed";
export const REASON_DENIED_BY_RULE = "denied_by_rule";
export const REASON_ROUTE_NOT_DECLARED = "route_not_declared";
export const REASON_METHOD_NOT_DECLARED = "method_not_declared";
export const REASON_PATH_INVALID = "path_invalid";
export const REASON_RATE_LIMITED = "rate_limited";
export const REASON_RATE_LIMIT_UNAVAILABLE = "rate_limit_unavailable";
export const REASON_HEADERS_TOO_LARGE = "headers_too_large";
export const REASON_HEADER_INVALID = "header_invalid";
export const REASON_BODY_TOO_LARGE = "body_too_large";
export const REASON_CONTENT_TYPE = "content_type_not_allowed";
export const REASON_BODY_INVALID_JSON = "body_invalid_json";
export const REASON_BODY_SCHEMA = "body_schema_violation";
export const REASON_BODY_LIMIT = "body_limit_exceeded";
export { REASON_PATH_PARAM_INVALID, REASON_QUERY_INVALID, REASON_HEADER_MISSING, REASON_HEADER_FORBIDDEN, REASON_HEADER_INVALID_VALUE } from "../validate/shape";
import { REASON_PATH_PARAM_INVALID, REASON_QUERY_INVALID, REASON_HEADER_MISSING, REASON_HEADER_FORBIDDEN, REASON_HEADER_INVALID_VALUE } from "../validate/shape";
export const REASON_POLICY_UNAVAILABLE = "policy_unavailable";
export const REASON_REQUEST_UNAVAILABLE = "request_unavailable";

// Every reason, for defining counters at configure time (never per request).
export const ALL_REASONS: string[] = [
  REASON_IDENTITY_MISSING,
  REASON_PEER_IDENTITY_INVALID,
  REASON_PEER_IDENTITY_UNAVAILABLE,
  REASON_PEER_IDENTITY_UNTRUSTED,
  REASON_PEER_IDENTITY_MISSING,
  REASON_USER_MISSING,
  REASON_USER_CLAIMS_INVALID,
  REASON_USER_CLAIMS_UNAVAILABLE,
  REASON_API_KEY_INVALID,
  REASON_NOT_ALLOWED,
  REASON_DENIED_BY_RULE,
  REASON_ROUTE_NOT_DECLARED,
  REASON_METHOD_NOT_DECLARED,
  REASON_PATH_INVALID,
  REASON_RATE_LIMITED,
  REASON_RATE_LIMIT_UNAVAILABLE,
  REASON_HEADERS_TOO_LARGE,
  REASON_HEADER_INVALID,
  REASON_BODY_TOO_LARGE,
  REASON_CONTENT_TYPE,
  REASON_BODY_INVALID_JSON,
  REASON_BODY_SCHEMA,
  REASON_BODY_LIMIT,
  REASON_PATH_PARAM_INVALID,
  REASON_QUERY_INVALID,
  REASON_HEADER_MISSING,
  REASON_HEADER_FORBIDDEN,
  REASON_HEADER_INVALID_VALUE,
  REASON_POLICY_UNAVAILABLE,
  REASON_REQUEST_UNAVAILABLE,
];

// Short human text per reason; never policy internals.
export function reasonMessage(reason: string): string {
  if (reason == REASON_IDENTITY_MISSING) return "this route needs an authenticated caller";
  if (reason == REASON_PEER_IDENTITY_INVALID) return "the client certificate does not carry a valid SPIFFE ID";
  if (reason == REASON_PEER_IDENTITY_UNAVAILABLE) return "the calling service's identity could not be read";
  if (reason == REASON_PEER_IDENTITY_UNTRUSTED) return "the calling service's trust domain is not trusted here";
  if (reason == REASON_PEER_IDENTITY_MISSING) return "this service accepts only callers with a workload certificate";
  if (reason == REASON_USER_MISSING) return "this route needs the end user's token";
  if (reason == REASON_USER_CLAIMS_INVALID) return "the verified token's claims could not be read";
  if (reason == REASON_USER_CLAIMS_UNAVAILABLE) return "the verified token's claims are unavailable";
  if (reason == REASON_API_KEY_INVALID) return "the API key is not valid";
  if (reason == REASON_NOT_ALLOWED) return "the caller is not allowed on this route";
  if (reason == REASON_DENIED_BY_RULE) return "the caller is denied on this route";
  if (reason == REASON_ROUTE_NOT_DECLARED) return "no policy declares this route";
  if (reason == REASON_METHOD_NOT_DECLARED) return "no policy declares this method on this route";
  if (reason == REASON_PATH_INVALID) return "the request path is ambiguous or malformed";
  if (reason == REASON_POLICY_UNAVAILABLE) return "no valid policy is loaded";
  if (reason == REASON_REQUEST_UNAVAILABLE) return "the request's headers could not be read";
  if (reason == REASON_HEADERS_TOO_LARGE) return "the request's headers are too large";
  if (reason == REASON_HEADER_INVALID) return "a request header is malformed";
  if (reason == REASON_BODY_TOO_LARGE) return "the request body is too large for this route";
  if (reason == REASON_CONTENT_TYPE) return "this route does not accept the request's content type";
  if (reason == REASON_PATH_PARAM_INVALID) return "a path parameter does not have the declared type";
  if (reason == REASON_QUERY_INVALID) return "the query string does not match what this route accepts";
  if (reason == REASON_HEADER_MISSING) return "a header this route requires is missing";
  if (reason == REASON_HEADER_FORBIDDEN) return "a header this route forbids is present";
  if (reason == REASON_HEADER_INVALID_VALUE) return "a header's value does not match what this route accepts";
  if (reason == REASON_BODY_INVALID_JSON) return "the request body is not valid JSON";
  if (reason == REASON_BODY_LIMIT) return "the request body exceeds a limit of this service; the reply names it";
  if (reason == REASON_BODY_SCHEMA) return "the request body does not match this route's schema";
  if (reason == REASON_RATE_LIMIT_UNAVAILABLE) return "the rate limit could not be checked";
  if (reason == REASON_RATE_LIMITED) return "too many requests; retry after the time in Retry-After";
  return "request refused";
}

// The prefix of Envoy's response-code details for our local replies ("meshguard_<reason>").
export const DETAILS_PREFIX = "meshguard_";
