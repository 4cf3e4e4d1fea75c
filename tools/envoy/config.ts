// Writes an Envoy bootstrap that runs meshguard in front of an upstream, over mutual TLS.
// Also used by the demo and the docker-compose path, so all three run the same config.
import type { Pki } from "./pki";

export interface EnvoyConfigOptions {
  wasmPath: string;
  pluginConfig: unknown;          // meshguard's plugin configuration (JSON)
  upstreamPort: number;
  pki: Pick<Pki, "ca" | "server">;
  listenerPort?: number;          // 0 (default): Envoy picks a free port
  adminPort?: number;
  // How Envoy itself treats x-forwarded-client-cert. The tests use ALWAYS_FORWARD_ONLY to prove
  // meshguard strips a client's copy on its own; the shipped configs keep Envoy's SANITIZE too.
  forwardClientCert?: "SANITIZE" | "ALWAYS_FORWARD_ONLY" | "SANITIZE_SET";
  failurePolicy?: "FAIL_CLOSED" | "FAIL_RELOAD" | "FAIL_OPEN";
  // true (default): the TLS handshake itself refuses clients without a certificate (Istio STRICT).
  // false: they reach meshguard, which refuses them on routes that need an identity.
  requireClientCertificate?: boolean;
  // Envoy's jwt_authn in front of meshguard, as Istio's RequestAuthentication configures it: a
  // request without a token passes (meshguard decides), one with a bad token is refused by
  // Envoy. Verified claims are published as dynamic metadata under JWT_PAYLOAD_KEY.
  jwtProviders?: JwtProvider[];
  tls?: boolean;                  // false: a plaintext listener (the load benchmark); default true
  withoutMeshguard?: boolean;     // the benchmark's baseline: the same Envoy, no wasm filter
  // An access log file; each line: status, meshguard's response-code details, and the outcome
  // meshguard put in filter state (policy access_log: true).
  accessLogPath?: string;
  // Hot reload: the wasm filter comes from <reloadDir>/meshguard.json through Envoy's file-based
  // extension config discovery (ECDS), watched; tools/envoy/reload.ts writes that file.
  reloadDir?: string;
  // Envoy's own HTTP filters between jwt_authn and meshguard (the benchmark's native chain).
  nativeFilters?: object[];
  // Spread connections evenly over the workers (the tests that run two workers need both used:
  // the kernel alone may hand every connection to one of them).
  balanceConnections?: boolean;
  // HTTP/1.1 trailers kept, from the client (chunked) and to the service (Envoy's enable_trailers;
  // by default its HTTP/1 codec drops them both ways). HTTP/2 clients' trailers reach meshguard
  // either way; this lets the service witness what they became.
  trailers?: boolean;
}

// The wasm filter's configuration (envoy.extensions.filters.http.wasm.v3.Wasm) for a module and a
// policy: in the bootstrap, or in an ECDS file for hot reload.
export function wasmFilterConfig(wasmPath: string, pluginConfig: unknown, failurePolicy: EnvoyConfigOptions["failurePolicy"] = "FAIL_RELOAD"): object {
  return {
    "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
    config: {
      name: "meshguard",
      root_id: "meshguard",
      // A VM that fails is reloaded (with backoff). Set explicitly: sources disagree on the default.
      failure_policy: failurePolicy,
      vm_config: { vm_id: "meshguard", runtime: "envoy.wasm.runtime.v8", code: { local: { filename: wasmPath } } },
      configuration: {
        "@type": "type.googleapis.com/google.protobuf.StringValue",
        value: typeof pluginConfig === "string" ? pluginConfig : JSON.stringify(pluginConfig),
      },
    },
  };
}

export const WASM_TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";

// The access-log line the shipped configs use: meshguard's outcome as JSON (docs/operations.md).
export const ACCESS_LOG_FORMAT = "%RESPONSE_CODE% %RESPONSE_CODE_DETAILS% %FILTER_STATE(wasm.meshguard:PLAIN)%\n";

export interface JwtProvider { name: string; issuer: string; audiences?: string[]; jwks: string }
export const JWT_PAYLOAD_KEY = "jwt_payload";

function jwtFilter(providers: JwtProvider[]): object {
  const byName: Record<string, object> = {};
  for (const p of providers) {
    byName[p.name] = {
      issuer: p.issuer,
      ...(p.audiences ? { audiences: p.audiences } : {}),
      local_jwks: { inline_string: p.jwks },
      payload_in_metadata: JWT_PAYLOAD_KEY,
      forward: false,
    };
  }
  return {
    name: "envoy.filters.http.jwt_authn",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
      providers: byName,
      rules: [{
        match: { prefix: "/" },
        requires: { requires_any: { requirements: [...providers.map((p) => ({ provider_name: p.name })), { allow_missing: {} }] } },
      }],
    },
  };
}

