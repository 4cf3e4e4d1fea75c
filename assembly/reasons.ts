// Reason codes: stable, machine-readable, defined once. They appear in reply bodies, in Envoy's
// response-code details (and so its access log), in log lines and in counter names. Changing one
// is a breaking change for anyone alerting on it.

export const REASON_PEER_IDENTITY_MISSING = "peer_identity_missing";
export const REASON_PEER_IDENTITY_INVALID = "peer_identity_invalid";
export const REASON_PEER_IDENTITY_UNAVAILABLE = "peer_identity_unavailable";
export const REASON_PEER_NOT_ALLOWED = "peer_not_allowed";
export const REASON_ROUTE_NOT_DECLARED = "route_not_declared";
export const REASON_PATH_INVALID = "path_invalid";
export const REASON_POLICY_UNAVAILABLE = "policy_unavailable";

// Every reason, for defining counters at configure time (never per request).
export const ALL_REASONS: string[] = [
  REASON_PEER_IDENTITY_MISSING,
  REASON_PEER_IDENTITY_INVALID,
  REASON_PEER_IDENTITY_UNAVAILABLE,
  REASON_PEER_NOT_ALLOWED,
  REASON_ROUTE_NOT_DECLARED,
  REASON_PATH_INVALID,
  REASON_POLICY_UNAVAILABLE,
];

// Short human text per reason; never policy internals.
export function reasonMessage(reason: string): string {
  if (reason == REASON_PEER_IDENTITY_MISSING) return "a client certificate with a SPIFFE ID is required";
  if (reason == REASON_PEER_IDENTITY_INVALID) return "the client certificate does not carry a valid SPIFFE ID";
  if (reason == REASON_PEER_IDENTITY_UNAVAILABLE) return "the caller's identity could not be read";
  if (reason == REASON_PEER_NOT_ALLOWED) return "the calling service is not allowed on this route";
  if (reason == REASON_ROUTE_NOT_DECLARED) return "no policy declares this route";
  if (reason == REASON_PATH_INVALID) return "the request path is ambiguous or malformed";
  if (reason == REASON_POLICY_UNAVAILABLE) return "no valid policy is loaded";
  return "request refused";
}

// The prefix of Envoy's response-code details for our local replies ("meshguard_<reason>").
export const DETAILS_PREFIX = "meshguard_";
