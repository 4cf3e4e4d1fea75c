// The names in meshguard's log events: one JSON object per line, after LOG_PREFIX, in Envoy's log.
// A stable schema (docs/operations.md, "Log events"): fields are added, never renamed. Like
// reasons.ts, this file is both AssemblyScript and TypeScript, so the tooling that reads events
// (tests, the dashboard, `meshguard diff`) uses the very names the filter writes.

export const LOG_PREFIX = "meshguard: ";

// What happened: a refusal sent as a local reply, or one that audit mode let through.
export const EVENT_DENY = "deny";
export const EVENT_WOULD_DENY = "would_deny";
// A detector reached its threshold for one identity (docs/monitoring.md), and a quarantine began.
export const EVENT_ANOMALY = "anomaly";
export const EVENT_QUARANTINE = "quarantine_start";
// A quarantine has ended: written at the identity's first request after it (by one worker).
export const EVENT_QUARANTINE_END = "quarantine_end";

export const FIELD_EVENT = "event";           // EVENT_DENY or EVENT_WOULD_DENY
export const FIELD_STATUS = "status";         // the local reply's status (or the one it would have had)
export const FIELD_REASON = "reason";         // a code from reasons.ts
export const FIELD_MODE = "mode";             // MODE_ENFORCE or MODE_AUDIT
export const FIELD_ROUTE = "route";           // the route's name; "" when no route matched
export const FIELD_RULE = "rule";             // the rule or limit that decided; "" when none
export const FIELD_REQUEST_ID = "request_id"; // x-request-id as received
export const FIELD_PEER = "peer";             // the peer's SPIFFE ID (also an untrusted one), when there is one
export const FIELD_USER = "user";             // the verified token's subject, when there is a token
export const FIELD_API_CLIENT = "api_client"; // the API key's client, when the key is valid
export const FIELD_DETAIL = "detail";         // what exactly was refused (never sent to the client)
export const FIELD_DETECTOR = "detector";     // anomaly, quarantine_start: the detector's name
export const FIELD_IDENTITY_KIND = "identity_kind";   // peer, user, api_client or client_ip
export const FIELD_IDENTITY = "identity";     // the identity's value
export const FIELD_OBSERVED = "observed";     // the count that reached the threshold
export const FIELD_THRESHOLD = "threshold";
export const FIELD_WINDOW = "window_seconds";
export const FIELD_ACTION = "action";         // alert, quarantine or would_quarantine
export const FIELD_UNTIL = "until_ms";        // quarantine_start: when it ends (Unix milliseconds)
export const FIELD_STRIKES = "strikes";       // quarantine_start: quarantines of this identity so far

export const MODE_ENFORCE = "enforce";
export const MODE_AUDIT = "audit";

export const ACTION_ALERT = "alert";
export const ACTION_QUARANTINE = "quarantine";
export const ACTION_WOULD_QUARANTINE = "would_quarantine";

// Every field of deny and would_deny events, in the order a line carries them (optional ones only
// when present).
export const EVENT_FIELDS: string[] = [
  FIELD_EVENT, FIELD_STATUS, FIELD_REASON, FIELD_MODE, FIELD_ROUTE, FIELD_RULE, FIELD_REQUEST_ID,
  FIELD_PEER, FIELD_USER, FIELD_API_CLIENT, FIELD_DETAIL,
];

// Every field of anomaly and quarantine_start events, in order.
export const MONITOR_EVENT_FIELDS: string[] = [
  FIELD_EVENT, FIELD_DETECTOR, FIELD_IDENTITY_KIND, FIELD_IDENTITY, FIELD_OBSERVED, FIELD_THRESHOLD,
  FIELD_WINDOW, FIELD_ACTION, FIELD_UNTIL, FIELD_STRIKES, FIELD_REQUEST_ID,
];
