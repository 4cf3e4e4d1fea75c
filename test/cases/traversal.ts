// A generated directory-traversal corpus (issue #15), shared by the emulator and the real-Envoy
// test: `..` and a separator in every common spelling, 1 to 8 levels deep, after an allowed
// prefix and before a protected one: /public/x/<vector>admin/users, where the caller may use
// /public/** but not /admin/**. And a lenient decoder, to judge what reached the service: a
// server that decodes up to three times, reads overlong UTF-8 and %uXXXX, takes '\' for '/' and
// drops ';' path parameters must not find /admin in anything that was let through.

export const TRAVERSAL_POLICY = {
  routes: [
    { name: "public", path: "/public/**", public: true },
    { name: "admin", path: "/admin/**", allow: [{ peers: ["spiffe://meshguard.test/ns/ops/sa/admin"] }] },
  ],
};
export const PROTECTED = "/admin";

// The same routes with a public catch-all: a path that a server reads as /admin must not land on
// the catch-all here. Path parameters (Tomcat and Jetty drop them: "/admin;x/users" is
// "/admin/users" to them) in several spellings, on the protected segment and after it, and on
// public paths, which must still pass; and /admin in other cases (Express routes without regard
// to case by default).
export const CATCH_ALL_POLICY = { routes: [...TRAVERSAL_POLICY.routes, { name: "rest", path: "/**", public: true }] };
const PARAMETERS = [";", ";x", ";x=1", ";jsessionid=0A1B2C", ";x;y", "%3b", "%3bx", "%3Bx", "%3b;x", ";%2e%2e"];
// ASP.NET Core decodes the path and compares without case the .NET way, which reads dotless ı
// (%C4%B1) as I; Java's equalsIgnoreCase also İ (%C4%B0) as i.
const SPELLINGS = ["admin", "ADMIN", "Admin", "aDmIn", "adm%C4%B1n", "ADM%C4%B1N", "adm%c4%b0n", "adm%C4%B1n%3Bx"];
export function parameterCorpus(): string[] {
  return [
    ...PARAMETERS.flatMap((p) => [`/admin${p}/users`, `/admin${p}`, `/admin/users${p}`, `/public/x${p}/y`, `/other${p}/admin`, `/ADMIN${p}/users`]),
    ...SPELLINGS.flatMap((a) => [`/${a}/users`, `/${a}`, `/public/${a}/y`, `/PUBLIC/x/y`]),
  ];
}

// Spellings of "..".
const DOTS = [
  "..", ".%2e", "%2e.", "%2e%2e", "%2E%2E", "%2e%2E",
  "%252e%252e", "%252E%252E", "%25252e%25252e", ".%252e",
  "%c0%ae%c0%ae", "%C0%AE%C0%AE", "%e0%80%ae%e0%80%ae", "%c0%2e%c0%2e", "%f0%80%80%ae%f0%80%80%ae",
  "%%32%65%%32%65", "%%32e%%32e", "%u002e%u002e", "..%00", "..%01",
];
// Spellings of the separator after it.
const SEPARATORS = [
  "/", "\\", "%2f", "%2F", "%5c", "%5C", "%252f", "%255c", "%25252f",
  "%c0%af", "%C0%AF", "%c1%9c", "%e0%80%af", ";/", ";x/", "%3b/", "%u2215", "%u002f",
];

export interface TraversalVector { path: string; dots: string; separator: string; depth: number }

export function traversalCorpus(): TraversalVector[] {
  const out: TraversalVector[] = [];
  for (const dots of DOTS) {
    for (const separator of SEPARATORS) {
      for (let depth = 1; depth <= 8; depth++) {
        out.push({ path: `/public/x/${(dots + separator).repeat(depth)}admin/users`, dots, separator, depth });
      }
    }
  }
  return out;
}

// One lenient percent-decoding: %XX to its byte, %uXXXX to its code unit (IIS), then the bytes
// read as UTF-8 the lenient way (overlong forms accepted), anything else as Latin-1.
function decodeOnce(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "%" && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) { bytes.push(parseInt(s.slice(i + 1, i + 3), 16)); i += 2; continue; }
    if (c === "%" && /^[uU][0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 6))) {
      const cp = parseInt(s.slice(i + 2, i + 6), 16);
      for (const b of Buffer.from(cp === 0x2215 ? "/" : String.fromCharCode(cp), "utf8")) bytes.push(b);
      i += 5;
      continue;
    }
    for (const b of Buffer.from(c, "utf8")) bytes.push(b);
  }
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const cont = (k: number) => i + k < bytes.length && (bytes[i + k] & 0xc0) === 0x80;
    if (b >= 0xc0 && b < 0xe0 && cont(1)) { out += String.fromCodePoint(((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f)); i += 1; continue; }
    if (b >= 0xe0 && b < 0xf0 && cont(1) && cont(2)) { out += String.fromCodePoint(((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f)); i += 2; continue; }
    if (b >= 0xf0 && b < 0xf8 && cont(1) && cont(2) && cont(3)) {
      const cp = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
      out += cp <= 0x10ffff ? String.fromCodePoint(cp) : "\ufffd";
      i += 3;
      continue;
    }
    out += String.fromCharCode(b);
  }
  return out;
}

// '\' as '/', ';' parameters dropped from each segment, NULs dropped (C string APIs), '.' and '..'
// resolved, empty segments merged.
function resolve(path: string): string {
  const segs = path.replace(/\\/g, "/").split("/").map((s) => s.split(";")[0].replace(/\u0000.*/s, ""));
  const out: string[] = [];
  for (const s of segs) {
    if (s === "" || s === ".") continue;
    if (s === "..") { out.pop(); continue; }
    out.push(s);
  }
  return "/" + out.join("/");
}

