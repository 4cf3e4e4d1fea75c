// A proxy-wasm host (ABI 0.2.1) in TypeScript that loads build/meshguard.wasm into Node's V8 and
// behaves as Envoy does where meshguard can tell:
//  - context order: root context created (id, 0) before proxy_on_vm_start, then configure;
//  - configuration and property values are copied into guest memory through its allocator, and
//    never allocated for an empty value (Envoy reports pointer 0, size 0);
//  - property paths are segments joined by NUL; absent properties answer NotFound;
//  - header maps get the first value of a name, replace sets one value, remove drops every value;
//  - a local reply is recorded and sent back through this filter's response callbacks, as Envoy
//    does; streams end with log, done, delete; metrics, shared data with CAS, ticks, logs per
//    level, and a clock the test controls.
// Every behaviour the filter relies on is also shown against the real Envoy in test/.
import { readFileSync } from "node:fs";
import {
  Action, BufferType, HeaderMapType, type HeaderPairs, LOG_LEVELS, type LogLevelName, MetricType, WasmResult,
  deserializePairs, serializePairs,
} from "./abi";
import { type EntryOrder, type FilterMetadata, encodeMetadata, metadataAt, shuffler } from "./metadata";

export interface LogLine { level: LogLevelName; message: string }
// callback: the filter callback that sent it (proxy_on_request_headers, ...); "" when the host did.
export interface LocalReply { status: number; details: string; body: string; headers: HeaderPairs; grpcStatus: number; callback: string }

// What a property lookup answers: a value, absence, or a host failure.
export type PropertyValue = string | Buffer | { status: WasmResult };

export interface HostOptions {
  pluginConfig: string | Buffer;
  vmConfig?: string | Buffer;
  rootId?: string;             // Envoy's plugin_root_id property
  startNanos?: bigint;
  // Shared data of the whole Envoy: pass one store to several hosts to emulate several workers,
  // each with its own VM (Envoy runs one VM per worker thread).
  sharedData?: SharedStore;
  mapOrderSeed?: number;       // the seed of the metadata's map-order shuffle
}

export class SharedStore {
  readonly entries = new Map<string, { value: Buffer; cas: number }>();
  nextCas = 1;
}

class GuestTrap extends Error {}

interface Metric { type: MetricType; name: string; value: bigint }

export class ProxyWasmHost {
  readonly logs: LogLine[] = [];
  nowNanos: bigint;
  trap: Error | null = null;
  configured = false;
  readonly shared: SharedStore;
  tickPeriodMs = 0;
  allocations = 0;
  // Host failures to inject: an import named here answers this status and does nothing else
  // (e.g. proxy_get_shared_data → InternalFailure), so every fail-closed path can be driven.
  readonly failures = new Map<string, WasmResult>();

  private metrics = new Map<number, Metric>();
  private metricIds = new Map<string, number>();
  private nextMetricId = 0;
  private nextContextId = 2;
  private msSinceTick = 0;
  private exports!: Record<string, (...args: (number | bigint)[]) => number | bigint | undefined>;
  private memory!: WebAssembly.Memory;
  private current: Stream | null = null;   // the stream whose callback is running
  private callback = "";                    // and that callback's name
  readonly rootContextId = 1;

  // The order protobuf map entries of the `metadata` property are written in: a new one on each
  // read, as Envoy does (metadata.ts).
  readonly mapOrder: EntryOrder;

  private constructor(private opts: HostOptions) {
    this.mapOrder = shuffler(opts.mapOrderSeed ?? 20261128);
    this.nowNanos = opts.startNanos ?? 1_700_000_000_000_000_000n;
    this.shared = opts.sharedData ?? new SharedStore();
  }

  get sharedData(): Map<string, { value: Buffer; cas: number }> { return this.shared.entries; }

