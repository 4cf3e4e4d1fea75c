// Validation throughput: JSON bodies of about 1 KB, 16 KB and 256 KB checked against their schema
// (orders: mostly short names and numbers; posts: mostly text), by meshguard (through the compiled filter in the emulator, the body in 16 KiB chunks as Envoy
// delivers it, request lifecycle included) and by ajv (schema compiled once; JSON.parse plus
// validate, what a service would do), in the same run. Medians; MB/s and the ratio. Also the
// schema's own MB/s: the bytes over what the schema adds to the same request on the same route
// without it (which still reads its headers, matches the route and scans the body for _method).
// Run: npm run bench:validation   (node --no-liftoff, as Envoy runs V8)
// BENCH_COMPARE_WASM=<another build of meshguard> (or <label>=<build>) adds that build, interleaved
// in the same rounds, as a column of its own.
import Ajv from "ajv";
import { cpus } from "node:os";
import { readFileSync } from "node:fs";
import { ProxyWasmHost } from "../tools/emulator/host.ts";
import { WASM_PATH } from "../src-host-tests/fixture.ts";
import { ORDER_SCHEMA, POSTS_SCHEMA, orderBody, postsBody } from "./bodies.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const CHUNK = 16 * 1024;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const policy = (schema: object | null) => JSON.stringify({ routes: [{ name: "orders", path: "/orders", methods: ["POST"], public: true, max_body_bytes: 1 << 20, content_types: ["application/json"], ...(schema ? { body_schema: schema } : {}) }] });
async function load(path: string, schema: object | null): Promise<ProxyWasmHost> {
  const h = await ProxyWasmHost.load(readFileSync(path), { pluginConfig: policy(schema) });
  if (!h.configured) throw new Error(h.logsAt("error").join("\n"));
  return h;
}
const compare = process.env.BENCH_COMPARE_WASM ?? "";
const [compareLabel, comparePath] = compare.includes("=") ? compare.split("=") : ["compared build", compare];
const ajv = new Ajv({ allErrors: false }).addFormat("uuid", /^[0-9a-f-]{36}$/i).addFormat("email", /^[^@\s]+@[^@\s]+\.[^@\s]+$/);
const SHAPES = [
  { name: "orders", schema: ORDER_SCHEMA, payload: orderBody, sizes: [1024, 16 * 1024, 256 * 1024] },
  { name: "posts", schema: POSTS_SCHEMA, payload: postsBody, sizes: [16 * 1024, 256 * 1024] },
];

function meshguard(body: Buffer, on: ProxyWasmHost): void {
  const s = on.newStream({});
  s.sendRequestHeaders([[":path", "/orders"], [":method", "POST"], ["content-type", "application/json"], ["content-length", String(body.length)]], false);
  for (let at = 0; at < body.length && !s.localReply; at += CHUNK) s.sendRequestBody(body.subarray(at, at + CHUNK), at + CHUNK >= body.length);
  if (s.localReply) throw new Error(`refused: ${s.localReply.body}`);
  s.sendResponseHeaders([[":status", "200"]], true);
  s.finish();
}
function withAjv(validate: ReturnType<typeof ajv.compile>, text: string): void {
  if (!validate(JSON.parse(text))) throw new Error(JSON.stringify(validate.errors));
}

function mbps(fn: () => void, bytes: number, iterations: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return (bytes * iterations) / seconds / 1e6;
}

console.log(`validation throughput on ${cpus()[0]?.model}, ${cpus().length} cores, Node ${process.version}, ${ROUNDS} rounds, medians`);
const rows = [];
const hosts: ProxyWasmHost[] = [];
for (const shape of SHAPES) {
  const host = await load(WASM_PATH, shape.schema);
  const other = compare.length > 0 ? await load(comparePath, shape.schema) : null;
  // The same route without the schema: the request's other work (headers, route, the body read
  // and scanned for _method), so the schema's own share can be told apart.
  const bare = await load(WASM_PATH, null);
  hosts.push(host, bare, ...(other ? [other] : []));
  const validate = ajv.compile(shape.schema);
  for (const size of shape.sizes) {
    const text = shape.payload(size);
    const body = Buffer.from(text);
    const iterations = Math.max(20, Math.round(20_000_000 / body.length));
    meshguard(body, host); withAjv(validate, text);
    if (other) meshguard(body, other);
    const m: number[] = [], a: number[] = [], o: number[] = [], b: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      m.push(mbps(() => meshguard(body, host), body.length, iterations));
      b.push(mbps(() => meshguard(body, bare), body.length, iterations));
      a.push(mbps(() => withAjv(validate, text), body.length, iterations));
      if (other) o.push(mbps(() => meshguard(body, other), body.length, iterations));
    }
    const row: Record<string, string | number> = { body: `${shape.name} ${(body.length / 1024).toFixed(1)} KB`, "meshguard MB/s": +median(m).toFixed(1), "ajv MB/s": +median(a).toFixed(1), "meshguard / ajv": +(median(m) / median(a)).toFixed(2) };
    // The schema's own MB/s: the body's bytes over the time the schema adds to the request.
    const schemaAlone = 1 / (1 / median(m) - 1 / median(b));
    row["schema alone MB/s"] = +schemaAlone.toFixed(1);
    row["schema alone / ajv"] = +(schemaAlone / median(a)).toFixed(2);
    if (other) { row[`${compareLabel} MB/s`] = +median(o).toFixed(1); row[`${compareLabel} / ajv`] = +(median(o) / median(a)).toFixed(2); }
    rows.push(row);
  }
}
console.table(rows);
for (const h of hosts) if (h.trap) throw h.trap;
