// One real Envoy with meshguard, an echo upstream and a PKI, started once per test file and always
// torn down. On a failing test the caller prints Envoy's log (see dumpLogOnFailure).
import { onTestFailed } from "vitest";
import { resolve } from "node:path";
import { type EnvoyConfigOptions, envoyConfig } from "./envoy-config";
import { type RunningEnvoy, startEnvoy } from "./envoy";
import { type Pki, createPki } from "./pki";
import { type Upstream, startUpstream } from "./upstream";

export const WASM_PATH = resolve(import.meta.dirname, "..", "..", "build", "meshguard.wasm");

export interface Mesh { pki: Pki; upstream: Upstream; envoy: RunningEnvoy; stop(): Promise<void> }

export async function startMesh(pluginConfig: unknown, options: Partial<EnvoyConfigOptions> = {}, run: { concurrency?: number; launcher?: "binary" | "compose" } = {}): Promise<Mesh> {
  const pki = createPki();
  const upstream = await startUpstream();
  try {
    const envoy = await startEnvoy(envoyConfig({ wasmPath: WASM_PATH, pluginConfig, upstreamPort: upstream.port, pki, ...options }), run);
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