  static async load(wasm: string | Buffer, opts: HostOptions): Promise<ProxyWasmHost> {
    const host = new ProxyWasmHost(opts);
    const bytes = typeof wasm === "string" ? readFileSync(wasm) : wasm;
    // Unknown imports fail instantiation, as they fail to link in Envoy.
    const module = await WebAssembly.compile(new Uint8Array(bytes));
    const instance = await WebAssembly.instantiate(module, { env: host.imports() });
    host.exports = instance.exports as unknown as typeof host.exports;
    host.memory = instance.exports.memory as WebAssembly.Memory;
    if (host.exports._initialize) host.guest("_initialize");
    host.guest("proxy_on_context_create", host.rootContextId, 0);
    const vm = Buffer.from(opts.vmConfig ?? "");
    host.guest("proxy_on_vm_start", host.rootContextId, vm.length);
    host.configured = host.configure(opts.pluginConfig);
    return host;
  }

  // proxy_on_configure with a new plugin configuration; true when the filter accepted it.
  configure(config: string | Buffer): boolean {
    this.opts.pluginConfig = config;
    return Number(this.guest("proxy_on_configure", this.rootContextId, Buffer.from(config).length)) !== 0;
  }

  // proxy_validate_configuration: the filter's verdict on a configuration, which must change
  // nothing (the loaded policy, counters and logs stay as they were).
  validateConfiguration(config: string | Buffer): boolean {
    const loaded = this.opts.pluginConfig;
    this.opts.pluginConfig = config;
    try {
      return Number(this.guest("proxy_validate_configuration", this.rootContextId, Buffer.from(config).length)) !== 0;
    } finally {
      this.opts.pluginConfig = loaded;
    }
  }

  get memoryPages(): number { return this.memory.buffer.byteLength / 65536; }

  logsAt(level: LogLevelName): string[] { return this.logs.filter((l) => l.level === level).map((l) => l.message); }

  metric(name: string): bigint | undefined {
    const id = this.metricIds.get(name);
    return id === undefined ? undefined : this.metrics.get(id)!.value;
  }
  metricNames(): string[] { return [...this.metricIds.keys()]; }

  // Moves the clock; calls proxy_on_tick for every tick period that elapses.
  advance(ms: number): void {
    this.nowNanos += BigInt(Math.round(ms * 1e6));
    if (this.tickPeriodMs <= 0) return;
    this.msSinceTick += ms;
    while (this.msSinceTick >= this.tickPeriodMs) {
      this.msSinceTick -= this.tickPeriodMs;
      this.guest("proxy_on_tick", this.rootContextId);
    }
  }

  newStream(connection: ConnectionProps = {}): Stream {
    const id = this.nextContextId++;
    const s = new Stream(this, id, connection);
    this.guest("proxy_on_context_create", id, this.rootContextId);
    return s;
  }

  /** @internal */ run(stream: Stream | null, name: string, ...args: (number | bigint)[]): number {
    const prev = this.current;
    const prevCallback = this.callback;
    this.current = stream;
    this.callback = name;
    try { return Number(this.guest(name, ...args) ?? 0); } finally { this.current = prev; this.callback = prevCallback; }
  }

  private guest(name: string, ...args: (number | bigint)[]): number | bigint | undefined {
    if (this.trap) throw new GuestTrap(`VM is dead after an earlier trap: ${this.trap.message}`);
    const fn = this.exports[name];
    if (!fn) return undefined;   // Envoy treats a missing callback as "continue"
    try {
      return fn(...args);
    } catch (e) {
      this.trap = e as Error;
      throw new GuestTrap(`guest trapped in ${name}: ${(e as Error).message}`);
    }
  }

  // --- guest memory ---
  // Views are cached and renewed only when the guest's memory grows (the old buffer detaches).
  private cachedBuffer: ArrayBuffer | null = null;
  private cachedBytes!: Uint8Array;
  private cachedView!: DataView;
  private refresh(): void {
    if (this.cachedBuffer !== this.memory.buffer) {
      this.cachedBuffer = this.memory.buffer;
      this.cachedBytes = new Uint8Array(this.cachedBuffer);
      this.cachedView = new DataView(this.cachedBuffer);
    }
  }
  private bytes(): Uint8Array { this.refresh(); return this.cachedBytes; }
  private view(): DataView { this.refresh(); return this.cachedView; }
  // A copy: the caller may keep it past the next guest call.
  private read(ptr: number, len: number): Buffer { return Buffer.from(this.bytes().subarray(ptr, ptr + len)); }
  private readString(ptr: number, len: number): string {
    this.refresh();
    return Buffer.from(this.cachedBuffer!, ptr, len).toString("utf8");
  }

