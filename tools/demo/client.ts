// HTTPS calls into the demo's Envoy, as the callers of the scene make them: a kept-alive connection
// per caller, a client certificate for mesh services, a token or an API key for the others, and the
// address a gateway in front would have appended to x-forwarded-for.
import { Agent, request } from "node:https";
import { readFileSync } from "node:fs";
import type { CertFiles } from "../envoy/pki.ts";

export interface Reply { status: number; body: string; headers: Record<string, string | string[] | undefined> }

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
    send: (method, path, x = {}) => new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...base, ...x.headers };
      if (x.body !== undefined) headers["content-length"] = String(Buffer.byteLength(x.body));
      const req = request({ host: "127.0.0.1", port, servername: "localhost", method, path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.setTimeout(10_000, () => req.destroy(new Error("request timed out")));
      if (x.body !== undefined) req.write(x.body);
      req.end();
    }),
    close: () => agent.destroy(),
  };
}

// The reason in a meshguard local reply's body, or "" for any other answer.
export function reasonOf(r: Reply): string {
  try { const j = JSON.parse(r.body) as { reason?: unknown }; return typeof j.reason === "string" ? j.reason : ""; } catch { return ""; }
}
