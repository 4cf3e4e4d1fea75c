// A stream keeps the configuration it started with (pipeline/filter-config.ts): a policy that
// arrives while a body is on its way applies to the next request, never to half of this one; a
// refused configuration changes nothing at all.
import { describe, expect, it } from "vitest";
import type { HeaderPairs } from "../tools/emulator/abi";
import type { ProxyWasmHost, Stream } from "../tools/emulator/host";
import { upstreamComplete } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

const route = (extra: object) => ({ path: "/orders", methods: ["POST"], public: true, ...extra });
const WITH_SCHEMA = { routes: [route({ body_schema: { type: "object", required: ["qty"], properties: { qty: { type: "integer" } } } })] };
const WITHOUT_SCHEMA = { routes: [route({})] };
const TIGHT_LIMIT = { routes: [route({ max_body_bytes: 8, body_forwarding: "hold" })], request_limits: { max_body_bytes: 8 } };

const HEADERS: HeaderPairs = [[":path", "/orders"], [":method", "POST"], [":authority", "svc"], ["content-type", "application/json"], ["transfer-encoding", "chunked"]];
const BAD = '{"qty": "many"}';

function start(host: ProxyWasmHost): Stream {
  const s = host.newStream({});
  s.sendRequestHeaders(HEADERS, false);
  return s;
}
function finish(s: Stream, body: string): Stream {
  s.sendRequestBody(body, false);
  if (!s.localReply) s.sendRequestBody("", true);
  return s;
}

describe("a reconfigure mid-stream never mixes two policies (emulator)", () => {
  it("a stream that started under a schema is judged by it, though the new policy has none", async () => {
    const host = await loadFilter(WITH_SCHEMA);
    const s = start(host);
    expect(host.configure(JSON.stringify(WITHOUT_SCHEMA))).toBe(true);
    finish(s, BAD);
    expect(s.localReply?.status).toBe(400);
    expect(JSON.parse(s.localReply!.body).reason).toBe("body_schema_violation");
    expect(s.upstream.body.length).toBe(0);
    // The next request is the new policy's.
    const next = finish(start(host), BAD);
    expect(next.localReply).toBeNull();
    expect(upstreamComplete(next)).toBe(true);
  });

  it("a stream that started without a schema is not refused halfway by a policy that has one", async () => {
    const host = await loadFilter(WITHOUT_SCHEMA);
    const s = start(host);
    expect(host.configure(JSON.stringify(WITH_SCHEMA))).toBe(true);
    finish(s, BAD);
    expect(s.localReply).toBeNull();
    expect(upstreamComplete(s)).toBe(true);
    expect(finish(start(host), BAD).localReply?.status).toBe(400);
  });

  it("a size limit that arrives mid-stream applies to the next request only", async () => {
    const host = await loadFilter(WITHOUT_SCHEMA);
    const s = start(host);
    expect(host.configure(JSON.stringify(TIGHT_LIMIT))).toBe(true);
    finish(s, '{"qty": 12345678}');
    expect(s.localReply).toBeNull();
    expect(finish(start(host), '{"qty": 12345678}').localReply?.status).toBe(413);
  });

  it("a refused configuration mid-stream changes nothing, for this stream or the next", async () => {
    const host = await loadFilter(WITH_SCHEMA);
    const s = start(host);
    expect(host.configure('{"routes": "not a list"}')).toBe(false);
    expect(finish(s, BAD).localReply?.status).toBe(400);
    expect(finish(start(host), BAD).localReply?.status).toBe(400);
    expect(finish(start(host), '{"qty": 3}').localReply).toBeNull();
    expect(host.metric("meshguard.config.rejected")).toBe(1n);
  });
});
