// The body a route accepts: media type, size, and (with a schema) a JSON document that passes it.
// Pure: the pipeline hands in the content headers, then the bytes as Envoy delivers them, and gets
// back a BodyProblem or null. What a problem does (refuse, or log in audit mode) is the
// pipeline's decision (pipeline/settle.ts).
import { JsonLimits } from "../lib/json";
import { JsonStream } from "../lib/jsonstream";
import {
  BODY_INVALID_JSON, BODY_LIMIT_EXCEEDED, BODY_SCHEMA_VIOLATION, BODY_TOO_LARGE, CONTENT_ENCODING_NOT_ALLOWED, CONTENT_TYPE_NOT_ALLOWED, METHOD_OVERRIDE, QUERY_INVALID, Reason,
} from "../reply/reasons";
import { NO_REPLY_DETAIL, ReplyDetail } from "../reply/reply";
import { METHOD_PARAMETER } from "./override";
import { BodyParameters, ScanTargets } from "./override-body";
import { QueryParam } from "./shape";
import { SchemaNode } from "./schema";
import { SchemaStream } from "./schema-stream";

// Work a single body's validation may do (nodes visited), so a crafted schema and document cannot
// make it unbounded; a body that needs more is refused, naming this limit.
export const SCHEMA_BUDGET: i64 = 1000000;
export const LIMIT_SCHEMA_WORK = "schema_work";

// A route's body settings (the route's JSON fields in parentheses).
export class BodyRules {
  // Names the route binds (validate/bound-names.ts) looked for in a body that frameworks merge
  // with the route's parameters (override-body.ts ScanTargets): among a form's fields and a
  // multipart body's part names, the path and declared query parameters; among a JSON body's
  // top-level members, the declared query parameters (judged by the query's rule even where the
  // schema declares the member too: the framework hands it over as the query's), then the path
  // parameters. A form field or JSON member named as a path parameter passes when it holds the
  // path's value (a resource's representation, or a form's hidden field, often repeats its id),
  // one named as a declared query parameter when its value passes the parameter's rule
  // (bound-values.ts). Again with `_method` first, for a POST whose body is scanned for a method
  // override too. Set once, at configure.
  readonly scan: ScanTargets = new ScanTargets(false);
  readonly scanWithMethod: ScanTargets = new ScanTargets(true);

  constructor(
    public readonly maxBytes: i64,              // (max_body_bytes) -1: the policy's default
    public readonly contentTypes: string[],     // (content_types) media types; empty: any
    public readonly schema: SchemaNode | null,  // (body_schema) null: any body
    public readonly stream: bool,               // (body_forwarding: stream) never held
  ) {}

  // Lenient names (shape.ts lenientName): the route's path parameters (`pathParams` their indices
  // among the template's) and declared query parameters (`queryParams` their rules, aligned).
  lookFor(pathNames: string[], pathParams: i32[], queryNames: string[], queryParams: QueryParam[]): void {
    for (let s = 0; s < 2; s++) {
      const t = s == 0 ? this.scan : this.scanWithMethod;
      for (let i = 0; i < pathNames.length; i++) t.inForms(pathNames[i], null, pathParams[i]);
      for (let i = 0; i < queryNames.length; i++) {
        const name = queryNames[i];
        t.inForms(name, queryParams[i], -1);
        if (t.jsonNames.includes(name)) continue;
        t.inJson(name, queryParams[i]);
      }
      for (let i = 0; i < pathNames.length; i++) t.pathInJson(pathNames[i], pathParams[i]);
    }
  }
}

export const ANY_BODY = new BodyRules(-1, [], null, false);

// The charset parameter of a content-type, lowercase and unquoted; "" when none, "(several)" when
// given more than once.
export function charsetOf(contentType: string): string {
  if (contentType.indexOf(";") < 0) return "";   // no parameters (the usual case): no split
  const params = contentType.split(";");
  let found = "";
  for (let i = 1; i < params.length; i++) {
    const p = params[i];
    const eq = p.indexOf("=");
    if (eq < 0 || p.substring(0, eq).trim().toLowerCase() != "charset") continue;
    if (found.length > 0) return "(several)";
    let v = p.substring(eq + 1).trim().toLowerCase();
    if (v.length >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length - 1);
    found = v.length > 0 ? v : "(empty)";
  }
  return found;
}

// Charsets in which ASCII text (a name such as _method, JSON's punctuation) is the same bytes.
function asciiCompatible(charset: string): bool {
  return charset.length == 0 || charset == "utf-8" || charset == "utf8" || charset == "us-ascii" || charset == "ascii" ||
    charset == "latin1" || charset.startsWith("iso-8859-") || charset.startsWith("windows-125");
}

// application/json, or a structured type with the +json suffix (RFC 6839): application/problem+json.
export function isJsonMediaType(type: string): bool {
  return type == "application/json" || (type.endsWith("+json") && type.indexOf("/") > 0);
}