  // Copies a value into guest memory through its allocator, as Envoy's copyToPointerSize does.
  private copyOut(value: Buffer, ptrPtr: number, sizePtr: number): WasmResult {
    let ptr = 0;
    if (value.length > 0) {
      const alloc = this.exports.proxy_on_memory_allocate ?? this.exports.malloc;
      ptr = Number(alloc(value.length));
      this.allocations++;
      if (ptr === 0) return WasmResult.InvalidMemoryAccess;
      this.bytes().set(value, ptr);
    }
    this.view().setUint32(ptrPtr, ptr, true);
    this.view().setUint32(sizePtr, value.length, true);
    return WasmResult.Ok;
  }

  private stream(): Stream | null { return this.current; }

  // Header values the filter set that Envoy refuses (a control character other than tab): Envoy
  // answers such a request 503 itself, whatever the filter meant (checked in Envoy: a subject with
  // a line break set as x-meshguard-user). The emulator sets them and keeps them here; the tests
  // expect none.
  readonly invalidHeaderValues: string[] = [];
  private checkedValue(kPtr: number, kLen: number, vPtr: number, vLen: number): string {
    const value = this.readString(vPtr, vLen);
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) this.invalidHeaderValues.push(`${this.readString(kPtr, kLen)}: ${JSON.stringify(value)}`);
    return value;
  }

  private headerMap(type: number): HeaderPairs | null {
    const s = this.stream();
    if (!s) return null;
    switch (type) {
      case HeaderMapType.RequestHeaders: return s.requestHeaders;
      case HeaderMapType.RequestTrailers: return s.requestTrailers;
      case HeaderMapType.ResponseHeaders: return s.responseHeaders;
      case HeaderMapType.ResponseTrailers: return s.responseTrailers;
      default: return null;
    }
  }

  private property(segments: string[]): PropertyValue | undefined {
    const path = segments.join(".");
    if (path === "plugin_root_id") return this.opts.rootId ?? "meshguard";
    if (path === "plugin_name") return "meshguard";
    const s = this.stream();
    if (!s) return undefined;
    return s.property(path, segments);
  }

  private imports(): Record<string, (...a: number[]) => number | void> {
    const real = this.realImports();
    const wrapped: Record<string, (...a: number[]) => number | void> = {};
    for (const [name, fn] of Object.entries(real)) {
      wrapped[name] = (...a: number[]) => {
        const failure = this.failures.get(name);
        return failure !== undefined ? failure : fn(...a);
      };
    }
    return wrapped;
  }

  private realImports(): Record<string, (...a: number[]) => number | void> {
    const h = this;
    const unimplemented = () => WasmResult.Unimplemented;
    return {
      proxy_log(level: number, ptr: number, len: number) {
        h.logs.push({ level: LOG_LEVELS[level] ?? "critical", message: h.readString(ptr, len) });
        return WasmResult.Ok;
      },
      proxy_get_log_level(ptr: number) { h.view().setUint32(ptr, 2, true); return WasmResult.Ok; },
      proxy_get_current_time_nanoseconds(ptr: number) { h.view().setBigUint64(ptr, h.nowNanos, true); return WasmResult.Ok; },
      proxy_set_tick_period_milliseconds(ms: number) { h.tickPeriodMs = ms; h.msSinceTick = 0; return WasmResult.Ok; },

      proxy_get_property(pathPtr: number, pathLen: number, ptrPtr: number, sizePtr: number) {
        const v = h.property(h.readString(pathPtr, pathLen).split("\0"));
        if (v === undefined) return WasmResult.NotFound;
        if (typeof v === "object" && !Buffer.isBuffer(v)) return v.status;
        return h.copyOut(Buffer.isBuffer(v) ? v : Buffer.from(v, "utf8"), ptrPtr, sizePtr);
      },
      // Envoy keeps a property a stream sets in its filter state under "wasm." + the dotted path,
      // where the access log reads it (context.cc, setProperty; test/access-log.e2e.test.ts).
      proxy_set_property(pPtr: number, pLen: number, vPtr: number, vLen: number) {
        const s = h.stream();
        if (!s) return WasmResult.NotFound;
        s.filterState.set("wasm." + h.readString(pPtr, pLen).split("\0").join("."), h.read(vPtr, vLen));
        return WasmResult.Ok;
      },

      proxy_get_buffer_bytes(type: number, start: number, length: number, ptrPtr: number, sizePtr: number) {
        let buf: Buffer | null = null;
        if (type === BufferType.PluginConfiguration) buf = Buffer.from(h.opts.pluginConfig);
        else if (type === BufferType.VmConfiguration) buf = Buffer.from(h.opts.vmConfig ?? "");
        else if (type === BufferType.HttpRequestBody) buf = h.stream()?.requestBodyBuffer ?? null;
        else if (type === BufferType.HttpResponseBody) buf = h.stream()?.responseBodyBuffer ?? null;
        if (buf === null) return WasmResult.NotFound;
        if (start > buf.length) return WasmResult.BadArgument;
        return h.copyOut(buf.subarray(start, Math.min(buf.length, start + length)), ptrPtr, sizePtr);
      },
      proxy_get_buffer_status(type: number, lengthPtr: number, flagsPtr: number) {
        const s = h.stream();
        const buf = type === BufferType.HttpRequestBody ? s?.requestBodyBuffer : type === BufferType.HttpResponseBody ? s?.responseBodyBuffer : undefined;
        if (!buf) return WasmResult.NotFound;
        h.view().setUint32(lengthPtr, buf.length, true);
        h.view().setUint32(flagsPtr, 0, true);
        return WasmResult.Ok;
      },
      proxy_set_buffer_bytes: unimplemented,

      proxy_get_header_map_value(type: number, kPtr: number, kLen: number, ptrPtr: number, sizePtr: number) {
        const map = h.headerMap(type);
        if (!map) return WasmResult.BadArgument;
        const key = h.readString(kPtr, kLen).toLowerCase();
        const hit = map.find(([k]) => k === key);
        if (!hit) return WasmResult.NotFound;
        return h.copyOut(Buffer.from(hit[1], "utf8"), ptrPtr, sizePtr);
      },
      proxy_get_header_map_pairs(type: number, ptrPtr: number, sizePtr: number) {
        const map = h.headerMap(type);
        if (!map) return WasmResult.BadArgument;
        return h.copyOut(serializePairs(map), ptrPtr, sizePtr);
      },
      proxy_set_header_map_pairs(type: number, ptr: number, len: number) {
        const map = h.headerMap(type);
        const pairs = deserializePairs(h.read(ptr, len));
        if (!map || !pairs) return WasmResult.BadArgument;
        map.splice(0, map.length, ...pairs.map(([k, v]) => [k.toLowerCase(), v] as [string, string]));
        return WasmResult.Ok;
      },
      proxy_get_header_map_size(type: number, sizePtr: number) {
        const map = h.headerMap(type);
        if (!map) return WasmResult.BadArgument;
        h.view().setUint32(sizePtr, serializePairs(map).length, true);
        return WasmResult.Ok;
      },
      proxy_add_header_map_value(type: number, kPtr: number, kLen: number, vPtr: number, vLen: number) {
        const map = h.headerMap(type);
        if (!map) return WasmResult.BadArgument;
        map.push([h.readString(kPtr, kLen).toLowerCase(), h.checkedValue(kPtr, kLen, vPtr, vLen)]);
        return WasmResult.Ok;
      },
      proxy_replace_header_map_value(type: number, kPtr: number, kLen: number, vPtr: number, vLen: number) {
        const map = h.headerMap(type);
        if (!map) return WasmResult.BadArgument;
        const key = h.readString(kPtr, kLen).toLowerCase();
        for (let i = map.length - 1; i >= 0; i--) if (map[i][0] === key) map.splice(i, 1);
        map.push([key, h.checkedValue(kPtr, kLen, vPtr, vLen)]);
        return WasmResult.Ok;
      },
      proxy_remove_header_map_value(type: number, kPtr: number, kLen: number) {
        const map = h.headerMap(type);
        if (!map) return WasmResult.BadArgument;
        const key = h.readString(kPtr, kLen).toLowerCase();
        for (let i = map.length - 1; i >= 0; i--) if (map[i][0] === key) map.splice(i, 1);
        return WasmResult.Ok;
      },

      proxy_send_local_response(status: number, dPtr: number, dLen: number, bPtr: number, bLen: number, hPtr: number, hLen: number, grpc: number) {
        const s = h.stream();
        if (!s) return WasmResult.BadArgument;
        const headers = deserializePairs(h.read(hPtr, hLen));
        if (!headers) return WasmResult.BadArgument;
        if (s.localReply) return WasmResult.BadArgument; // Envoy sends one local reply per stream
        s.localReply = { status, details: h.readString(dPtr, dLen), body: h.readString(bPtr, bLen), headers, grpcStatus: grpc | 0, callback: h.callback };
        return WasmResult.Ok;
      },
      proxy_continue_stream() { return WasmResult.Ok; },
      proxy_close_stream() { return WasmResult.Ok; },
      proxy_clear_route_cache() { return WasmResult.Ok; },

      proxy_get_shared_data(kPtr: number, kLen: number, ptrPtr: number, sizePtr: number, casPtr: number) {
        const entry = h.sharedData.get(h.readString(kPtr, kLen));
        if (!entry) return WasmResult.NotFound;
        const r = h.copyOut(entry.value, ptrPtr, sizePtr);
        h.view().setUint32(casPtr, entry.cas, true);
        return r;
      },
      proxy_set_shared_data(kPtr: number, kLen: number, vPtr: number, vLen: number, cas: number) {
        const key = h.readString(kPtr, kLen);
        const entry = h.sharedData.get(key);
        if (cas !== 0 && entry && entry.cas !== cas) return WasmResult.CasMismatch;
        h.sharedData.set(key, { value: h.read(vPtr, vLen), cas: h.shared.nextCas++ });
        return WasmResult.Ok;
      },

      proxy_define_metric(type: number, nPtr: number, nLen: number, idPtr: number) {
        const name = h.readString(nPtr, nLen);
        let id = h.metricIds.get(name);
        if (id === undefined) {
          id = h.nextMetricId;
          h.nextMetricId += 4;   // Envoy encodes the type in the low bits; ids start at 0
          h.metricIds.set(name, id);
          h.metrics.set(id, { type, name, value: 0n });
        }
        h.view().setUint32(idPtr, id, true);
        return WasmResult.Ok;
      },
      proxy_increment_metric(id: number, offset: number | bigint) {
        const m = h.metrics.get(id);
        if (!m) return WasmResult.NotFound;
        m.value += BigInt(offset);
        return WasmResult.Ok;
      },
      proxy_record_metric(id: number, value: number | bigint) {
        const m = h.metrics.get(id);
        if (!m) return WasmResult.NotFound;
        m.value = BigInt.asUintN(64, BigInt(value));
        return WasmResult.Ok;
      },
      proxy_get_metric(id: number, ptr: number) {
        const m = h.metrics.get(id);
        if (!m) return WasmResult.NotFound;
        h.view().setBigUint64(ptr, m.value, true);
        return WasmResult.Ok;
      },

      proxy_get_status: unimplemented,
      proxy_set_effective_context() { return WasmResult.Ok; },
      proxy_done() { return WasmResult.Ok; },
      proxy_call_foreign_function: unimplemented,
      proxy_http_call: unimplemented,
      proxy_grpc_call: unimplemented,
      proxy_grpc_stream: unimplemented,
      proxy_grpc_cancel: unimplemented,
      proxy_grpc_close: unimplemented,
      proxy_grpc_send: unimplemented,
      proxy_register_shared_queue: unimplemented,
      proxy_resolve_shared_queue: unimplemented,
      proxy_dequeue_shared_queue: unimplemented,
      proxy_enqueue_shared_queue: unimplemented,
    } as unknown as Record<string, (...a: number[]) => number | void>;
  }
}

