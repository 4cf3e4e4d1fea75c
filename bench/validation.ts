// Validation throughput: JSON bodies of about 1 KB, 16 KB and 256 KB checked against one schema,
// by meshguard (through the compiled filter in the emulator, the body in 16 KiB chunks as Envoy
// delivers it, request lifecycle included) and by ajv (schema compiled once; JSON.parse plus
// validate, what a service would do), in the same run. Medians; MB/s and the ratio.
// Run: npm run bench:validation   (node --no-liftoff, as Envoy runs V8)
import Ajv from "ajv";
import { cpus } from "node:os";
import { readFileSync } from "node:fs";
import { ProxyWasmHost } from "../tools/emulator/host.ts";
import { WASM_PATH } from "../src-host-tests/fixture.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const CHUNK = 16 * 1024;

const schema = {
  type: "object", required: ["customer", "items"], additionalProperties: false,
  properties: {
    customer: { type: "object", required: ["id", "email"], properties: { id: { type: "string", format: "uuid" }, email: { type: "string", format: "email" }, name: { type: "string", maxLength: 100 } } },
    items: { type: "array", minItems: 1, items: { $ref: "#/definitions/item" } },
    note: { type: "string", maxLength: 1000 },
  },
  definitions: { item: { type: "object", required: ["sku", "qty", "price"], additionalProperties: false, properties: { sku: { type: "string", minLength: 1, maxLength: 32 }, qty: { type: "integer", minimum: 1, maximum: 1000 }, price: { type: "number", minimum: 0 }, tags: { type: "array", items: { enum: ["gift", "fragile", "express"] } } } } },
};

function payload(targetBytes: number): string {
  const items: object[] = [];
  const doc = { customer: { id: "123e4567-e89b-12d3-a456-426614174000", email: "ann@example.com", name: "Ann Example" }, items, note: "leave at the door" };
  let i = 0;
  while (JSON.stringify(doc).length < targetBytes) items.push({ sku: `sku-${i}-abcdef`, qty: 1 + (i % 9), price: 9.99 + i, tags: i % 3 ? ["gift"] : ["fragile", "express"] }), i++;
  return JSON.stringify(doc);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const host = await ProxyWasmHost.load(readFileSync(WASM_PATH), {
  pluginConfig: JSON.stringify({ routes: [{ name: "orders", path: "/orders", methods: ["POST"], public: true, max_body_bytes: 1 << 20, content_types: ["application/json"], body_schema: schema }] }),
});
if (!host.configured) throw new Error(host.logsAt("error").join("\n"));
const validate = new Ajv({ allErrors: false }).addFormat("uuid", /^[0-9a-f-]{36}$/i).addFormat("email", /^[^@\s]+@[^@\s]+\.[^@\s]+$/).compile(schema);

function meshguard(body: Buffer): void {
  const s = host.newStream({});
  s.sendRequestHeaders([[":path", "/orders"], [":method", "POST"], ["content-type", "application/json"], ["content-length", String(body.length)]], false);
  for (let at = 0; at < body.length && !s.localReply; at += CHUNK) s.sendRequestBody(body.subarray(at, at + CHUNK), at + CHUNK >= body.length);
  if (s.localReply) throw new Error(`refused: ${s.localReply.body}`);
  s.sendResponseHeaders([[":status", "200"]], true);
  s.finish();
}
function withAjv(text: string): void {
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
for (const size of [1024, 16 * 1024, 256 * 1024]) {
  const text = payload(size);
  const body = Buffer.from(text);
  const iterations = Math.max(20, Math.round(20_000_000 / body.length));
  meshguard(body); withAjv(text);
  const m: number[] = [], a: number[] = [];
  for (let r = 0; r < ROUNDS; r++) { m.push(mbps(() => meshguard(body), body.length, iterations)); a.push(mbps(() => withAjv(text), body.length, iterations)); }
  rows.push({ body: `${(body.length / 1024).toFixed(1)} KB`, "meshguard MB/s": +median(m).toFixed(1), "ajv MB/s": +median(a).toFixed(1), "meshguard / ajv": +(median(m) / median(a)).toFixed(2) });
}
console.table(rows);
if (host.trap) throw host.trap;
