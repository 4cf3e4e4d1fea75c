// Loads the compiled filter into the emulator. The test command builds it first.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ProxyWasmHost } from "../tools/emulator/host";

// MESHGUARD_WASM runs the same tests against another build (e.g. the code before a fix).
export const WASM_PATH = process.env.MESHGUARD_WASM ?? resolve(import.meta.dirname, "..", "build", "meshguard.wasm");
export const NOOP_WASM_PATH = resolve(import.meta.dirname, "..", "build", "noop.wasm");

let cached: Buffer | null = null;
export function filterBytes(): Buffer {
  if (!cached) {
    if (!existsSync(WASM_PATH)) throw new Error(`${WASM_PATH} is missing: run npm run build`);
    cached = readFileSync(WASM_PATH);
  }
  return cached;
}

export function loadFilter(config: unknown): Promise<ProxyWasmHost> {
  const pluginConfig = typeof config === "string" || Buffer.isBuffer(config) ? config : JSON.stringify(config);
  return ProxyWasmHost.load(filterBytes(), { pluginConfig });
}