// What Envoy knows of the downstream connection.
export interface ConnectionProps {
  sourceAddress?: string;      // the downstream peer's "ip:port"
  // Dynamic metadata by filter namespace, e.g. jwt_authn's verified payload:
  // { "envoy.filters.http.jwt_authn": { "jwt_payload": { "sub": "..." } } }.
  dynamicMetadata?: FilterMetadata;
  // First URI SAN of the validated client certificate; undefined or null when there is none.
  peerUriSan?: string | null;
  // Any other property, by dotted path (e.g. "source.address"), or a forced host status.
  properties?: Record<string, PropertyValue>;
}

// What the filters after meshguard (the router, and so the service) have been given so far.
export interface Upstream {
  headers: HeaderPairs | null;     // request headers, once the filter let them go on
  body: Buffer;                    // body bytes let go on
  trailers: HeaderPairs | null;
  ended: boolean;                  // end of stream reached the service: the request is complete
  reset: boolean;                  // the stream was cut (a local reply after headers went on)
}

// Envoy's default per-stream buffer limit (per_connection_buffer_limit_bytes, 1 MiB).
export const DEFAULT_BUFFER_LIMIT = 1 << 20;

export class Stream {
  requestHeaders: HeaderPairs = [];
  requestTrailers: HeaderPairs = [];
  responseHeaders: HeaderPairs = [];
  responseTrailers: HeaderPairs = [];
  requestBodyBuffer: Buffer | null = null;
  responseBodyBuffer: Buffer | null = null;
  localReply: LocalReply | null = null;
  readonly actions: { callback: string; action: number }[] = [];
  readonly filterState = new Map<string, Buffer>();   // what the filter set (proxy_set_property)
  readonly upstream: Upstream = { headers: null, body: Buffer.alloc(0), trailers: null, ended: false, reset: false };
  // Body bytes Envoy holds for this filter after it returned StopIterationAndBuffer: the next
  // body callback sees them followed by the new data (agreement test, "hold").
  private held: Buffer = Buffer.alloc(0);
  private holding = false;
  // StopIteration on request headers: proxy-wasm-cpp-host makes it StopAllIterationAndWatermark,
  // so Envoy calls no body callback until the filter resumes the stream (agreement test).
  stalled = false;
  private finished = false;
  bufferLimit = DEFAULT_BUFFER_LIMIT;

