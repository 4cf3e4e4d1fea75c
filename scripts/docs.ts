// Writes the generated parts of docs/operations.md from the filter's own registries: the reasons
// (assembly/reply/reasons.ts) and the log-event fields (assembly/reply/event-fields.ts), which
// both compilers read. Run: npx tsx scripts/docs.ts (writes) or --check (exit 1 when stale;
// src-host-tests/docs.test.ts runs it).
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  EVENT_FIELDS, FIELD_ACTION, FIELD_API_CLIENT, FIELD_DETAIL, FIELD_DETECTOR, FIELD_EVENT, FIELD_IDENTITY, FIELD_IDENTITY_KIND, FIELD_MODE, FIELD_OBSERVED,
  FIELD_PEER, FIELD_REASON, FIELD_REQUEST_ID, FIELD_ROUTE, FIELD_RULE, FIELD_STATUS, FIELD_STRIKES, FIELD_THRESHOLD, FIELD_UNTIL, FIELD_USER, FIELD_WINDOW, MONITOR_EVENT_FIELDS,
} from "../assembly/reply/event-fields.ts";
import { DETAILS_PREFIX, REASONS } from "../assembly/reply/reasons.ts";

export const OPERATIONS = resolve(import.meta.dirname, "..", "docs", "operations.md");

const FIELD_MEANING: Record<string, string> = {
  [FIELD_EVENT]: "`deny` (a local reply was sent) or `would_deny` (audit mode let the request on)",
  [FIELD_STATUS]: "the reply's status, or the one it would have had",
  [FIELD_REASON]: "the reason code (table above)",
  [FIELD_MODE]: "`enforce` or `audit`",
  [FIELD_ROUTE]: "the route's `name` (\"\" when no route matched)",
  [FIELD_RULE]: "the rule or limit that decided (\"\" when none)",
  [FIELD_REQUEST_ID]: "`x-request-id` as received",
  [FIELD_PEER]: "the peer's SPIFFE ID, when the connection has one (also an untrusted one); omitted otherwise",
  [FIELD_USER]: "the verified token's `sub`, when there is a token; omitted otherwise",
  [FIELD_API_CLIENT]: "the API key's client, when the key is valid; omitted otherwise",
  [FIELD_DETAIL]: "what exactly was refused (never sent to the client), at most 512 characters",
};

const MONITOR_FIELD_MEANING: Record<string, string> = {
  [FIELD_EVENT]: "`anomaly` (a detector reached its threshold), `quarantine_start` (and quarantined the identity), or `quarantine_end` (written by the identity's first request after its quarantine, with identity, until and strikes only)",
  [FIELD_DETECTOR]: "the detector's `name`",
  [FIELD_IDENTITY_KIND]: "`peer`, `user`, `api_client` or `client_ip`",
  [FIELD_IDENTITY]: "the identity's value (a SPIFFE ID, a subject, a client name, an address)",
  [FIELD_OBSERVED]: "the count that reached the threshold (refusals, or distinct values)",
  [FIELD_THRESHOLD]: "the detector's `threshold`",
  [FIELD_WINDOW]: "the detector's `window_seconds`",
  [FIELD_ACTION]: "`alert`, `quarantine`, or `would_quarantine` (the detector is in audit mode)",
  [FIELD_UNTIL]: "when the quarantine ends, Unix milliseconds (quarantines only)",
  [FIELD_STRIKES]: "quarantines of this identity so far, this one included (quarantines only)",
  [FIELD_REQUEST_ID]: "`x-request-id` of the request that made the detector fire",
};

export function reasonsTable(): string {
  const rows = REASONS.map((r) => `| ${r.status} | \`${r.code}\` | ${r.group} | ${r.when} | ${r.message} |`);
  return ["| status | reason | group | when | message in the reply |", "|---|---|---|---|---|", ...rows].join("\n");
}

export function eventsTable(): string {
  const rows = EVENT_FIELDS.map((f) => `| \`${f}\` | ${FIELD_MEANING[f] ?? "(undocumented)"} |`);
  return ["| field | meaning |", "|---|---|", ...rows].join("\n") + `\n\nEnvoy's response-code details for a local reply: \`${DETAILS_PREFIX}<reason>\`.`;
}

function replaceBetween(text: string, name: string, body: string): string {
  const start = `<!-- generated:${name} (scripts/docs.ts) -->`;
  const end = `<!-- end:${name} -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`docs/operations.md lacks the markers for ${name}`);
  return text.slice(0, a + start.length) + "\n" + body + "\n" + text.slice(b);
}

export function monitorEventsTable(): string {
  const rows = MONITOR_EVENT_FIELDS.map((f) => `| \`${f}\` | ${MONITOR_FIELD_MEANING[f] ?? "(undocumented)"} |`);
  return ["| field | meaning |", "|---|---|", ...rows].join("\n");
}

export function generated(current: string): string {
  const withReasons = replaceBetween(replaceBetween(current, "reasons", reasonsTable()), "events", eventsTable());
  return replaceBetween(withReasons, "monitor-events", monitorEventsTable());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const current = readFileSync(OPERATIONS, "utf8");
  const next = generated(current);
  if (process.argv.includes("--check")) {
    if (next !== current) { console.error("docs/operations.md is stale: run npx tsx scripts/docs.ts"); process.exit(1); }
  } else {
    writeFileSync(OPERATIONS, next);
  }
}
