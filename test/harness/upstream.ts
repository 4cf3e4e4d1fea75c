// A Node upstream that answers every request with what it received, as JSON.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Echo { method: string; path: string; headers: Record<string, string | string[]>; body: string }

export interface Upstream { port: number; received: Echo[]; close(): Promise<void> }

export async function startUpstream(): Promise<Upstream> {
  const received: Echo[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const echo: Echo = {
        method: req.method ?? "", path: req.url ?? "",
        headers: req.headers as Record<string, string | string[]>,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(echo);
      const payload = JSON.stringify(echo);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(payload) });
      res.end(payload);
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  return {
    port, received,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
