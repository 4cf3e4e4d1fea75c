// The request pipeline in the unit build (build/unit.wasm, unit/pipeline.ts): the same RequestSpec
// as the emulator's runRequest, run through the pipeline with an in-memory StreamIO instead of a
// host. The case tables run through both (src-host-tests/pipeline.test.ts).
import type { HeaderPairs } from "../tools/emulator/abi";
import { serializePairs } from "../tools/emulator/abi";
import { encodeMetadata } from "../tools/emulator/metadata";
import { type RequestSpec, bodyBytes, dynamicMetadataOf, envoyRequestHeaders } from "../tools/emulator/request";
import { unit, withBytes } from "./unit";

const STOP = 1;
const PRESENT = 0;
const ABSENT = 1;

export interface PipelineOutcome {
  allowed: boolean;
  status: number | null;
  reason: string | null;
  body: Record<string, unknown> | null;
  replyHeaders: HeaderPairs | null;
  forwardedHeaders: HeaderPairs | null;
  responseHeaders: HeaderPairs;
  logs: string[];
  counters: Record<string, number>;
}

interface Raw {
  reply: { status: number; details: string; body: string; headers: HeaderPairs } | null;
  edits: (["remove", string] | ["set", string, string] | ["response", string, string])[];
  logs: string[];
  counters: Record<string, number>;
}

function text(ptr: number): string {
  return Buffer.from(new Uint8Array(unit.memory.buffer, ptr, unit.pipeAnswerLength())).toString("utf8");
}

// Loads a policy into the unit build; throws with the compiler's error when it is refused.
export function configurePipeline(policy: unknown): void {
  const answer = withBytes(JSON.stringify(policy), (p, n) => text(unit.pipeConfigure(p, n)));
  if (answer !== "OK") throw new Error(`policy refused: ${answer}`);
}

function outcome(input: HeaderPairs): PipelineOutcome {
  const raw = JSON.parse(text(unit.pipeOutcome())) as Raw;
  let forwarded: HeaderPairs = input.map(([k, v]) => [k, v]);
  const responseHeaders: HeaderPairs = [];
  for (const e of raw.edits) {
    if (e[0] === "remove") forwarded = forwarded.filter(([k]) => k !== e[1]);
    else if (e[0] === "set") forwarded = [...forwarded.filter(([k]) => k !== e[1]), [e[1], e[2]]];
    else responseHeaders.push([e[1], e[2]]);
  }
  const reply = raw.reply;
  const body = reply ? (JSON.parse(reply.body) as Record<string, unknown>) : null;
  return {
    allowed: reply === null,
    status: reply?.status ?? null,
    reason: (body?.reason as string | undefined) ?? null,
    body,
    replyHeaders: reply?.headers ?? null,
    forwardedHeaders: reply === null ? forwarded : null,
    responseHeaders,
    logs: raw.logs,
    counters: raw.counters,
  };
}

export function runPipeline(req: RequestSpec): PipelineOutcome {
  const body = bodyBytes(req.body);
  const headers = envoyRequestHeaders(req, body);
  unit.pipeNewStream();
  if (req.peer) withBytes(req.peer, (p, n) => unit.pipeSetPeer(p, n, PRESENT));
  const md = dynamicMetadataOf(req);
  if (md) withBytes(encodeMetadata(md), (p, n) => unit.pipeSetMetadata(p, n, PRESENT));
  else unit.pipeSetMetadata(0, 0, ABSENT);
  const noBody = body === null || body.length === 0;
  let action = withBytes(serializePairs(headers), (p, n) => unit.pipeHeaders(p, n, noBody ? 1 : 0));
  if (action !== STOP && !noBody) {
    const size = req.chunkSize && req.chunkSize > 0 ? req.chunkSize : body.length;
    const framing = req.framing ?? "http1";
    let replied = false;
    for (let at = 0; at < body.length && !replied; at += size) {
      const last = at + size >= body.length && framing === "http2-end-on-data";
      action = withBytes(body.subarray(at, at + size), (p, n) => unit.pipeBody(p, n, last ? 1 : 0));
      replied = JSON.parse(text(unit.pipeOutcome())).reply !== null;
    }
    if (!replied) {
      if (framing === "http2-trailers") unit.pipeTrailers();
      else if (framing !== "http2-end-on-data") withBytes(Buffer.alloc(0), (p, n) => unit.pipeBody(p, n, 1));
    }
  }
  const out = outcome(headers);
  if (out.allowed) { unit.pipeResponseHeaders(); return outcome(headers); }
  return out;
}
