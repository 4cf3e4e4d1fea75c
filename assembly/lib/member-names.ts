// The member names of a JSON object being read, for lib/jsonstream.ts to refuse a duplicate. Pure.

// The member names of one open object. A list while small (the common case, no hashing); a set
// once it grows, so that a large object costs linear time, not quadratic (10,000 members would
// otherwise be 50 million comparisons).
export class MemberNames {
  private list: string[] = [];
  private set: Set<string> | null = null;
  size: i32 = 0;
  // Emptied for the next object at the same depth (the sets are pooled per depth).
  clear(): void {
    this.list.length = 0;
    this.set = null;
    this.size = 0;
  }
  has(name: string): bool {
    const set = this.set;
    if (set !== null) return set.has(name);
    // The same object is the same name (interned names usually are); otherwise the bytes decide,
    // length first. Written out: a call per comparison was most of the check's cost.
    const list = this.list;
    const p = changetype<usize>(name);
    const bytes = <usize>name.length << 1;
    for (let i = 0, n = list.length; i < n; i++) {
      const q = changetype<usize>(unchecked(list[i]));
      if (q == p) return true;
      if ((<usize>unchecked(list[i]).length << 1) == bytes && memory.compare(p, q, bytes) == 0) return true;
    }
    return false;
  }
  add(name: string): void {
    this.size++;
    const set = this.set;
    if (set !== null) { set.add(name); return; }
    this.list.push(name);
    if (this.list.length > 16) {
      const s = new Set<string>();
      for (let i = 0; i < this.list.length; i++) s.add(this.list[i]);
      this.set = s;
    }
  }
}