  constructor(private host: ProxyWasmHost, readonly id: number, private connection: ConnectionProps) {}

  // `segments`: the path as the guest gave it, for paths whose keys may hold dots (metadata's).
  property(path: string, segments: string[] = path.split(".")): PropertyValue | undefined {
    const forced = this.connection.properties?.[path];
    if (forced !== undefined) return forced;
    if (path === "connection.uri_san_peer_certificate") return this.connection.peerUriSan ?? undefined;
    if (path === "source.address") return this.connection.sourceAddress ?? "127.0.0.1:40000";
    if (path === "metadata") return encodeMetadata(this.connection.dynamicMetadata ?? {}, this.host.mapOrder);
    if (segments[0] === "metadata") return metadataAt(this.connection.dynamicMetadata ?? {}, segments.slice(1), this.host.mapOrder);
    if (path === "request.path") return this.requestHeaders.find(([k]) => k === ":path")?.[1];
    if (path === "request.method") return this.requestHeaders.find(([k]) => k === ":method")?.[1];
    if (path === "connection.mtls") return Buffer.from([this.connection.peerUriSan ? 1 : 0]);
    return undefined;
  }

  private replyDelivered = false;

  private record(callback: string, action: number): number {
    this.actions.push({ callback, action });
    if (this.localReply && !this.replyDelivered && callback.startsWith("request_")) this.deliverLocalReply();
    return action;
  }

