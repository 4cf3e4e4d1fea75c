// An HTTPS client for the mesh listener, for the tests and the demo's callers: presents a client
// certificate (or none) and trusts the test CA. A new connection per request unless an agent is
// given, since the peer identity belongs to the connection.
import { Agent, request as httpsRequest } from "node:https";
import { readFileSync } from "node:fs";
import type { CertFiles } from "./pki";

export interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }
export interface CallOptions {
  method?: string; path: string; headers?: Record<string, string | string[]>; body?: string;
  cert?: CertFiles | null; ca: string;
  agent?: Agent;      // a keep-alive agent: one connection reused (default: a new connection)
  // A body written in these pieces with no content-length (chunked), instead of `body`.
  chunks?: string[];
}

// One kept-alive connection per agent, so a client's requests share a connection (and a worker).
export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

export function call(port: number, o: CallOptions): Promise<Reply> {
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