export class BodyProblem {
  constructor(public readonly reason: Reason, public readonly detail: string, public readonly reply: ReplyDetail) {}
}

function problem(reason: Reason, detail: string): BodyProblem {
  return new BodyProblem(reason, detail, NO_REPLY_DETAIL);
}

// A body's tokenizer and the schema check it feeds. One is kept for the next body once a body is
// done with it (a worker's VM handles one callback at a time, so bodies in flight together each
// get their own; a stream that ends without a verdict leaves its parser to the collector): a
// fresh pair, with their buffers and frames, is some 35 allocations per request.
class BodyParser {
  readonly checker: SchemaStream;
  readonly json: JsonStream;
  constructor(schema: SchemaNode, limits: JsonLimits) {
    const checker = new SchemaStream(schema, SCHEMA_BUDGET);
    this.checker = checker;
    this.json = new JsonStream(checker, limits);
  }
}
let spareParser: BodyParser | null = null;

function takeParser(schema: SchemaNode, limits: JsonLimits): BodyParser {
  const p = spareParser;
  if (p === null) return new BodyParser(schema, limits);
  spareParser = null;
  p.checker.reset(schema, SCHEMA_BUDGET);
  p.json.reset(limits);
  return p;
}

// What the request's headers say about its body.
export class BodyFraming {
  constructor(
    public readonly follows: bool,     // the headers did not end the stream
    public readonly declared: i64,     // content-length; -1 when absent or not a number
    public readonly chunked: bool,     // transfer-encoding (Envoy's HTTP/1 codec consumes it)
  ) {}

  // A body of unknown length: chunked, or HTTP/2 without content-length.
  get streamed(): bool { return this.chunked || (this.follows && this.declared != 0); }
}

// One request's body, checked as it arrives. Created from the request's headers (headerProblem
// first), then fed the bytes; `hold` says whether Envoy must keep them until the end.
export class BodyCheck {
  limit: i64;                // bytes allowed; i64.MAX_VALUE once a refusal was only audited
  seen: i64 = 0;
  hold: bool = false;
  private parser: BodyParser | null = null;       // while the body is checked against the schema
  private json: JsonStream | null = null;         // the parser's, until the document ends
  private checker: SchemaStream | null = null;    // the parser's, until the verdict is taken
  // Set before start() when the body is scanned for a `_method` parameter or for the route's
  // parameter names (override-body.ts).
  parameters: BodyParameters | null = null;

  constructor(public readonly rules: BodyRules, defaultMax: i64, public readonly framing: BodyFraming) {
    this.limit = rules.maxBytes >= 0 ? rules.maxBytes : defaultMax;
  }

  // The media type, a body the schema needs, and the declared size. Call once, in order, until
  // one is enforced: each returns the next problem or null.
  // `type`: the content-type's media type (validate/hygiene.ts mediaType). Without content_types, a
  // route with a schema takes a JSON media type or none: the schema reads the body as JSON, and a
  // service parses a body declared as a form as a form (`{"qty":1,"x":"&qty=1000"}` is valid JSON
  // to meshguard and qty=1000"} to PHP, Rails or Express, an integer 1000 once converted).
  contentTypeProblem(type: string): BodyProblem | null {
    const f = this.framing;
    if (!(f.declared > 0 || f.streamed)) return null;
    if (this.rules.contentTypes.length > 0) {
      return this.rules.contentTypes.includes(type) ? null : problem(CONTENT_TYPE_NOT_ALLOWED, type.length > 0 ? type : "no content-type");
    }
    if (this.rules.schema === null || type.length == 0 || isJsonMediaType(type)) return null;
    return problem(CONTENT_TYPE_NOT_ALLOWED, type + " (the route's schema reads JSON)");
  }

  // Whether meshguard must read the body's bytes as they are (a schema, or a scan for `_method` or
  // the route's parameter names).
  get readsBody(): bool {
    return this.framing.follows && (this.rules.schema !== null || this.parameters !== null);
  }

  // A body meshguard must read must arrive unencoded, in a charset that keeps ASCII as ASCII: it
  // would judge the compressed (or UTF-16) bytes, and a service that inflates or decodes request
  // bodies would read others: Express's body-parser does both, ASP.NET Core reads a form in the
  // charset its content-type names and inflates bodies with its request decompression
  // middleware, then binds a form field before the route's own parameter. `encoding`: the first
  // content-encoding other than identity, "" when none.
  encodingProblem(encoding: string, contentType: string): BodyProblem | null {
    if (!this.readsBody) return null;
    if (encoding.length > 0) return problem(CONTENT_ENCODING_NOT_ALLOWED, encoding);
    const charset = charsetOf(contentType);
    return asciiCompatible(charset) ? null : problem(CONTENT_ENCODING_NOT_ALLOWED, "charset " + charset);
  }