  // Envoy sends a filter's local reply back through the encoder path, this filter included:
  // proxy_on_response_headers, then proxy_on_response_body when there is a body (agreement test).
  // A request whose headers already went on is reset upstream: the service never sees its end.
  private deliverLocalReply(): void {
    const reply = this.localReply!;
    this.replyDelivered = true;
    if (this.upstream.headers && !this.upstream.ended) this.upstream.reset = true;
    this.held = Buffer.alloc(0);
    const body = Buffer.from(reply.body, "utf8");
    const headers: HeaderPairs = [[":status", String(reply.status)]];
    if (body.length > 0) headers.push(["content-length", String(body.length)]);
    if (body.length > 0 && !reply.headers.some(([k]) => k.toLowerCase() === "content-type")) headers.push(["content-type", "text/plain"]);
    for (const [k, v] of reply.headers) headers.push([k.toLowerCase(), v]);
    this.sendResponseHeaders(headers, body.length === 0);
    if (body.length > 0) this.sendResponseBody(body, true);
  }

  // Envoy's own reply when a held body passes the stream's buffer limit (413, as its filter
  // manager sends it).
  private overflow(): void {
    this.localReply = { status: 413, details: "request_payload_too_large", body: "Payload Too Large", headers: [], grpcStatus: -1, callback: "" };
  }

