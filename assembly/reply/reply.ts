// The body of a local reply. Pure. It names a stable reason and the request id, and nothing of
// the policy (no route prefixes, no patterns, no identities).
import { Decision } from "../authz/decision";
import { reasonMessage } from "./reasons";

export const MAX_REQUEST_ID_LENGTH = 128;

// Envoy's x-request-id is a UUID; anything else is echoed only if it is short and plain, so a
// client cannot inject JSON or log noise through it.
export function safeRequestId(id: string): string {
  if (id.length == 0 || id.length > MAX_REQUEST_ID_LENGTH) return "";
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x5f || c == 0x2e;
    if (!ok) return "";
  }
  return id;
}

// reason and message are constants without characters that need escaping in JSON.
export function replyBody(decision: Decision, requestId: string): string {
  let body = "{\"status\":" + decision.status.toString() +
    ",\"reason\":\"" + decision.reason +
    "\",\"message\":\"" + reasonMessage(decision.reason) + "\"";
  // For a body that fails its schema: where (a JSON Pointer) and which keyword. Both come from the
  // client's own document and the schema's keyword list, escaped for JSON.
  if (decision.keyword.length > 0) body += ",\"pointer\":" + jsonQuote(decision.pointer, 256, false) + ",\"keyword\":" + jsonQuote(decision.keyword, 256, false);
  // A constant from jsonstream.ts or filter.ts: no escaping needed.
  if (decision.limit.length > 0) body += ",\"limit\":\"" + decision.limit + "\"";
  const id = safeRequestId(requestId);
  if (id.length > 0) body += ",\"request_id\":\"" + id + "\"";
  return body + "}";
}

// A JSON string literal: quotes, backslashes, control characters and DEL escaped; at most `limit`
// characters, with "..." inside the quotes when `markCut` and the string was longer. Used for reply
// bodies and for log lines (filter.ts). The fast path returns the string as it is when nothing
// needs escaping.
export function jsonQuote(s: string, limit: i32, markCut: bool): string {
  const n = min(s.length, limit);
  let plain = s.length <= limit;
  for (let i = 0; i < n && plain; i++) {
    const c = s.charCodeAt(i);
    plain = c >= 0x20 && c != 0x22 && c != 0x5c && c != 0x7f;
  }
  if (plain) return "\"" + s + "\"";
  let out = "\"";
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c < 0x20 || c == 0x7f) out += "\\u00" + (c < 16 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  if (markCut && s.length > n) out += "...";
  return out + "\"";
}