// Envoy's tag extraction turns meshguard's per-reason, per-limit and per-detector counters into
// one series each with a label (docs/operations.md, "Metrics"): in /stats/prometheus,
// envoy_wasmcustom_meshguard_denied{reason="not_allowed"} rather than one name per reason. The
// first capture group is cut from the name, the second is the label's value (Envoy's
// TagSpecifier). Labels are bounded by the policy: reasons, limits and detectors, never identities.
export const MESHGUARD_STATS_TAGS = [
  { tag_name: "reason", regex: "^wasmcustom\\.meshguard\\.(?:denied|audit\\.would_deny)(\\.([a-z_]+))$" },
  { tag_name: "limit", regex: "^wasmcustom\\.meshguard\\.ratelimit(\\.([a-z0-9_-]+))\\.(?:limited|would_limit)$" },
  { tag_name: "detector", regex: "^wasmcustom\\.meshguard\\.monitor(\\.([^.]+))\\.fired$" },
];

export function envoyConfig(o: EnvoyConfigOptions): object {
  const wasmFilter = o.reloadDir
    ? {
      name: "meshguard",
      config_discovery: {
        config_source: { path_config_source: { path: `${o.reloadDir}/meshguard.json`, watched_directory: { path: o.reloadDir } } },
        type_urls: [WASM_TYPE_URL],
      },
    }
    : { name: "envoy.filters.http.wasm", typed_config: wasmFilterConfig(o.wasmPath, o.pluginConfig, o.failurePolicy) };
  return {
    // Envoy requires a node identity for any config source, a file one included (hot reload).
    node: { id: "meshguard", cluster: "meshguard" },
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: o.adminPort ?? 0 } } },
    stats_config: { stats_tags: MESHGUARD_STATS_TAGS },
    static_resources: {
      listeners: [{
        name: "mesh_inbound",
        // Envoy's own per-connection buffer: the same 1 MiB as meshguard's default body limit.
        // meshguard streams bodies (it never asks Envoy to buffer one whole), so a route may allow
        // more than this; Envoy then only holds what flow control needs.
        per_connection_buffer_limit_bytes: 1048576,
        ...(o.balanceConnections ? { connection_balance_config: { exact_balance: {} } } : {}),
        address: { socket_address: { address: "127.0.0.1", port_value: o.listenerPort ?? 0 } },
        filter_chains: [{
          ...(o.tls === false ? {} : { transport_socket: {
            name: "envoy.transport_sockets.tls",
            typed_config: {
              "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
              require_client_certificate: o.requireClientCertificate ?? true,
              common_tls_context: {
                // HTTP/2 and HTTP/1.1, by ALPN, as an Istio sidecar offers them.
                alpn_protocols: ["h2", "http/1.1"],
                tls_certificates: [{ certificate_chain: { filename: o.pki.server.cert }, private_key: { filename: o.pki.server.key } }],
                validation_context: { trusted_ca: { filename: o.pki.ca.cert } },
              },
            },
          } }),
          filters: [{
            name: "envoy.filters.network.http_connection_manager",
            typed_config: {
              "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
              stat_prefix: "mesh_inbound",
              ...(o.trailers ? { http_protocol_options: { enable_trailers: true } } : {}),
              ...(o.accessLogPath ? { access_log: [{
                name: "envoy.access_loggers.file",
                typed_config: { "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog", path: o.accessLogPath, log_format: { text_format_source: { inline_string: ACCESS_LOG_FORMAT } } },
              }] } : {}),
              // Paths are normalised before any filter sees them (RFC 3986); meshguard refuses
              // whatever stays ambiguous.
              normalize_path: true,
              merge_slashes: true,
              path_with_escaped_slashes_action: "KEEP_UNCHANGED",
              forward_client_cert_details: o.forwardClientCert ?? "SANITIZE",
              route_config: {
                name: "local",
                virtual_hosts: [{ name: "all", domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: "upstream" } }] }],
              },
              http_filters: [...(o.jwtProviders?.length ? [jwtFilter(o.jwtProviders)] : []), ...(o.nativeFilters ?? []), ...(o.withoutMeshguard ? [] : [wasmFilter]), { name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } }],
            },
          }],
        }],
      }],
      clusters: [{
        name: "upstream",
        type: "STATIC",
        connect_timeout: "2s",
        ...(o.trailers ? { typed_extension_protocol_options: { "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
          "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
          explicit_http_config: { http_protocol_options: { enable_trailers: true } },
        } } } : {}),
        load_assignment: {
          cluster_name: "upstream",
          endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: "127.0.0.1", port_value: o.upstreamPort } } } }] }],
        },
      }],
    },
  };
}
