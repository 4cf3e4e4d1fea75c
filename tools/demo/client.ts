// HTTPS calls into the demo's Envoy, as the callers of the scene make them: a kept-alive connection
// per caller, a client certificate for mesh services, a token or an API key for the others, and the
// address a gateway in front would have appended to x-forwarded-for.
import { Agent } from "node:https";
import { readFileSync } from "node:fs";
import type { CertFiles } from "../envoy/pki.ts";
import { type Reply, call } from "../envoy/client.ts";

export type { Reply };

export interface Caller {
  name: string;                        // also sent as x-demo-caller, for the service's count
  send(method: string, path: string, o?: { headers?: Record<string, string>; body?: string }): Promise<Reply>;
  close(): void;
}

export function makeCaller(port: number, ca: string, name: string, o: { cert?: CertFiles; address?: string; headers?: Record<string, string> } = {}): Caller {
  const caPem = readFileSync(ca);
  const agent = new Agent({
    keepAlive: true, maxSockets: 8, ca: caPem,
    cert: o.cert ? readFileSync(o.cert.cert) : undefined, key: o.cert ? readFileSync(o.cert.key) : undefined,
  });
  const base: Record<string, string> = { "x-demo-caller": name, ...(o.address ? { "x-forwarded-for": o.address } : {}), ...o.headers };
  return {
    name,
    send: (method, path, x = {}) => call(port, { method, path, headers: { ...base, ...x.headers }, body: x.body, ca, cert: o.cert, agent }),
    close: () => agent.destroy(),
  };
}

// The reason in a meshguard local reply's body, or "" for any other answer.
export function reasonOf(r: Reply): string {
  try { const j = JSON.parse(r.body) as { reason?: unknown }; return typeof j.reason === "string" ? j.reason : ""; } catch { return ""; }
}
