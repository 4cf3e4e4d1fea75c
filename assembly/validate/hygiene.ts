// Request hygiene before any decision: header count and sizes, control characters, and framing
// headers that disagree. Pure: it reads a header snapshot. Envoy's codecs refuse most malformed
// requests already; this is the second line, with limits the policy sets.
import { HeaderName, HeaderSnapshot } from "../lib/headers";
import { HEADER_INVALID, HEADERS_TOO_LARGE, Reason } from "../reply/reasons";
import { lowerAscii } from "../lib/text";

export class HeaderLimits {
  constructor(
    public readonly maxCount: i32,
    public readonly maxTotalBytes: i32,
    public readonly maxValueBytes: i32,
  ) {}
}

export class HygieneResult {
  constructor(public readonly reason: Reason | null, public readonly detail: string) {}
  get ok(): bool { return this.reason === null; }
}

const OK = new HygieneResult(null, "");
export const CONTENT_LENGTH = new HeaderName("content-length");
export const TRANSFER_ENCODING = new HeaderName("transfer-encoding");
export const CONTENT_TYPE = new HeaderName("content-type");

function tooLarge(detail: string): HygieneResult { return new HygieneResult(HEADERS_TOO_LARGE, detail); }
function invalid(detail: string): HygieneResult { return new HygieneResult(HEADER_INVALID, detail); }

export function checkHeaders(snap: HeaderSnapshot, limits: HeaderLimits): HygieneResult {
  if (snap.count > limits.maxCount) return tooLarge("more than " + limits.maxCount.toString() + " headers");
  let total = 0;
  let contentLengths = 0;
  let firstLength = "";
  let chunked = false;
  let contentType = -1;
  for (let i = 0; i < snap.count; i++) {
    const vlen = snap.valueLength(i);
    total += snap.nameLength(i) + vlen;
    if (vlen > limits.maxValueBytes) return tooLarge("a header value longer than " + limits.maxValueBytes.toString() + " bytes");
    if (!snap.isPseudo(i) && snap.hasControlCharacter(i)) return invalid("control character in header " + snap.nameOf(i));
    if (snap.nameIs(i, CONTENT_LENGTH.bytes)) {
      const v = snap.valueOf(i);
      if (contentLengths > 0 && v != firstLength) return invalid("content-length given twice with different values");
      if (contentLengths == 0) firstLength = v;
      contentLengths++;
    } else if (snap.nameIs(i, TRANSFER_ENCODING.bytes)) {
      chunked = true;
    } else if (snap.nameIs(i, CONTENT_TYPE.bytes)) {
      // Two content types: one reader takes the first, another the last (the body checks and the
      // method-override scan read the first).
      if (contentType >= 0 && snap.valueOf(i) != snap.valueOf(contentType)) return invalid("content-type given twice with different values");
      contentType = i;
    }
  }
  if (total > limits.maxTotalBytes) return tooLarge("headers larger than " + limits.maxTotalBytes.toString() + " bytes");
  if (contentLengths > 0 && chunked) return invalid("both content-length and transfer-encoding");
  if (contentLengths > 0 && parseContentLength(firstLength) < 0) return invalid("content-length is not a number");
  if (contentType >= 0) {
    const media = mediaType(snap.valueOf(contentType));
    // Envoy joins repeated content-type headers with ','; readers then take either media type.
    if (media.includes(",")) return invalid("content-type names several media types");
    // PHP cuts a content-type at its first space as at ';' (SAPI's post reader), so
    // "application/x-www-form-urlencoded x" is a form to it and an unknown type to the others.
    if (media.includes(" ") || media.includes("\t")) return invalid("content-type has a space in its media type");
  }
  return OK;
}

// A content-length value, or -1 when it is not 1 to 18 decimal digits.
export function parseContentLength(v: string): i64 {
  if (v.length == 0 || v.length > 18) return -1;
  let n: i64 = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + <i64>(c - 0x30);
  }
  return n;
}

// The media type of a content-type value: before any ';', trimmed, lowercase.
export function mediaType(contentType: string): string {
  const semi = contentType.indexOf(";");
  return lowerAscii((semi < 0 ? contentType : contentType.substring(0, semi)).trim());
}