// Every reading of the path a lenient server might make: as is, and after one, two and three
// decodings. The query is not part of it.
export function lenientReadings(path: string): string[] {
  let p = path.split("?")[0];
  const out = [resolve(p)];
  for (let k = 0; k < 3; k++) {
    p = decodeOnce(p);
    out.push(resolve(p));
  }
  return out;
}

// ... and a server that routes without regard to case (Express's default, ASP.NET, IIS), reading
// ı and İ as i, ſ as s and the Kelvin sign as k (.NET, Java).
export function reachesProtected(path: string): boolean {
  const fold = (r: string) => r.replace(/[\u0130\u0131]/g, "i").replace(/\u017f/g, "s").replace(/\u212a/g, "k").toLowerCase();
  return lenientReadings(path).map(fold).some((r) => r === PROTECTED || r.startsWith(PROTECTED + "/"));
}

// A route limited to one host, and a public catch-all: the host a request names, in any spelling
// and in any header a framework takes the host from (validate/forwarded.ts), must lead to the route
// meshguard decided on. Shared by src-host-tests/routes.test.ts and test/traversal.e2e.test.ts.
export const HOST_POLICY = { routes: [
  { name: "admin-host", path: "/users", hosts: ["admin.example.com"], allow: [{ peers: ["spiffe://meshguard.test/ns/ops/sa/admin"] }] },
  { name: "any-host", path: "/**", public: true },
] };
export interface HostCase { name: string; authority: string; headers?: Record<string, string | string[]>; status: number; reason?: string }
const WWW = "www.example.com";
export const HOST_CASES: HostCase[] = [
  ...["admin.example.com", "ADMIN.example.com:443", "admin.example.com.", "admin.example.com.:8443"].map((authority) => ({ name: `the admin host spelt ${authority}`, authority, status: 401, reason: "identity_missing" })),
  { name: "another host", authority: WWW, status: 200 },
  { name: "x-forwarded-host names the admin host", authority: WWW, headers: { "x-forwarded-host": "admin.example.com" }, status: 400, reason: "header_invalid" },
  { name: "x-forwarded-host lists the admin host second", authority: WWW, headers: { "x-forwarded-host": "www.example.com, Admin.Example.com." }, status: 400, reason: "header_invalid" },
  { name: "x-forwarded-host on a second line", authority: WWW, headers: { "x-forwarded-host": [WWW, "admin.example.com:443"] }, status: 400, reason: "header_invalid" },
  { name: "forwarded host= names the admin host (quoted, with a port)", authority: WWW, headers: { forwarded: 'for=192.0.2.1;proto=https;Host="admin.example.com:443"' }, status: 400, reason: "header_invalid" },
  { name: "forwarded's second element names the admin host", authority: WWW, headers: { forwarded: "for=192.0.2.1;host=www.example.com, for=192.0.2.2;host=admin.example.com" }, status: 400, reason: "header_invalid" },
  { name: "x-original-host names the admin host", authority: WWW, headers: { "x-original-host": "admin.example.com" }, status: 400, reason: "header_invalid" },
  { name: "x-host names the admin host", authority: WWW, headers: { "x-host": "admin.example.com" }, status: 400, reason: "header_invalid" },
  { name: "x_forwarded_host (HTTP_X_FORWARDED_HOST to Django, PHP, Rack)", authority: WWW, headers: { x_forwarded_host: "www.example.com" }, status: 400, reason: "header_invalid" },
  { name: "more than 16 named hosts, all of the same route: refused (each costs a route lookup)", authority: WWW, headers: { "x-forwarded-host": Array(17).fill(WWW).join(", ") }, status: 400, reason: "header_invalid" },
  { name: "16 named hosts of the same route pass", authority: WWW, headers: { "x-forwarded-host": Array(16).fill(WWW).join(", ") }, status: 200 },
  { name: "named hosts of the same route pass", authority: WWW, headers: { "x-forwarded-host": "api.example.com", forwarded: "for=192.0.2.1;host=www.example.com;proto=https" }, status: 200 },
  { name: "the admin host named on the admin host: its own rules decide", authority: "admin.example.com", headers: { "x-forwarded-host": "admin.example.com" }, status: 401, reason: "identity_missing" },
  { name: "the admin host naming another host: refused before its rules", authority: "admin.example.com", headers: { "x-forwarded-host": WWW }, status: 400, reason: "header_invalid" },
];

// Methods read two ways: HEAD, which most frameworks run as GET, must meet a GET route's rules,
// not land on a catch-all. Shared by src-host-tests/routes.test.ts and test/traversal.e2e.test.ts.
export const METHOD_POLICY = { routes: [
  { name: "admin", path: "/admin/users", methods: ["GET"], allow: [{ peers: ["spiffe://meshguard.test/ns/ops/sa/admin"] }] },
  { name: "rest", path: "/**", public: true },
] };
export interface MethodCase { name: string; method: string; path: string; status: number; reason?: string }
export const METHOD_CASES: MethodCase[] = [
  { name: "GET on the GET route meets its rules", method: "GET", path: "/admin/users", status: 401, reason: "identity_missing" },
  { name: "HEAD on the GET route meets its rules, not the catch-all's", method: "HEAD", path: "/admin/users", status: 401, reason: "identity_missing" },
  { name: "POST on the GET route's path is the catch-all's", method: "POST", path: "/admin/users", status: 200 },
  { name: "HEAD elsewhere passes", method: "HEAD", path: "/public", status: 200 },
];
