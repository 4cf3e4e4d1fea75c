// Step 6 of the pipeline: the body. Its headers are checked with the request's (media type, a
// body the schema needs, content-length); the bytes as Envoy delivers them. A body that may still
// be refused is held in Envoy (StopIterationAndBuffer) until the verdict.
//
// What Envoy delivers (test/agreement.e2e.test.ts, "hold"): the new chunk alone, or, while the
// body is held, everything since the first chunk. An HTTP/1.1 body ends with one more call, empty
// and marked end of stream; an HTTP/2 body may end on its last DATA frame, in an empty one, or
// with trailers.
import { Decision } from "../authz/route";
import { HeaderName, HeaderSnapshot } from "../lib/headers";
import { BodyCheck, BodyProblem } from "../validate/body";
import { REQUEST_UNAVAILABLE } from "../reply/reasons";
import { StreamIO } from "./io";
import { Settler } from "./settle";

// proxy-wasm FilterHeadersStatus / FilterDataStatus values.
export const CONTINUE: u32 = 0;
export const STOP: u32 = 1;
// FilterDataStatus StopIterationAndBuffer: Envoy keeps the data and hands it back, with what
// follows, on the next body call (up to its buffer limit; past it, Envoy itself answers 413).
export const STOP_AND_BUFFER: u32 = 1;

const CONTENT_ENCODING = new HeaderName("content-encoding");

// The first content-encoding other than identity, in any content-encoding header; "" when none.
function encodingOf(snapshot: HeaderSnapshot): string {
  for (let i = 0; i < snapshot.count; i++) {
    if (!snapshot.nameIs(i, CONTENT_ENCODING.bytes)) continue;
    const e = snapshot.valueOf(i).trim().toLowerCase();
    if (e.length > 0 && e != "identity") return e;
  }
  return "";
}

export class BodyStep {
  constructor(
    private readonly settler: Settler,
    private readonly io: StreamIO,
    private readonly check: BodyCheck,
    private readonly decision: Decision,   // the route it is checked for
  ) {}

  // The checks the request's headers allow; true when the request was refused. `contentType`:
  // the request's content-type, read by the pipeline when the route's types, a schema or the
  // method-override scan need it ("" otherwise), and `media` its media type.
  atHeaders(snapshot: HeaderSnapshot, contentType: string, media: string): bool {
    const check = this.check;
    if (this.settleProblem(check.contentTypeProblem(media))) return true;
    if (check.readsBody && this.settleProblem(check.encodingProblem(encodingOf(snapshot), contentType))) return true;
    if (this.settleProblem(check.missingBodyProblem())) return true;
    const size = check.declaredSizeProblem();
    if (size !== null) {
      if (this.settleProblem(size)) return true;
      check.stopMeasuring();   // audited once; not again for every chunk
    }
    const policy = this.settler.config.policy;
    check.start(policy.limits.bodyJson, this.settler.auditOn(this.decision.route));
    return false;
  }

  onData(size: u32, endOfStream: bool): u32 {
    const check = this.check;
    // Held, `size` counts the bytes seen before and the new ones; else the new chunk alone.
    const start: i64 = check.hold ? check.seen : 0;
    const fresh: i64 = <i64>size - start;
    if (fresh < 0) return this.failClosed("held body shrank");   // the host lost bytes it was holding
    const tooLarge = check.sizeProblem(fresh);
    if (tooLarge !== null) {
      if (this.settleProblem(tooLarge)) return STOP;
      check.stopMeasuring();
    }
    if (check.parsing && fresh > 0) {
      const bytes = this.io.requestBody(<u32>start, <u32>fresh);
      if (bytes === null) return this.failClosed("request body unreadable");
      if (this.settleProblem(check.feed(bytes, false))) return STOP;
    }
    if (endOfStream) return this.onEnd();
    return check.hold ? STOP_AND_BUFFER : CONTINUE;
  }

  // The end of the body (end of stream, or trailers): the document is judged. Continue lets
  // everything held go on to the service.
  onEnd(): u32 {
    return this.settleProblem(this.check.end()) ? STOP : CONTINUE;
  }

  private settleProblem(p: BodyProblem | null): bool {
    if (p === null) return false;
    const d = Decision.refuseFor(p.reason, this.decision.route, p.detail);
    d.reply = p.reply;
    return this.settler.settle(d, this.settler.auditOn(this.decision.route), "");
  }

  private failClosed(detail: string): u32 {
    this.settler.failClosed(Decision.refuse(REQUEST_UNAVAILABLE, this.decision.route, ""), detail);
    return STOP;
  }
}
