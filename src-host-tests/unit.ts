// build/unit.wasm: the pure modules exposed to the tests without a host (unit/exports.ts). Inputs are
// copied into its memory for one call; results come back as UTF-8 text.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const wasm = readFileSync(resolve(import.meta.dirname, "..", "build", "unit.wasm"));
const { exports } = await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array(wasm)), { env: {} });
export const unit = exports as unknown as Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
unit._initialize?.();   // the build exports its start function, as Envoy expects

// Runs `use` with the input in the module's memory (pointer, length), then frees it.
export function withBytes<T>(input: Buffer | string, use: (ptr: number, len: number) => T): T {
  const b = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const p = unit.alloc(Math.max(1, b.length));
  new Uint8Array(unit.memory.buffer).set(b, p);
  try { return use(p, b.length); } finally { unit.release(p); }
}

// The text an export returned (it leaves its length in resultLength()).
export function resultText(ptr: number): string {
  return Buffer.from(new Uint8Array(unit.memory.buffer, ptr, unit.resultLength())).toString("utf8");
}

// An export that takes (pointer, length) and returns text.
export function callText(name: string, input: Buffer | string): string {
  return withBytes(input, (p, len) => resultText(unit[name](p, len)));
}

// identity/same-claims.ts: whether two serialised dynamic metadata carry the same claims.
export function sameClaims(a: Buffer, b: Buffer): boolean {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(a.length);
  const r = callText("claimsSameOf", Buffer.concat([len, a, b]));
  if (r !== "SAME" && r !== "DIFFERENT") throw new Error(`claimsSameOf answered ${r}`);
  return r === "SAME";
}
