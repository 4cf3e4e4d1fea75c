// What a refusal says: the local reply's body, and the log event. Pure. The body names a stable
// reason and the request id, and nothing of the policy (no route prefixes, no patterns, no
// identities); the event line carries what an operator needs, for the log only.
import { FIELD_API_CLIENT, FIELD_DETAIL, FIELD_EVENT, FIELD_MODE, FIELD_PEER, FIELD_REASON, FIELD_REQUEST_ID, FIELD_ROUTE, FIELD_RULE, FIELD_STATUS, FIELD_USER } from "./event-fields";
import { Reason } from "./reasons";

export const MAX_REQUEST_ID_LENGTH = 128;
// Log-event strings: at most this many characters, marked "..." when cut.
export const MAX_EVENT_STRING = 512;

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

// What a refusal of the body adds to the reply: where a document failed its schema (a JSON
// Pointer and the keyword), or which limit it ran into.
export class ReplyDetail {
  constructor(public readonly pointer: string, public readonly keyword: string, public readonly limit: string) {}
}
export const NO_REPLY_DETAIL = new ReplyDetail("", "", "");

// The body of a local reply. reason.code and reason.message are constants that need no escaping.
export function replyBody(reason: Reason, detail: ReplyDetail, requestId: string): string {
  let body = "{\"status\":" + reason.status.toString() +
    ",\"reason\":\"" + reason.code +
    "\",\"message\":\"" + reason.message + "\"";
  // Both come from the client's own document and the schema's keyword list: escaped.
  if (detail.keyword.length > 0) body += ",\"pointer\":" + jsonQuote(detail.pointer, 256, false) + ",\"keyword\":" + jsonQuote(detail.keyword, 256, false);
  // A constant (lib/jsonstream.ts, validate/body.ts): no escaping needed.
  if (detail.limit.length > 0) body += ",\"limit\":\"" + detail.limit + "\"";
  const id = safeRequestId(requestId);
  if (id.length > 0) body += ",\"request_id\":\"" + id + "\"";
  return body + "}";
}

// One log event (event-fields.ts): built only when a request is refused or would be, or a detector
// fires; never on the allow path. Fields are added in the documented order.
export class EventLine {
  private text: string;
  constructor(event: string) {
    this.text = "{\"" + FIELD_EVENT + "\":\"" + event + "\"";
  }

  // A deny or would_deny event's leading fields; identity fields are added by the caller.
  static refusal(event: string, reason: Reason, mode: string, route: string, rule: string, requestId: string): EventLine {
    const line = new EventLine(event);
    line.text += ",\"" + FIELD_STATUS + "\":" + reason.status.toString() +
      ",\"" + FIELD_REASON + "\":\"" + reason.code + "\",\"" + FIELD_MODE + "\":\"" + mode + "\"";
    return line.add(FIELD_ROUTE, route).add(FIELD_RULE, rule).add(FIELD_REQUEST_ID, requestId);
  }

  addNumber(field: string, value: i64): EventLine {
    this.text += ",\"" + field + "\":" + value.toString();
    return this;
  }

  add(field: string, value: string): EventLine {
    this.text += ",\"" + field + "\":" + jsonQuote(value, MAX_EVENT_STRING, true);
    return this;
  }

  peer(id: string): EventLine { return this.add(FIELD_PEER, id); }
  user(subject: string): EventLine { return this.add(FIELD_USER, subject); }
  apiClient(name: string): EventLine { return this.add(FIELD_API_CLIENT, name); }

  finish(detail: string): string { return this.add(FIELD_DETAIL, detail).text + "}"; }
  close(): string { return this.text + "}"; }
}

// A JSON string literal: quotes, backslashes, control characters and DEL escaped; at most `limit`
// characters, with "..." inside the quotes when `markCut` and the string was longer. The fast path
// returns the string as it is when nothing needs escaping.
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
