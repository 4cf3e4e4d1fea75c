// What every real-Envoy table test does alike: one Envoy for a describe block, each case over
// HTTP/1.1 and HTTP/2, and one way to send a case's request over either.
import { afterAll, beforeAll, beforeEach, it } from "vitest";
import type { EnvoyConfigOptions } from "../../tools/envoy/config";
import type { CertFiles } from "../../tools/envoy/pki";
import { type Reply, call } from "./client";
import { type Mesh, dumpLogOnFailure, startMesh } from "./fixture";
import { sendFramed } from "./raw";

// The hooks of a describe block that runs on an Envoy of its own: started before its tests (then
// `ready` runs, e.g. to issue client certificates), stopped after them, its log printed when a
// test fails. Returns the running mesh's getter.
export function meshPerSuite(policy: unknown, options: Partial<EnvoyConfigOptions>, ready?: (m: Mesh) => void): () => Mesh {
  let mesh: Mesh | undefined;
  beforeAll(async () => { mesh = await startMesh(policy, options); ready?.(mesh); });
  afterAll(async () => { await mesh?.stop(); });
  beforeEach(() => dumpLogOnFailure(() => mesh));
  return () => {
    if (!mesh) throw new Error("the mesh did not start");
    return mesh;
  };
}

export interface TableRequest {
  method?: string;                                // default GET
  path: string;
  headers?: Record<string, string | string[]>;    // a list: one line (HTTP/1.1) or field (HTTP/2) per value
  cert?: CertFiles | null;                        // a client certificate to present
  body?: string;
  chunks?: string[];                              // a body of unknown length, in these pieces
}

// One request over HTTP/1.1 (the tests' client) or HTTP/2 (a raw stream: a body of known length
// announces it, chunks go out as DATA frames, the end in an empty frame of its own).
export function sendOver(m: Mesh, http2: boolean, r: TableRequest): Promise<Reply> {
  const ca = m.pki.ca.cert;
  if (!http2) return call(m.envoy.listenerPort, { ...r, ca });
  const headers = r.body === undefined ? r.headers : { ...r.headers, "content-length": String(Buffer.byteLength(r.body)) };
  const pieces = r.chunks ?? (r.body === undefined ? [] : [r.body]);
  return sendFramed({ port: m.envoy.listenerPort, ca, method: r.method ?? "GET", path: r.path, headers, cert: r.cert, pieces }, "h2-empty-end");
}

// Each case as a test over HTTP/1.1, then each over HTTP/2 (named "<name> (HTTP/2)").
export function overBothProtocols<C extends { name: string }>(cases: readonly C[], test: (c: C, http2: boolean) => Promise<void>): void {
  for (const http2 of [false, true]) for (const c of cases) it(`${c.name}${http2 ? " (HTTP/2)" : ""}`, () => test(c, http2));
}
