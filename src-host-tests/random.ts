// A small seeded PRNG so fuzz runs are repeatable: a failure prints its seed.
export class Rng {
  constructor(private state: number) {}
  next(): number {
    // mulberry32
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  bytes(n: number): Buffer { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = this.int(256); return b; }
  stringFrom(alphabet: readonly string[], maxLen: number): string {
    let s = "";
    const n = this.int(maxLen + 1);
    for (let i = 0; i < n; i++) s += this.pick(alphabet);
    return s;
  }
}

export const FUZZ_ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 3000);
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261127);

// Mutations of a valid document: flip, insert, delete, duplicate, truncate.
export function mutate(rng: Rng, doc: Buffer): Buffer {
  const structural = Buffer.from('{}[]":,\\ -+.eE0123456789tfnul\x00\xff');
  const b = Buffer.from(doc);
  const at = rng.int(Math.max(1, b.length));
  switch (rng.int(6)) {
    case 0: b[at] = rng.int(256); return b;
    case 1: return Buffer.concat([b.subarray(0, at), Buffer.from([structural[rng.int(structural.length)]]), b.subarray(at)]);
    case 2: return Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
    case 3: return Buffer.concat([b.subarray(0, at), b.subarray(at, at + rng.int(32)), b.subarray(at)]);
    case 4: return b.subarray(0, at);
    default: b[at] = structural[rng.int(structural.length)]; return b;
  }
}
