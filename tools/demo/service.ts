// The demo's shop service behind Envoy: a catalog, orders per user, service-to-service orders, an
// admin API and partner reports, answered with small JSON documents. It is also the witness of the
// scene: it counts what reached it per caller (x-demo-caller, set by the traffic generator and the
// attacks), so the page can show how many of an attack's requests got through.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ShopService {
  port: number;
  reached(caller: string): number;   // requests of this caller that reached the service
  total: number;
  close(): Promise<void>;
}

const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });

function answer(method: string, path: string, headers: Record<string, string | string[] | undefined>): { status: number; body: string } {
  const user = String(headers["x-meshguard-user"] ?? "");
  let m: RegExpMatchArray | null;
  if (path === "/healthz") return json(200, { ok: true });
  if ((m = path.match(/^\/api\/catalog\/items\/(\d+)$/))) return json(200, { id: Number(m[1]), sku: `ABC-${m[1].padStart(3, "0").slice(-3)}`, price: 9.5 + Number(m[1]) });
  if (path.startsWith("/api/catalog")) return json(200, { items: [1, 2, 3].map((id) => ({ id })) });
  if ((m = path.match(/^\/users\/([^/]+)\/orders\/(\d+)$/))) return json(200, { user: m[1], order: Number(m[2]), status: "shipped", read_by: user });
  if ((m = path.match(/^\/users\/([^/]+)\/orders$/)) && method === "POST") return json(201, { user: m[1], order: Math.floor(Math.random() * 1e6) });
  if ((m = path.match(/^\/api\/orders\/(\d+)/))) return json(200, { order: Number(m[1]), for: String(headers["x-meshguard-peer-id"] ?? "") });
  if (path.startsWith("/api/admin")) return json(200, { users: ["alice", "bob", "carol"] });
  if (path.startsWith("/api/reports")) return json(200, { client: String(headers["x-meshguard-api-client"] ?? ""), revenue: 1234.5 });
  return json(404, { error: "not found" });
}

export async function startShopService(): Promise<ShopService> {
  const reached = new Map<string, number>();
  let total = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const caller = String(req.headers["x-demo-caller"] ?? "");
      reached.set(caller, (reached.get(caller) ?? 0) + 1);
      total++;
      const r = answer(req.method ?? "GET", (req.url ?? "/").split("?")[0], req.headers);
      res.writeHead(r.status, { "content-type": "application/json", "content-length": Buffer.byteLength(r.body) });
      res.end(r.body);
    });
  });
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    port: (server.address() as AddressInfo).port,
    reached: (caller) => reached.get(caller) ?? 0,
    get total() { return total; },
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
