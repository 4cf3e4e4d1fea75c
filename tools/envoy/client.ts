// An HTTPS client for the mesh listener, for the tests and the demo's callers: presents a client
// certificate (or none) and trusts the test CA. A new connection per request unless an agent is
// given, since the peer identity belongs to the connection.
import { Agent, request as httpsRequest } from "node:https";
import { connect as h2connect } from "node:http2";
import { readFileSync } from "node:fs";
import type { CertFiles } from "./pki";

export interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }
export interface CallOptions {
  method?: string; path: string; headers?: Record<string, string | string[]>; body?: string;
  cert?: CertFiles | null; ca: string;
  agent?: Agent;      // a keep-alive agent: one connection reused (default: a new connection)
  // A body written in these pieces with no content-length (chunked), instead of `body`.
  chunks?: string[];
  http2?: boolean;    // over HTTP/2, on a connection of its own (no agent, no chunks)
}

// One kept-alive connection per agent, so a client's requests share a connection (and a worker).
export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

export function call(port: number, o: CallOptions): Promise<Reply> {
  if (o.http2) return callH2(port, o);
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      host: "127.0.0.1", port, servername: "localhost", method: o.method ?? "GET", path: o.path,
      // A body goes with its content-length (Node would otherwise send it chunked); `chunks` is
      // the way to send one of unknown length.
      headers: o.body !== undefined ? { "content-length": String(Buffer.byteLength(o.body)), ...o.headers } : o.headers,
      ca: readFileSync(o.ca), agent: o.agent ?? false,
      cert: o.cert ? readFileSync(o.cert.cert) : undefined, key: o.cert ? readFileSync(o.cert.key) : undefined,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error("request timed out")));
    if (o.body !== undefined) req.write(o.body);
    for (const piece of o.chunks ?? []) req.write(piece);
    req.end();
  });
}

function callH2(port: number, o: CallOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://localhost:${port}`, {
      ca: readFileSync(o.ca), servername: "localhost",
      cert: o.cert ? readFileSync(o.cert.cert) : undefined, key: o.cert ? readFileSync(o.cert.key) : undefined,
    });
    const fail = (e: Error) => { session.destroy(); reject(e); };
    session.on("error", fail);
    const req = session.request({ ":method": o.method ?? "GET", ":path": o.path, ...o.headers }, { endStream: o.body === undefined });
    let status = 0;
    let headers: Reply["headers"] = {};
    const chunks: Buffer[] = [];
    req.on("response", (h) => {
      status = Number(h[":status"]);
      headers = Object.fromEntries(Object.entries(h).filter(([k]) => !k.startsWith(":"))) as Reply["headers"];
    });
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => { session.close(); resolve({ status, headers, body: Buffer.concat(chunks).toString("utf8") }); });
    req.on("error", fail);
    req.setTimeout(10_000, () => fail(new Error("HTTP/2 request timed out")));
    if (o.body !== undefined) req.end(o.body);
  });
}
