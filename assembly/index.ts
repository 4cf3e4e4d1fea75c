// The proxy-wasm ABI (0.2.1) entry points: Envoy calls these. They find the context, hand the
// call to the plugin or stream, and never throw: an unknown context id is answered with Continue
// (or failure for configure), not a trap.
import { BufferType, LogLevel, allocateForHost, getConfiguration, log } from "./abi/host";
import { Plugin } from "./abi/plugin";
import { HostStream } from "./abi/stream";
import { compileConfig } from "./config/compile";
import { CONTINUE } from "./pipeline/body-step";
import { collectSoon, enterCallback, leaveCallback } from "./abi/collect";

const plugins = new Map<u32, Plugin>();
const streams = new Map<u32, HostStream>();

export function proxy_abi_version_0_2_1(): void {}

// The host asks for memory to write values into (proxy-wasm "proxy_on_memory_allocate").
export function malloc(size: usize): usize {
  return allocateForHost(size);
}
export function proxy_on_memory_allocate(size: usize): usize {
  return allocateForHost(size);
}

// Every callback that may allocate enters and leaves abi/collect.ts, where garbage is collected.
export function proxy_on_context_create(contextId: u32, parentId: u32): void {
  enterCallback();
  createContext(contextId, parentId);
  leaveCallback();
}

function createContext(contextId: u32, parentId: u32): void {
  if (parentId == 0) {
    if (!plugins.has(contextId)) plugins.set(contextId, new Plugin());
    return;
  }
  if (!plugins.has(parentId)) return; // a stream of a plugin we never saw: ignored, never trusted
  streams.set(contextId, new HostStream(plugins.get(parentId)));
}

export function proxy_on_vm_start(rootId: u32, vmConfigSize: u32): u32 {
  return 1;
}

export function proxy_validate_configuration(rootId: u32, size: u32): u32 {
  // Envoy does not call this today. A check only: nothing is kept, counted or logged.
  enterCallback();
  const ok = compileConfig(getConfiguration(BufferType.PluginConfiguration, size)).ok;
  collectSoon();
  leaveCallback();
  return ok ? 1 : 0;
}

export function proxy_on_configure(rootId: u32, size: u32): u32 {
  enterCallback();
  if (!plugins.has(rootId)) plugins.set(rootId, new Plugin());
  const ok = plugins.get(rootId).configure(getConfiguration(BufferType.PluginConfiguration, size));
  collectSoon();
  leaveCallback();
  return ok ? 1 : 0;
}

export function proxy_on_tick(rootId: u32): void {
  enterCallback();
  if (plugins.has(rootId)) plugins.get(rootId).onTick();
  leaveCallback();
}

export function proxy_on_request_headers(contextId: u32, headerCount: u32, endOfStream: u32): u32 {
  enterCallback();
  const r = streams.has(contextId) ? streams.get(contextId).onRequestHeaders(endOfStream != 0) : CONTINUE;
  leaveCallback();
  return r;
}

export function proxy_on_request_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 {
  enterCallback();
  const r = streams.has(contextId) ? streams.get(contextId).onRequestBody(bodySize, endOfStream != 0) : CONTINUE;
  leaveCallback();
  return r;
}

export function proxy_on_request_trailers(contextId: u32, trailerCount: u32): u32 {
  enterCallback();
  const r = streams.has(contextId) ? streams.get(contextId).onRequestTrailers() : CONTINUE;
  leaveCallback();
  return r;
}

export function proxy_on_response_headers(contextId: u32, headerCount: u32, endOfStream: u32): u32 {
  enterCallback();
  const r = streams.has(contextId) ? streams.get(contextId).onResponseHeaders() : CONTINUE;
  leaveCallback();
  return r;
}

// Not exported, on purpose: proxy_on_response_body, proxy_on_response_trailers, proxy_on_done and
// proxy_on_log would only answer Continue / done. Envoy's host calls a callback only when the
// module exports it and otherwise takes exactly those answers (proxy-wasm-cpp-host
// ContextBase::onDone and friends), so leaving them out saves four calls into the VM per request.

export function proxy_on_delete(contextId: u32): void {
  enterCallback();
  if (streams.has(contextId)) streams.delete(contextId);
  else if (plugins.has(contextId)) plugins.delete(contextId);
  leaveCallback();
}

// AssemblyScript calls this on a failed internal assertion (out of memory, a bug). No input
// reaches it by design; if it is ever reached, say so loudly before the VM stops, so Envoy's log
// shows why (failure_policy then decides what Envoy does with the VM).
export function meshguardAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const m = message !== null ? message : "";
  const f = fileName !== null ? fileName : "";
  log(LogLevel.Critical, "meshguard: abort: " + m + " at " + f + ":" + line.toString() + ":" + column.toString());
  unreachable();
}

