// Clients that control framing exactly, as an attacker would: HTTP/1.1 bytes written on a TLS
// socket (content-length or chunked, pieces written one by one, the body sent late), and HTTP/2
// through node:http2 with the body's end in its last DATA frame, in an empty DATA frame of its
// own, or in trailers. Envoy's view of each framing is checked in test/agreement.e2e.test.ts.
import { connect as h2connect } from "node:http2";
import { connect as tlsConnect } from "node:tls";
import { readFileSync } from "node:fs";
import type { CertFiles } from "../../tools/envoy/pki";

export interface RawReply { status: number; headers: Record<string, string>; body: string }

export type H1Framing = "length" | "chunked";
export type H2Framing = "end-on-data" | "empty-end" | "trailers";

// Every framing a client can give a request, as the tests name them: HTTP/1.1 with content-length
// or chunked; HTTP/2 with END_STREAM on the last DATA frame, in an empty frame, or after trailers.
export const WIRE_FRAMINGS = ["h1-length", "h1-chunked", "h2-end-on-data", "h2-empty-end", "h2-trailers"] as const;
export type WireFraming = (typeof WIRE_FRAMINGS)[number];

export interface RawRequest {
  port: number;
  ca: string;
  method?: string;
  path: string;
  headers?: Record<string, string | string[]>;   // a list: one line (HTTP/1.1) or field (HTTP/2) per value
  cert?: CertFiles | null;               // a client certificate to present (default none)
  headerLines?: string[];                // HTTP/1.1 only: raw header lines, e.g. a header given twice
  contentLength?: number;                // h1-length only: the length announced, if not the body's
  pieces: string[];                      // the body, written piece by piece ([] for none)
  trailers?: Record<string, string>;     // h1-chunked and h2-trailers: the trailers sent (default x-trailer: end on HTTP/2, none on HTTP/1.1)
  beforeBody?: () => Promise<void>;      // runs after the headers are sent, before any body
  afterPiece?: (index: number) => Promise<void>;  // runs after each piece but the last is sent
}

// Parses one HTTP/1.1 response (content-length or chunked) from the bytes received so far; null
// while incomplete.
function parseH1(buf: Buffer, closed: boolean): RawReply | null {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(lines[0].split(" ")[1]);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const c = l.indexOf(":");
    headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
  }
  const rest = buf.subarray(end + 4);
  if (headers["content-length"] !== undefined) {
    const n = Number(headers["content-length"]);
    return rest.length >= n ? { status, headers, body: rest.subarray(0, n).toString("utf8") } : null;
  }
  if (headers["transfer-encoding"] === "chunked") {
    const out: Buffer[] = [];
    let at = 0;
    for (;;) {
      const nl = rest.indexOf("\r\n", at);
      if (nl < 0) return null;
      const size = parseInt(rest.subarray(at, nl).toString("latin1"), 16);
      if (size === 0) return { status, headers, body: Buffer.concat(out).toString("utf8") };
      if (rest.length < nl + 2 + size + 2) return null;
      out.push(rest.subarray(nl + 2, nl + 2 + size));
      at = nl + 2 + size + 2;
    }
  }
  return closed ? { status, headers, body: rest.toString("utf8") } : null;
}

