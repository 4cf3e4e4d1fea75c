// One HTTP stream, as the host sees it: the StreamIO the pipeline runs on, made of proxy-wasm
// calls, and the callbacks that hand each ABI event to the pipeline. The stream captures the
// configuration in force when its request headers arrive, and keeps it to the end.
import { HeaderName, HeaderSnapshot } from "../lib/headers";
import { BytesLookup, Lookup } from "../lib/presence";
import { CONTINUE, STOP } from "../pipeline/body-step";
import { StreamIO } from "../pipeline/io";
import { RequestPipeline } from "../pipeline/pipeline";
import { refuseWithoutPolicy } from "../pipeline/settle";
import {
  HeaderMapType, LogLevel, PropertyPath, WasmResult, addHeader, getProperty, getPropertyBytes, getRequestBody, log,
  nowNanos, removeHeader, replaceHeader, sendLocalReply, setProperty, snapshotHeaders,
} from "./host";
import { Plugin } from "./plugin";

// First URI SAN of the validated peer certificate (Envoy context.cc, "connection" attributes).
const PEER_URI_SAN = new PropertyPath("connection.uri_san_peer_certificate");
// All dynamic metadata, as a serialised envoy.config.core.v3.Metadata (identity/claims.ts).
const METADATA = new PropertyPath("metadata");
const SOURCE_ADDRESS = new PropertyPath("source.address");
// The filter-state key the access log reads: %FILTER_STATE(wasm.meshguard:PLAIN)%.
const OUTCOME = new PropertyPath("meshguard");

export class HostStream extends StreamIO {
  private pipeline: RequestPipeline | null = null;

  constructor(private readonly plugin: Plugin) { super(); }

  // --- StreamIO ---
  requestHeaders(): HeaderSnapshot { return snapshotHeaders(HeaderMapType.RequestHeaders); }
  removeRequestHeader(name: HeaderName): bool { return removeHeader(HeaderMapType.RequestHeaders, name) == WasmResult.Ok; }
  setRequestHeader(name: HeaderName, value: string): bool { return replaceHeader(HeaderMapType.RequestHeaders, name, value) == WasmResult.Ok; }
  requestTrailers(): HeaderSnapshot { return snapshotHeaders(HeaderMapType.RequestTrailers); }
  removeRequestTrailer(name: HeaderName): bool { return removeHeader(HeaderMapType.RequestTrailers, name) == WasmResult.Ok; }
  addResponseHeader(name: HeaderName, value: string): void { addHeader(HeaderMapType.ResponseHeaders, name, value); }
  peerUriSan(): Lookup { return getProperty(PEER_URI_SAN); }
  metadata(): BytesLookup { return getPropertyBytes(METADATA); }
  sourceAddress(): string { return getProperty(SOURCE_ADDRESS).value; }
  now(): u64 { return nowNanos(); }
  requestBody(start: u32, length: u32): Uint8Array | null { return getRequestBody(start, length); }
  reply(status: u32, details: string, body: string, headerNames: string[], headerValues: string[]): void {
    sendLocalReply(status, details, body, headerNames, headerValues);
  }
  info(line: string): void { log(LogLevel.Info, line); }
  setOutcome(json: string): void { setProperty(OUTCOME, json); }

  // --- the ABI's stream callbacks ---
  onRequestHeaders(endOfStream: bool): u32 {
    const config = this.plugin.config;
    if (config === null) {
      refuseWithoutPolicy(this, this.plugin.fallbackTally);
      return STOP;
    }
    const pipeline = new RequestPipeline(config, this);
    this.pipeline = pipeline;
    return pipeline.onRequestHeaders(endOfStream);
  }

  onRequestBody(size: u32, endOfStream: bool): u32 {
    const p = this.pipeline;
    return p !== null ? p.onRequestBody(size, endOfStream) : STOP;
  }

  onRequestTrailers(): u32 {
    const p = this.pipeline;
    return p !== null ? p.onRequestTrailers() : STOP;
  }

  onResponseHeaders(): u32 {
    const p = this.pipeline;
    return p !== null ? p.onResponseHeaders() : CONTINUE;
  }
}
