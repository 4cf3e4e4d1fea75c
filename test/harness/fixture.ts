// One real Envoy with meshguard, an echo upstream and a PKI, started once per test file and always
// torn down. On a failing test the caller prints Envoy's log (see dumpLogOnFailure).
import { onTestFailed } from "vitest";
import { resolve } from "node:path";
import { type EnvoyConfigOptions, envoyConfig } from "../../tools/envoy/config";
import { type RunningEnvoy, startEnvoy } from "../../tools/envoy/process";
import { type Pki, createPki } from "../../tools/envoy/pki";
import { type Upstream, startUpstream } from "../../tools/envoy/upstream";

// MESHGUARD_WASM runs the same tests against another build (e.g. an older one, to show a test
// failing before a fix).
export const WASM_PATH = process.env.MESHGUARD_WASM ?? resolve(import.meta.dirname, "..", "..", "build", "meshguard.wasm");

export interface Mesh { pki: Pki; upstream: Upstream; envoy: RunningEnvoy; stop(): Promise<void> }

export async function startMesh(pluginConfig: unknown, options: Partial<EnvoyConfigOptions> = {}, run: { concurrency?: number; launcher?: "binary" | "compose" } = {}): Promise<Mesh> {
  const pki = createPki();
  const upstream = await startUpstream();
  try {
    const balanceConnections = (run.concurrency ?? 1) > 1;
    const envoy = await startEnvoy(envoyConfig({ wasmPath: WASM_PATH, pluginConfig, upstreamPort: upstream.port, pki, balanceConnections, ...options }), run);
    return { pki, upstream, envoy, stop: async () => { await envoy.stop(); await upstream.close(); } };
  } catch (e) {
    await upstream.close();
    throw e;
  }
}

export function dumpLogOnFailure(mesh: () => Mesh | undefined): void {
  onTestFailed(() => {
    const m = mesh();
    if (m) process.stderr.write(`\n----- Envoy log -----\n${m.envoy.log()}\n----- end of Envoy log -----\n`);
  });
}

// Polls (never sleeps a fixed time) until `probe` returns true; throws with `what` on timeout.
export async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// The barrier before asserting what the service received: Envoy has no request in flight on
// either side (none waiting for a connection either), the service has seen the end (complete or
// reset) of every request it got, and both count the same open connections: a connection Envoy
// closed to reset a request has been read to its end by the service too.
export async function quiesce(mesh: Mesh): Promise<void> {
  await waitFor("Envoy and the service to finish every request", async () => {
    if (mesh.upstream.open > 0) return false;
    const s = await mesh.envoy.stats("_active");
    const stat = (name: string) => s[name] ?? 0;
    return stat("cluster.upstream.upstream_rq_active") === 0 && stat("cluster.upstream.upstream_rq_pending_active") === 0 &&
      stat("http.mesh_inbound.downstream_rq_active") === 0 && stat("cluster.upstream.upstream_cx_active") === mesh.upstream.connections &&
      mesh.upstream.open === 0;
  });
}
