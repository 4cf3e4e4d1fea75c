// Short strings decoded once per VM: member names and small values repeat from body to body (the
// same field names in every element of an array, enum values), and decoding each one again is an
// allocation per token. A two-way set-associative table of the bytes and their decoded string; a
// lookup compares the bytes, so a collision is a miss, never a wrong string. Only plain ASCII (0x20
// to 0x7e, no quote or backslash) up to MAX_BYTES is cached: for those bytes the decoded string is
// the bytes themselves. Pure (no host calls); one table for names and one for values.
import { zeroBytes } from "./json-runs";

export const MAX_BYTES = 32;
const SLOTS = 256;

// The content of the JSON string that starts at `ptr` (just after its opening quote), read once:
// its length in bytes up to the closing quote (escapes as written), or -1 when that quote does
// not come before `stop`. With it, in `runHash`, the content's intern hash (over its eight-byte
// words, the last one partial, and its length: the tables are keyed by it), or -1 when it is not
// plain ASCII (0x20 to 0x7e, no quote or backslash) or longer than MAX_BYTES; and in `runPlain`,
// whether it is plain ASCII at all. Eight bytes at a time while eight are in sight.
export let runHash: i32 = 0;
export let runPlain: bool = false;
export function stringRun(ptr: usize, stop: usize): i32 {
  let h: u64 = HASH_SEED;
  let p = ptr;
  let plain = true;
  while (p + 8 <= stop) {
    // Up to the first byte that matters: a quote or a backslash, and while the content is plain
    // so far, a byte that is not plain.
    const w = load<u64>(p);
    let marks = zeroBytes(w ^ 0x2222222222222222) | zeroBytes(w ^ 0x5c5c5c5c5c5c5c5c);
    if (plain) marks |= ((w - 0x2020202020202020) & ~w) | w | zeroBytes(w ^ 0x7f7f7f7f7f7f7f7f);
    marks &= 0x8080808080808080;
    if (marks == 0) {
      if (plain && p - ptr < <usize>MAX_BYTES) h = (h ^ w) * HASH_PRIME;   // past that, no hash is kept
      p += 8;
      continue;
    }
    const k = <usize>(ctz(marks) >> 3);
    p += k;
    const c = <u32>load<u8>(p);
    if (c == 0x22) {
      if (plain && k > 0) h = (h ^ (w & ((<u64>1 << (k << 3)) - 1))) * HASH_PRIME;   // the last word, partial
      return runEnds(ptr, p, h, plain);
    }
    plain = false;
    p += c == 0x5c ? 2 : 1;   // a backslash escapes the byte after it
  }
  // The last bytes before `stop`, one at a time: a plain run gathered into one word, as above.
  let tail: u64 = 0;
  let shift: u64 = 0;
  while (p < stop) {
    const c = <u32>load<u8>(p);
    if (c == 0x22) {
      if (plain && shift > 0) h = (h ^ tail) * HASH_PRIME;
      return runEnds(ptr, p, h, plain);
    }
    if (c < 0x20 || c > 0x7e || c == 0x5c) plain = false;
    if (plain) { tail |= <u64>c << shift; shift += 8; }
    p += c == 0x5c ? 2 : 1;
  }
  return -1;
}

const HASH_SEED: u64 = 0xcbf29ce484222325;
const HASH_PRIME: u64 = 0x100000001b3;

// The closing quote of the string whose content began at `ptr` is at `quote`; `h` the hash of its
// plain content so far, by eight-byte words (the last one partial).
function runEnds(ptr: usize, quote: usize, h: u64, plain: bool): i32 {
  const len = <i32>(quote - ptr);
  runPlain = plain;
  if (!plain || len > MAX_BYTES) { runHash = -1; return len; }
  h = (h ^ <u64>len) * HASH_PRIME;
  runHash = <i32>((h ^ (h >> 29) ^ (h >> 47)) & 0x7fffffff);
  return len;
}

export class InternTable {
  // Two ways per set: two short strings whose hashes share a set (likely among a few dozen, as
  // the birthday problem goes) would otherwise evict each other on every body that holds both.
  private readonly bytes: Uint8Array = new Uint8Array(SLOTS * MAX_BYTES);
  private readonly lens: StaticArray<i32> = new StaticArray<i32>(SLOTS);
  private readonly strs: StaticArray<string> = new StaticArray<string>(SLOTS);
  private readonly older: StaticArray<u8> = new StaticArray<u8>(SLOTS >> 1);   // per set: the way used least recently

  constructor() {
    for (let i = 0; i < SLOTS; i++) { unchecked(this.lens[i] = -1); unchecked(this.strs[i] = ""); }
  }

  private holds(slot: i32, ptr: usize, len: i32): bool {
    return unchecked(this.lens[slot]) == len && memory.compare(this.bytes.dataStart + <usize>(slot * MAX_BYTES), ptr, <usize>len) == 0;
  }

  // The string for `len` plain ASCII bytes at `ptr` whose intern hash (stringRun) is `hash` (>= 0).
  get(hash: i32, ptr: usize, len: i32): string {
    if (<u32>len > <u32>MAX_BYTES) return String.UTF8.decodeUnsafe(ptr, <usize>len, false);   // never past a slot
    const set = hash & ((SLOTS >> 1) - 1);
    const first = set << 1;
    for (let way = 0; way < 2; way++) {
      if (this.holds(first + way, ptr, len)) {
        unchecked(this.older[set] = <u8>(1 - way));
        return unchecked(this.strs[first + way]);
      }
    }
    const way = <i32>unchecked(this.older[set]);
    const slot = first + way;
    const s = String.UTF8.decodeUnsafe(ptr, <usize>len, false);
    memory.copy(this.bytes.dataStart + <usize>(slot * MAX_BYTES), ptr, <usize>len);
    unchecked(this.lens[slot] = len);
    unchecked(this.strs[slot] = s);
    unchecked(this.older[set] = <u8>(1 - way));
    return s;
  }
}

export const NAMES = new InternTable();
export const VALUES = new InternTable();

// The text of `len` plain ASCII bytes at `ptr`, `hash` their intern hash: from the values table
// when they are short enough for it, decoded otherwise (hash -1).
export function asciiText(hash: i32, ptr: usize, len: i32): string {
  return hash >= 0 ? VALUES.get(hash, ptr, len) : String.UTF8.decodeUnsafe(ptr, <usize>len, false);
}
