// Short strings decoded once per VM: member names and small values repeat from body to body (the
// same field names in every element of an array, enum values), and decoding each one again is an
// allocation per token. A direct-mapped table of the bytes and their decoded string; a lookup
// compares the bytes, so a collision is a miss, never a wrong string. Only plain ASCII (0x20 to
// 0x7e, no quote or backslash) up to MAX_BYTES is cached: for those bytes the decoded string is the
// bytes themselves. Pure (no host calls); one table for names and one for values.

export const MAX_BYTES = 32;
const SLOTS = 256;

// FNV-1a over the bytes, or -1 when they are not cacheable.
export function plainAsciiHash(ptr: usize, len: i32): i32 {
  if (len > MAX_BYTES) return -1;
  let h: u32 = 0x811c9dc5;
  for (let i = 0; i < len; i++) {
    const c = <u32>load<u8>(ptr + <usize>i);
    if (c < 0x20 || c > 0x7e || c == 0x22 || c == 0x5c) return -1;
    h = (h ^ c) * 0x01000193;
  }
  return <i32>(h & 0x7fffffff);
}

export class InternTable {
  private readonly bytes: Uint8Array = new Uint8Array(SLOTS * MAX_BYTES);
  private readonly lens: StaticArray<i32> = new StaticArray<i32>(SLOTS);
  private readonly strs: StaticArray<string> = new StaticArray<string>(SLOTS);

  constructor() {
    for (let i = 0; i < SLOTS; i++) { unchecked(this.lens[i] = -1); unchecked(this.strs[i] = ""); }
  }

  // The string for `len` plain ASCII bytes at `ptr` whose plainAsciiHash is `hash` (>= 0).
  get(hash: i32, ptr: usize, len: i32): string {
    const slot = hash & (SLOTS - 1);
    const at = this.bytes.dataStart + <usize>(slot * MAX_BYTES);
    if (unchecked(this.lens[slot]) == len && memory.compare(at, ptr, <usize>len) == 0) return unchecked(this.strs[slot]);
    const s = String.UTF8.decodeUnsafe(ptr, <usize>len, false);
    memory.copy(at, ptr, <usize>len);
    unchecked(this.lens[slot] = len);
    unchecked(this.strs[slot] = s);
    return s;
  }
}

export const NAMES = new InternTable();
export const VALUES = new InternTable();
