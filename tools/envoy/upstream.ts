// The service behind Envoy, and the witness of every protection test: it answers each request with
// what it received (as JSON), and records every request it sees, including the ones that never
// finish: headers only, part of a body, or a stream Envoy reset.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Echo { method: string; path: string; headers: Record<string, string | string[]>; body: string }

// One request as the service saw it, from its headers to its end.
export interface Witnessed {
  id: string;                           // the x-test-id header, or "" when there is none
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  bytes: number;                        // body bytes that arrived
  body: string;
  trailers: Record<string, string>;     // the request's trailers, once it is complete
  state: "open" | "complete" | "reset"; // complete: the whole request arrived and was answered
}

export interface Upstream {
  port: number;
  received: Echo[];                     // complete requests, in order
  seen: Witnessed[];                    // every request, complete or not
  readonly open: number;                // requests whose end has not come yet
  readonly connections: number;         // TCP connections from Envoy still open at the service
  // After each response the service closes its connection, so Envoy opens a new one for every
  // request (a cold upstream). false (default): kept alive, so requests reuse a warm connection.
  closeAfterResponse: boolean;
  byId(id: string): Witnessed[];
  closeIdleConnections(): void;         // closes kept-alive connections that carry no request
  close(): Promise<void>;
}

// record: false keeps no request (the load benchmark: millions of requests would fill memory, and
// the garbage collector would make the machine busy while it measures).
export async function startUpstream(o: { record?: boolean } = {}): Promise<Upstream> {
  const record = o.record ?? true;
  const received: Echo[] = [];
  const seen: Witnessed[] = [];
  let open = 0;
  const state = { closeAfterResponse: false };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const w: Witnessed = {
      id: String(req.headers["x-test-id"] ?? ""), method: req.method ?? "", path: req.url ?? "",
      headers: req.headers as Record<string, string | string[]>, bytes: 0, body: "", trailers: {}, state: "open",
    };
    if (record) seen.push(w);
    open++;
    const socket = req.socket;
    sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    const chunks: Buffer[] = [];
    const settle = (s: Witnessed["state"]) => {
      if (w.state !== "open") return;
      w.state = s;
      w.body = Buffer.concat(chunks).toString("utf8");
      open--;
      if (sockets.has(socket)) sockets.set(socket, sockets.get(socket)! - 1);
    };
    req.on("data", (c: Buffer) => { if (record) chunks.push(c); w.bytes += c.length; });
    req.on("end", () => {
      const echo: Echo = { method: w.method, path: w.path, headers: w.headers, body: Buffer.concat(chunks).toString("utf8") };
      if (record) received.push(echo);
      w.trailers = req.trailers as Record<string, string>;
      settle("complete");
      const payload = JSON.stringify(echo);
      const headers: Record<string, string | number> = { "content-type": "application/json", "content-length": Buffer.byteLength(payload) };
      if (state.closeAfterResponse) headers.connection = "close";
      res.writeHead(200, headers);
      res.end(payload);
    });
    // A stream cut before its end (Envoy reset it): 'close' without 'end'.
    req.on("close", () => { if (!req.complete) settle("reset"); });
  });
  server.keepAliveTimeout = 120_000;
  // Every connection from Envoy, with the requests it carries that have not ended.
  const sockets = new Map<Socket, number>();
  server.on("connection", (socket: Socket) => { sockets.set(socket, 0); socket.on("close", () => { sockets.delete(socket); }); });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  return {
    port, received, seen,
    get open() { return open; },
    get connections() { return sockets.size; },
    get closeAfterResponse() { return state.closeAfterResponse; },
    set closeAfterResponse(v: boolean) { state.closeAfterResponse = v; },
    byId: (id: string) => seen.filter((w) => w.id === id),
    // Also the connections Envoy opened for a request it then dropped before sending it.
    closeIdleConnections: () => { for (const [socket, n] of sockets) if (n === 0) socket.destroy(); },
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
