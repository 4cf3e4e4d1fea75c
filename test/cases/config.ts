// Plugin configurations that must be refused, each with the field its error must name. Shared by
// the emulator tests and the real-Envoy test.
export interface BadConfig { name: string; config: string | Buffer; error: string }

const ok = (routes: string) => `{"routes":${routes}}`;

export const BAD_CONFIGS: BadConfig[] = [
  { name: "empty", config: "", error: "configuration: empty" },
  { name: "not JSON", config: "routes: []", error: "configuration: invalid JSON at byte 0" },
  { name: "not an object", config: "[]", error: "configuration: expected object, got array" },
  { name: "trailing comma", config: '{"routes":[],}', error: "configuration: invalid JSON" },
  { name: "comment", config: '{"routes":[] /* no */}', error: "configuration: invalid JSON" },
  { name: "leading zero", config: '{"routes":[],"x":01}', error: "leading zero" },
  { name: "duplicate member", config: '{"routes":[],"routes":[]}', error: "duplicate member name \"routes\"" },
  { name: "lone surrogate", config: '{"routes":[],"peer_header":"\\ud800"}', error: "lone surrogate" },
  { name: "invalid UTF-8", config: Buffer.concat([Buffer.from('{"routes":[],"peer_header":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), error: "invalid UTF-8" },
  { name: "too deep", config: '{"routes":' + "[".repeat(40) + "]".repeat(40) + "}", error: "nesting deeper than 32" },
  { name: "trailing data", config: '{"routes":[]} {}', error: "unexpected data after the document" },
  { name: "routes missing", config: "{}", error: "routes: required" },
  { name: "unknown top-level field", config: '{"routes":[],"mode":"enforce"}', error: "mode: unknown field" },
  { name: "routes of the wrong type", config: '{"routes":"all"}', error: "routes: expected array, got string" },
  { name: "unknown route field", config: ok('[{"prefix":"/a","alow":["spiffe://t/ns/a/sa/b"]}]'), error: "routes[0].alow: unknown field" },
  { name: "prefix missing", config: ok('[{"allow":["spiffe://t/ns/a/sa/b"]}]'), error: "routes[0].prefix: required" },
  { name: "relative prefix", config: ok('[{"prefix":"a","allow":["spiffe://t/ns/a/sa/b"]}]'), error: "routes[0].prefix: \"a\": path does not start with '/'" },
  { name: "dot segment prefix", config: ok('[{"prefix":"/a/../b","allow":["spiffe://t/ns/a/sa/b"]}]'), error: "routes[0].prefix" },
  { name: "duplicate prefix", config: ok('[{"prefix":"/a","public":true},{"prefix":"/a","public":true}]'), error: "routes[1].prefix: duplicate prefix" },
  { name: "allow missing", config: ok('[{"prefix":"/a"}]'), error: "routes[0].allow: required unless the route is public" },
  { name: "allow empty", config: ok('[{"prefix":"/a","allow":[]}]'), error: "routes[0].allow: empty" },
  { name: "public with allow", config: ok('[{"prefix":"/a","public":true,"allow":["spiffe://t/ns/a/sa/b"]}]'), error: "routes[0].allow: a public route takes no allow list" },
  { name: "public not boolean", config: ok('[{"prefix":"/a","public":"yes"}]'), error: "routes[0].public: expected boolean, got string" },
  { name: "pattern without scheme", config: ok('[{"prefix":"/a","allow":["t/ns/a/sa/b"]}]'), error: "routes[0].allow[0]: \"t/ns/a/sa/b\": must start with \"spiffe://\"" },
  { name: "partial wildcard", config: ok('[{"prefix":"/a","allow":["spiffe://t/ns/a/sa/b","spiffe://t/ns/prod*/sa/x"]}]'), error: "routes[0].allow[1]: \"spiffe://t/ns/prod*/sa/x\": wildcards must be a whole segment" },
  { name: "** not last", config: ok('[{"prefix":"/a","allow":["spiffe://t/**/sa/x"]}]'), error: "routes[0].allow[0]" },
  { name: "uppercase trust domain", config: ok('[{"prefix":"/a","allow":["spiffe://T/ns/a/sa/b"]}]'), error: "routes[0].allow[0]: \"spiffe://T/ns/a/sa/b\": invalid trust domain" },
  { name: "pattern not a string", config: ok('[{"prefix":"/a","allow":[7]}]'), error: "routes[0].allow[0]: expected string, got number" },
  { name: "bad peer header", config: '{"routes":[],"peer_header":"X-Peer"}', error: "peer_header: \"X-Peer\" is not a lowercase HTTP header name" },
  { name: "bad strip header", config: '{"routes":[],"strip_headers":["ok","bad header"]}', error: "strip_headers[1]" },
  { name: "bad unmatched_routes", config: '{"routes":[],"unmatched_routes":"maybe"}', error: "unmatched_routes: must be \"deny\" or \"allow\"" },
];
