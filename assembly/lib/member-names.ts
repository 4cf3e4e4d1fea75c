// The member names of a JSON object being read, for lib/jsonstream.ts to refuse a duplicate. Pure.

const SMALL = 16;

// The member names of one open object. A fixed list while small (the common case, no hashing); a
// set once it grows, so that a large object costs linear time, not quadratic (10,000 members
// would otherwise be 50 million comparisons).
export class MemberNames {
  private small: StaticArray<string> = new StaticArray<string>(SMALL);   // [0, size) while set is null
  private set: Set<string> | null = null;
  size: i32 = 0;
  // Emptied for the next object at the same depth (the lists are pooled per depth).
  clear(): void {
    this.set = null;
    this.size = 0;
  }
  has(name: string): bool {
    const set = this.set;
    if (set !== null) return set.has(name);
    // The same object is the same name (interned names usually are); otherwise the bytes decide,
    // length first. Written out: a call per comparison was most of the check's cost.
    const p = changetype<usize>(name);
    const bytes = <usize>name.length << 1;
    for (let i = 0, n = this.size; i < n; i++) {
      const other = unchecked(this.small[i]);
      const q = changetype<usize>(other);
      if (q == p) return true;
      if ((<usize>other.length << 1) == bytes && memory.compare(p, q, bytes) == 0) return true;
    }
    return false;
  }
  add(name: string): void {
    const set = this.set;
    if (set !== null) { set.add(name); this.size++; return; }
    if (this.size < SMALL) { unchecked(this.small[this.size++] = name); return; }
    const s = new Set<string>();
    for (let i = 0; i < SMALL; i++) s.add(unchecked(this.small[i]));
    s.add(name);
    this.set = s;
    this.size++;
  }
}
