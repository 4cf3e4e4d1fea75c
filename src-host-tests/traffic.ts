// Request mixes for the memory check and the benchmark, driven straight through the emulator's
// stream API (no JSON, no UUIDs) so the host's own cost stays small next to the filter's.
import type { HeaderPairs } from "../tools/emulator/abi";
import type { ProxyWasmHost } from "../tools/emulator/host";

const BASE: HeaderPairs = [[":authority", "orders.shop"], [":method", "GET"], [":scheme", "https"], ["x-request-id", "5b3c1a2e-8f4d-4c6b-9a7e-1d2c3b4a5f60"], ["user-agent", "bench"]];

export interface Shot { path: string; peer: string | null; metadata?: Buffer; sourceAddress?: string }

export const ALLOWED: Shot = { path: "/api/orders/42", peer: "spiffe://meshguard.test/ns/shop/sa/web" };
export const REFUSED: Shot[] = [
  { path: "/api/orders/42", peer: "spiffe://meshguard.test/ns/dev/sa/web" },
  { path: "/api/orders/42", peer: null },
  { path: "/metrics", peer: "spiffe://meshguard.test/ns/shop/sa/web" },
  { path: "/api/%2e%2e/admin", peer: "spiffe://meshguard.test/ns/shop/sa/web" },
];

// One request's whole lifecycle in the host, as Envoy drives it.
export function shoot(host: ProxyWasmHost, shot: Shot): void {
  const s = host.newStream({ peerUriSan: shot.peer, sourceAddress: shot.sourceAddress, properties: shot.metadata ? { metadata: shot.metadata } : undefined });
  s.sendRequestHeaders([[":path", shot.path], ...BASE], true);
  if (!s.localReply) s.sendResponseHeaders([[":status", "200"], ["content-length", "0"]], true);
  s.finish();
}

// Every fourth request refused, cycling through the refusal kinds.
export function mixedTraffic(host: ProxyWasmHost): (n: number) => void {
  let i = 0;
  return (n: number) => {
    for (let k = 0; k < n; k++, i++) shoot(host, i % 4 === 3 ? REFUSED[(i >> 2) % REFUSED.length] : ALLOWED);
  };
}

// A policy of n routes, each with two allow rules (a role, and a service identity), for the
// policy-size benchmark. The shot below matches the last route declared, so every route is tried.
export function rulesPolicy(n: number): object {
  const routes = [];
  for (let i = 0; i < n; i++) {
    routes.push({
      path: `/api/svc${i}/items/{itemId}`, methods: ["GET"],
      allow: [{ any_role: [`reader-${i}`] }, { peers: [`spiffe://meshguard.test/ns/svc${i}/sa/*`] }],
    });
  }
  return { routes };
}

export function rulesShot(n: number, metadata: Buffer): Shot {
  return { path: `/api/svc${n - 1}/items/42`, peer: "spiffe://meshguard.test/ns/other/sa/web", metadata };
}
