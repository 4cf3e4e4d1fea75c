// Hot reload in plain Envoy: the wasm filter's configuration as a file-based ECDS resource. A new
// policy is written beside the watched file and renamed over it, so Envoy never reads half a file.
// Envoy builds the new plugin first; if meshguard refuses the policy (its configure answers false),
// Envoy rejects the update and the plugin in force keeps serving.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { wasmFilterConfig } from "./config.ts";

let sequence = 0;

export function writeExtensionConfig(dir: string, wasmPath: string, pluginConfig: unknown): string {
  const version = `${Date.now()}-${++sequence}`;
  const response = {
    version_info: version,
    resources: [{ "@type": "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig", name: "meshguard", typed_config: wasmFilterConfig(wasmPath, pluginConfig) }],
  };
  const staged = join(dir, `.meshguard.json.${version}`);
  writeFileSync(staged, JSON.stringify(response));
  renameSync(staged, join(dir, "meshguard.json"));
  return version;
}
