// A refused body never reaches the service, through a real Envoy: the body table in every framing
// (HTTP/1.1 with content-length and chunked; HTTP/2 with END_STREAM on the last DATA frame, in an
// empty frame, or after trailers), over a warm and a cold upstream connection, and with the body
// sent late. The service is the witness: each test waits until Envoy and the service have
// finished every request (quiesce: Envoy's admin counters, never a sleep), then asserts what the
// service received. The outcomes are written to build/body-table.json (the closing table).
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BODY_CASES, BODY_POLICY, type BodyCase } from "./cases/body";
import { quiesce, waitFor } from "./harness/fixture";
import { type RawReply, WIRE_FRAMINGS as FRAMINGS, type WireFraming as Framing, h1, sendFramed } from "./harness/raw";
import { meshPerSuite } from "./harness/table";

interface Row { framing: Framing; connection: string; kind: string; name: string; client: number; service: string }
const table: Row[] = [];

describe("a refused body never reaches the service (real Envoy)", () => {
  const mesh = meshPerSuite(BODY_POLICY, { requireClientCertificate: false });
  afterAll(() => writeFileSync(resolve(import.meta.dirname, "..", "build", "body-table.json"), JSON.stringify(table, null, 1)));

  const upstreamConnections = async () => (await mesh().envoy.stats("upstream_cx_active"))["cluster.upstream.upstream_cx_active"] ?? 0;

  // warm: an idle kept-alive connection to the service is ready (a valid request went first);
  // cold: the service closes every connection, so Envoy must open a new one for this request.
  async function prepare(connection: "warm" | "cold"): Promise<void> {
    const m = mesh();
    m.upstream.closeAfterResponse = connection === "cold";
    if (connection === "warm") {
      await h1({ port: m.envoy.listenerPort, ca: m.pki.ca.cert, path: "/upload", pieces: ["warm-up"] }, "length");
      await waitFor("a warm upstream connection", async () => (await upstreamConnections()) >= 1);
    } else {
      m.upstream.closeIdleConnections();
      await waitFor("no upstream connection", async () => (await upstreamConnections()) === 0);
    }
  }

  function send(c: BodyCase, framing: Framing, id: string, late: boolean): Promise<RawReply> {
    const m = mesh();
    const headers: Record<string, string> = { "x-test-id": id };
    const type = c.contentType ?? "application/json";
    if (type.length > 0) headers["content-type"] = type;
    if (c.encoding) headers["content-encoding"] = c.encoding;
    const body = c.pieces.join("");
    // The body goes late: only once the service has the request's headers (Envoy forwards them
    // before any body callback; it is the body that is held).
    const beforeBody = late ? () => waitFor("the headers at the service", () => m.upstream.byId(id).length > 0) : undefined;
    const r = { port: m.envoy.listenerPort, ca: m.pki.ca.cert, method: c.method, path: c.path, headers, pieces: c.pieces, beforeBody };
    if (framing.startsWith("h2") && c.lengthKnown !== false) headers["content-length"] = String(Buffer.byteLength(body));
    return sendFramed(r, framing);
  }

  async function run(c: BodyCase, framing: Framing, connection: "warm" | "cold", late: boolean): Promise<void> {
    await prepare(connection);
    const id = randomUUID();
    const reply = await send(c, framing, id, late);
    await quiesce(mesh());
    const witnessed = mesh().upstream.byId(id);
    const complete = witnessed.filter((w) => w.state === "complete");
    const bytes = witnessed.reduce((n, w) => n + w.bytes, 0);
    table.push({
      framing, connection: connection + (late ? ", body late" : ""), kind: c.kind, name: c.name, client: reply.status,
      service: complete.length > 0 ? `complete (${bytes} bytes)` : witnessed.length > 0 ? `${witnessed[0].state}, ${bytes} body bytes` : "nothing",
    });
    expect(reply.status).toBe(c.status);
    if (c.reason) expect(JSON.parse(reply.body).reason).toBe(c.reason);
    if (c.status === 200) {
      expect(complete.length).toBe(1);
      expect(complete[0].body).toBe(c.pieces.join(""));
    } else {
      expect(complete).toEqual([]);       // never a complete refused request
      expect(bytes).toBe(0);              // and not one byte of its body
    }
  }

  for (const connection of ["warm", "cold"] as const) {
    for (const framing of FRAMINGS) {
      for (const c of BODY_CASES) {
        if (framing === "h1-length" && c.lengthKnown === false) continue;
        it(`${connection}, ${framing}: ${c.kind}, ${c.name} → ${c.status}`, () => run(c, framing, connection, false));
      }
    }
  }
  for (const framing of FRAMINGS) {
    for (const c of BODY_CASES.filter((x) => x.kind !== "valid")) {
      if (framing === "h1-length" && c.lengthKnown === false) continue;
      it(`body sent late, ${framing}: ${c.kind}, ${c.name} → ${c.status}`, () => run(c, framing, "warm", true));
    }
  }
});
