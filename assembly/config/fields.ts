// Every object of the policy and the fields it takes: the compiler refuses any other (reader.ts,
// onlyKnown). Both AssemblyScript and TypeScript, like reply/reasons.ts: the published JSON Schema
// (schema/meshguard-policy.schema.json) is checked against these lists by a test, so an editor's
// completion and the compiler cannot disagree.

export const POLICY_FIELDS: string[] = ["routes", "mode", "unmatched_routes", "peer_header", "user_header", "client_header", "strip_headers", "method_override", "trust_domains", "require_peer", "jwt", "api_keys", "rate_limits", "request_limits", "monitoring", "access_log"];
export const ROUTE_FIELDS: string[] = ["name", "path", "methods", "hosts", "public", "mode", "deny", "allow", "max_body_bytes", "content_types", "param_types", "query", "query_additional", "required_headers", "forbidden_headers", "header_patterns", "body_schema", "body_forwarding", "allow_encoded_percent"];
export const RULE_FIELDS: string[] = ["name", "mode", "authenticated", "peers", "any_role", "all_scopes", "claims", "api_clients", "path_params"];
export const QUERY_PARAM_FIELDS: string[] = ["type", "required", "max_length", "enum", "pattern"];
export const REQUEST_LIMITS_FIELDS: string[] = ["max_headers", "max_header_bytes", "max_header_value_bytes", "max_body_bytes", "json_max_depth", "json_max_members", "json_max_string_bytes", "json_max_number_chars"];
export const JWT_FIELDS: string[] = ["metadata_namespace", "payload_keys", "subject_claim", "roles_claim", "scopes_claim"];
export const API_KEYS_FIELDS: string[] = ["header", "keys"];
export const API_KEY_FIELDS: string[] = ["sha256", "client", "roles"];
export const RATE_LIMITS_FIELDS: string[] = ["limits", "table_slots", "shared", "when_full", "response_headers", "client_ip"];
export const LIMIT_FIELDS: string[] = ["name", "capacity", "refill", "key", "routes", "mode"];
export const REFILL_FIELDS: string[] = ["tokens", "seconds"];
export const CLIENT_IP_FIELDS: string[] = ["trusted_hops"];
export const MONITORING_FIELDS: string[] = ["detectors", "quarantine", "table_slots", "quarantine_slots", "client_ip"];
export const QUARANTINE_FIELDS: string[] = ["seconds", "max_seconds", "never"];
export const DETECTOR_FIELDS: string[] = ["name", "kind", "identity", "window_seconds", "threshold", "action", "mode", "groups", "route", "param", "factor", "warmup_windows"];