export function h1(r: RawRequest, framing: H1Framing): Promise<RawReply> {
  const body = r.pieces.join("");
  const lines = [`${r.method ?? "POST"} ${r.path} HTTP/1.1`, "host: localhost"];
  for (const [k, v] of Object.entries(r.headers ?? {})) for (const one of [v].flat()) lines.push(`${k}: ${one}`);
  lines.push(...(r.headerLines ?? []));
  if (framing === "length") lines.push(`content-length: ${r.contentLength ?? Buffer.byteLength(body)}`);
  else lines.push("transfer-encoding: chunked");
  const head = lines.join("\r\n") + "\r\n\r\n";
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (v: RawReply | null, err?: Error) => {
      if (done) return;
      if (v === null && !err) return;
      done = true;
      socket.destroy();
      if (v) resolve(v); else reject(err);
    };
    const socket = tlsConnect({ host: "127.0.0.1", port: r.port, servername: "localhost", ca: readFileSync(r.ca), ...clientCert(r), ALPNProtocols: ["http/1.1"] }, () => {
      (async () => {
        socket.write(head);
        if (r.beforeBody) await r.beforeBody();
        const pieces = r.pieces.filter((p) => p.length > 0);
        for (let i = 0; i < pieces.length && !done; i++) {
          const p = pieces[i];
          socket.write(framing === "length" ? p : `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`);
          if (r.afterPiece && i < pieces.length - 1) await r.afterPiece(i);
        }
        if (framing === "chunked" && !done) socket.write("0\r\n" + Object.entries(r.trailers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n");
      })().catch((e) => finish(null, e as Error));   // a wait that outlives the reply (refused at the headers) ends here
    });
    socket.on("data", (d: Buffer) => { buf = Buffer.concat([buf, d]); finish(parseH1(buf, false)); });
    socket.on("end", () => finish(parseH1(buf, true), new Error(`connection closed without a response: ${buf.toString("latin1").slice(0, 200)}`)));
    socket.on("error", (e) => { const parsed = parseH1(buf, true); finish(parsed, parsed ? undefined : e); });
    socket.setTimeout(10_000, () => finish(null, new Error("HTTP/1.1 request timed out")));
  });
}

function clientCert(r: RawRequest): { cert?: Buffer; key?: Buffer } {
  return r.cert ? { cert: readFileSync(r.cert.cert), key: readFileSync(r.cert.key) } : {};
}

export function h2(r: RawRequest, framing: H2Framing): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://localhost:${r.port}`, { ca: readFileSync(r.ca), ...clientCert(r), servername: "localhost" });
    let settled = false;
    const finish = (v: RawReply | null, err?: Error) => {
      if (settled) return;
      settled = true;
      session.close();
      if (v) resolve(v); else reject(err);
    };
    session.on("error", (e) => finish(null, e));
    const req = session.request({ ":method": r.method ?? "POST", ":path": r.path, ...(r.headers ?? {}) }, { endStream: false, waitForTrailers: framing === "trailers" });
    if (framing === "trailers") req.on("wantTrailers", () => req.sendTrailers(r.trailers ?? { "x-trailer": "end" }));
    let status = 0;
    let headers: Record<string, string> = {};
    const chunks: Buffer[] = [];
    req.on("response", (h) => {
      status = Number(h[":status"]);
      headers = Object.fromEntries(Object.entries(h).filter(([k]) => !k.startsWith(":")).map(([k, v]) => [k, String(v)]));
    });
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => finish({ status, headers, body: Buffer.concat(chunks).toString("utf8") }));
    // A reset after Envoy's reply (the rest of the body refused) still leaves that reply.
    req.on("error", (e) => finish(status ? { status, headers, body: Buffer.concat(chunks).toString("utf8") } : null, e));
    req.on("close", () => finish(status ? { status, headers, body: Buffer.concat(chunks).toString("utf8") } : null, new Error(`HTTP/2 stream closed without a response (code ${req.rstCode})`)));
    req.setTimeout(10_000, () => finish(null, new Error("HTTP/2 request timed out")));
    (async () => {
      if (r.beforeBody) await r.beforeBody();
      const pieces = r.pieces.filter((p) => p.length > 0);
      for (let i = 0; i < pieces.length; i++) {
        if (req.destroyed || req.closed) return;
        // END_STREAM on the last DATA frame: the data and the end go out together.
        if (framing === "end-on-data" && i === pieces.length - 1) { req.end(pieces[i]); return; }
        await new Promise<void>((ok) => req.write(pieces[i], () => ok()));
        if (r.afterPiece && i < pieces.length - 1) await r.afterPiece(i);
      }
      // After every write has gone out: an empty DATA frame with END_STREAM (or the trailers).
      if (!req.destroyed && !req.closed) req.end();
    })().catch((e) => finish(null, e as Error));
  });
}

// One request in the given framing (h1 or h2 above).
export function sendFramed(r: RawRequest, framing: WireFraming): Promise<RawReply> {
  if (framing === "h1-length") return h1(r, "length");
  if (framing === "h1-chunked") return h1(r, "chunked");
  return h2(r, framing.slice(3) as H2Framing);
}