  sendRequestHeaders(headers: HeaderPairs, endOfStream: boolean): number {
    this.requestHeaders = headers.map(([k, v]) => [k.toLowerCase(), v]);
    const action = this.host.run(this, "proxy_on_request_headers", this.id, this.requestHeaders.length, endOfStream ? 1 : 0);
    if (!this.localReply) {
      if (action === Action.Continue) {
        this.upstream.headers = this.requestHeaders.map(([k, v]) => [k, v]);
        this.upstream.ended = endOfStream;
      } else {
        this.stalled = true;
      }
    }
    return this.record("request_headers", action);
  }

  // One chunk of request body as it arrives. The filter is called with everything Envoy holds for
  // it: the new chunk alone, or, after a StopIterationAndBuffer, the held bytes and the new chunk.
  // An empty chunk with endOfStream is Envoy's end-of-stream call after the data (HTTP/1.1, and
  // HTTP/2 when END_STREAM comes in a frame of its own); its size is what is held.
  sendRequestBody(chunk: Buffer | string, endOfStream: boolean): number {
    const data = Buffer.from(chunk);
    if (this.stalled && !this.localReply) {
      this.held = Buffer.concat([this.held, data]);
      return this.record("request_body (not delivered: headers stopped)", Action.StopIteration);
    }
    const buffer = Buffer.concat([this.held, data]);
    this.requestBodyBuffer = buffer;
    const action = this.host.run(this, "proxy_on_request_body", this.id, buffer.length, endOfStream ? 1 : 0);
    if (!this.localReply) this.afterBody(action, buffer, endOfStream);
    return this.record("request_body", action);
  }

  private afterBody(action: number, buffer: Buffer, endOfStream: boolean): void {
    if (action === Action.Continue) {
      this.upstream.body = Buffer.concat([this.upstream.body, buffer]);
      this.upstream.ended = endOfStream;
      this.held = Buffer.alloc(0);
      this.holding = false;
    } else {
      this.held = buffer;
      this.holding = true;
      if (this.held.length > this.bufferLimit) this.overflow();
    }
  }

  // Trailers end the stream (HTTP/2): no body callback carries end of stream then.
  sendRequestTrailers(trailers: HeaderPairs): number {
    this.requestTrailers = trailers;
    const action = this.host.run(this, "proxy_on_request_trailers", this.id, trailers.length);
    if (!this.localReply && action === Action.Continue && !this.stalled) {
      this.upstream.body = Buffer.concat([this.upstream.body, this.held]);
      this.upstream.trailers = trailers;
      this.upstream.ended = true;
      this.held = Buffer.alloc(0);
    }
    return this.record("request_trailers", action);
  }

  get holdingBody(): boolean { return this.holding; }

  sendResponseHeaders(headers: HeaderPairs, endOfStream: boolean): number {
    this.responseHeaders = headers.map(([k, v]) => [k.toLowerCase(), v]);
    return this.record("response_headers", this.host.run(this, "proxy_on_response_headers", this.id, this.responseHeaders.length, endOfStream ? 1 : 0));
  }

  sendResponseBody(chunk: Buffer | string, endOfStream: boolean): number {
    this.responseBodyBuffer = Buffer.from(chunk);
    return this.record("response_body", this.host.run(this, "proxy_on_response_body", this.id, this.responseBodyBuffer.length, endOfStream ? 1 : 0));
  }

  // End of stream, in Envoy's order (agreement test): log, done, delete; once.
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.host.run(this, "proxy_on_log", this.id);
    this.host.run(this, "proxy_on_done", this.id);
    this.host.run(this, "proxy_on_delete", this.id);
  }
}

export { Action };