  missingBodyProblem(): BodyProblem | null {
    if (this.rules.schema === null || this.framing.follows) return null;
    return problem(BODY_INVALID_JSON, "a body is required");
  }

  declaredSizeProblem(): BodyProblem | null {
    const declared = this.framing.declared;
    if (declared <= this.limit) return null;
    return problem(BODY_TOO_LARGE, "content-length " + declared.toString());
  }

  // After the header checks: starts the parser when a schema applies, and decides whether the body
  // is held. It is held when a refusal may still come from it (a schema, or a limit that a body
  // of unknown length may pass), unless refusals are only audited (nothing will be refused) or
  // the route streams (its size limit then cuts the stream: the service may see a prefix of a
  // refused body, never its end).
  start(jsonLimits: JsonLimits, audit: bool): void {
    const schema = this.rules.schema;
    if (schema !== null && this.framing.follows) {
      // Checked on the tokenizer's events (validate/schema-stream.ts): no document is built,
      // except a subtree a keyword needs whole, bounded by the limits.
      const maxBytes = <i32>min<i64>(this.limit, <i64>i32.MAX_VALUE);
      const l = jsonLimits;
      const parser = takeParser(schema, new JsonLimits(maxBytes, l.maxDepth, l.maxMembers, l.maxStringBytes, l.maxNumberChars));
      this.parser = parser;
      this.checker = parser.checker;
      this.json = parser.json;
    }
    const mayRefuse = this.checker !== null || this.parameters !== null || (this.framing.declared < 0 && this.limit != i64.MAX_VALUE);
    this.hold = this.framing.follows && mayRefuse && !audit && !this.rules.stream;
  }

  // An audited refusal of the size: the rest of the body is not measured again.
  stopMeasuring(): void { this.limit = i64.MAX_VALUE; }

  // Whether the body's bytes are read (a schema, or a scan for parameter names).
  get parsing(): bool { return this.json !== null || this.parameters !== null; }

  // `fresh` more bytes arrived.
  sizeProblem(fresh: i64): BodyProblem | null {
    this.seen += fresh;
    if (this.seen <= this.limit) return null;
    return problem(BODY_TOO_LARGE, "body passed " + this.limit.toString() + " bytes");
  }

  // The next bytes of the document; `last` ends it (with no bytes, or with the last ones).
  feed(bytes: Uint8Array, last: bool): BodyProblem | null {
    const parameters = this.parameters;
    if (parameters !== null && (parameters.feed(bytes) || (last && parameters.end()))) {
      this.parameters = null;   // reported once (an audited refusal goes on to the schema)
      const name = parameters.found;
      if (name == METHOD_PARAMETER) return problem(METHOD_OVERRIDE, "a _method parameter in the body");
      const why = parameters.why;
      if (why.length > 0) return problem(QUERY_INVALID, "the body's " + name + ", named as a parameter of the route's path or query (frameworks that merge body parameters with the route's read the body's): " + why);
      return problem(QUERY_INVALID, "the body names " + name + ", a parameter of the route's path or query: frameworks that merge body parameters with the route's read the body's");
    }
    const json = this.json;
    if (json === null) return null;
    if (json.feed(bytes, last)) {
      if (last) this.json = null;
      return null;
    }
    this.json = null;
    this.checker = null;
    // A document refused by a configured limit is not "invalid JSON": the reply names the limit.
    const limited = json.limit.length > 0;
    const refused = new BodyProblem(limited ? BODY_LIMIT_EXCEEDED : BODY_INVALID_JSON,
      json.error + " at byte " + json.offset.toString(), new ReplyDetail("", "", json.limit));
    this.releaseParser();
    return refused;
  }

  // Nothing of the parser is read after this: it goes back for the next body.
  private releaseParser(): void {
    spareParser = this.parser;
    this.parser = null;
  }

  // The end of the body: the schema's verdict on the complete document.
  end(): BodyProblem | null {
    const fed = this.feed(new Uint8Array(0), true);
    if (fed !== null) return fed;
    const checker = this.checker;
    this.checker = null;
    if (checker === null) return null;
    const e = checker.sawValue ? checker.error : null;
    this.releaseParser();
    if (e === null) return null;
    if (e.keyword == "complexity") {
      // Not the document's fault as such: it needs more validation work than meshguard allows.
      return new BodyProblem(BODY_LIMIT_EXCEEDED, "schema validation needs more than " + SCHEMA_BUDGET.toString() + " steps", new ReplyDetail("", "", LIMIT_SCHEMA_WORK));
    }
    return new BodyProblem(BODY_SCHEMA_VIOLATION, (e.pointer.length > 0 ? e.pointer : "/") + " " + e.keyword, new ReplyDetail(e.pointer, e.keyword, ""));
  }
}
