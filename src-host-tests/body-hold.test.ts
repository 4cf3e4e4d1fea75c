// A body that meshguard may still refuse never reaches the service before the verdict: every case
// of the body table, in every framing Envoy delivers, with the body cut as the client wrote it and
// in 5-byte chunks. The witness is what the emulator's upstream (the service) received.
import { describe, expect, it } from "vitest";
import { BODY_CASES, BODY_POLICY, type BodyCase } from "../test/cases/body";
import type { HeaderPairs } from "../tools/emulator/abi";
import type { ProxyWasmHost, Stream } from "../tools/emulator/host";
import { FRAMINGS, type Framing, upstreamComplete } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

function send(host: ProxyWasmHost, c: BodyCase, framing: Framing, chunks: string[]): Stream {
  const body = chunks.join("");
  const headers: HeaderPairs = [[":path", c.path], [":method", c.method ?? "POST"], [":authority", "svc"]];
  const type = c.contentType ?? "application/json";
  if (type.length > 0) headers.push(["content-type", type]);
  if (c.encoding) headers.push(["content-encoding", c.encoding]);
  if (c.lengthKnown !== false) headers.push(["content-length", String(Buffer.byteLength(body))]);
  const s = host.newStream({});
  s.sendRequestHeaders(headers, false);
  const nonEmpty = chunks.filter((p) => p.length > 0);
  for (let i = 0; i < nonEmpty.length && !s.localReply; i++) {
    s.sendRequestBody(nonEmpty[i], framing === "http2-end-on-data" && i === nonEmpty.length - 1);
  }
  if (!s.localReply) {
    if (framing === "http2-trailers") s.sendRequestTrailers([["x-trailer", "1"]]);
    else if (framing !== "http2-end-on-data" || nonEmpty.length === 0) s.sendRequestBody("", true);
  }
  return s;
}

const fiveBytes = (s: string) => s.match(/[\s\S]{1,5}/g) ?? [];

describe("a refused body never reaches the service (emulator, every framing)", async () => {
  const host = await loadFilter(BODY_POLICY);
  for (const c of BODY_CASES) {
    for (const framing of FRAMINGS) {
      for (const [cut, chunks] of [["as written", c.pieces], ["5-byte chunks", fiveBytes(c.pieces.join(""))]] as const) {
        it(`${c.kind}: ${c.name} (${framing}, ${cut}) → ${c.status}`, () => {
          const s = send(host, c, framing, [...chunks]);
          try {
            if (c.status === 200) {
              expect(s.localReply).toBeNull();
              expect(upstreamComplete(s)).toBe(true);
              expect(s.upstream.body.toString()).toBe(c.pieces.join(""));
            } else {
              expect(s.localReply?.status).toBe(c.status);
              expect(JSON.parse(s.localReply!.body).reason).toBe(c.reason);
              expect(s.upstream.body.length).toBe(0);          // not one byte of it went on
              expect(upstreamComplete(s)).toBe(false);
            }
          } finally {
            s.finish();
          }
        });
      }
    }
  }
});

// A body's parser is kept for the next body once the body is done with it (validate/body.ts): bodies
// in flight together must each have their own, and a refused document must leave nothing behind.
describe("bodies in flight together each get their own verdict (emulator)", async () => {
  const host = await loadFilter(BODY_POLICY);
  it(`all ${BODY_CASES.length} cases of the body table at once, 5 bytes at a time in turn, twice over`, () => {
    for (let round = 0; round < 2; round++) {
      const open = BODY_CASES.map((c) => {
        const body = c.pieces.join("");
        const headers: HeaderPairs = [[":path", c.path], [":method", c.method ?? "POST"], [":authority", "svc"], ["content-length", String(Buffer.byteLength(body))]];
        const type = c.contentType ?? "application/json";
        if (type.length > 0) headers.push(["content-type", type]);
        if (c.encoding) headers.push(["content-encoding", c.encoding]);
        const s = host.newStream({});
        s.sendRequestHeaders(headers, false);
        return { c, s, chunks: fiveBytes(body) };
      });
      for (let step = 0; open.some(({ s, chunks }) => !s.localReply && step <= chunks.length); step++) {
        for (const { s, chunks } of open) {
          if (s.localReply || step > chunks.length) continue;
          s.sendRequestBody(step < chunks.length ? chunks[step] : "", step === chunks.length);
        }
      }
      for (const { c, s } of open) {
        const name = `${c.kind}: ${c.name} (round ${round + 1})`;
        if (c.status === 200) {
          expect(s.localReply, name).toBeNull();
          expect(s.upstream.body.toString(), name).toBe(c.pieces.join(""));
        } else {
          expect(s.localReply?.status, name).toBe(c.status);
          expect(JSON.parse(s.localReply!.body).reason, name).toBe(c.reason);
          expect(s.upstream.body.length, name).toBe(0);
        }
        s.finish();
      }
    }
  });
});
