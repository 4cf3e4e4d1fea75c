// Regular expressions without catastrophic backtracking: a documented subset of ECMAScript syntax,
// compiled to a Thompson NFA and run as a Pike VM, so matching takes time linear in the input times
// the program size, whatever the pattern. Pure.
//
// Subset: literals and escaped metacharacters; `.` (any but line terminators); classes `[a-z_]`,
// `[^...]`; `\d \D \w \W \s \S`; anchors `^` `$`; groups `( )` and `(?: )`; alternation `|`;
// quantifiers `* + ? {n} {n,} {n,m}` (greedy or lazy: only match / no match matters). Refused at
// compile time: backreferences, lookaround, named groups, `\p{..}`, `\b`, flags, and programs over
// MAX_PROGRAM instructions. Matching searches anywhere in the string unless anchored, as JSON
// Schema's `pattern` does. Code units are UTF-16, as in ECMAScript without the `u` flag.

import { hexDigit } from "./text";
export const MAX_PROGRAM = 4000;
export const MAX_PATTERN = 1000;

const enum Op { Char = 0, Any = 1, Class = 2, Split = 3, Jmp = 4, Match = 5, Start = 6, End = 7 }

class Inst {
  constructor(public op: Op, public c: i32, public x: i32, public y: i32, public cls: CharClass | null) {}
}

class CharClass {
  ranges: i32[] = [];      // pairs lo, hi (inclusive)
  negated: bool = false;
  matches(c: i32): bool {
    let hit = false;
    for (let i = 0; i < this.ranges.length && !hit; i += 2) hit = c >= this.ranges[i] && c <= this.ranges[i + 1];
    return hit != this.negated;
  }
}

// ---------------------------------------------------------------- parser: pattern → syntax tree
const enum Node { Empty = 0, Char = 1, Any = 2, Class = 3, Cat = 4, Alt = 5, Repeat = 6, Start = 7, End = 8 }

class Ast {
  kids: Ast[] = [];
  c: i32 = 0;
  cls: CharClass | null = null;
  min: i32 = 0;
  max: i32 = -1;       // -1: unbounded
  constructor(public kind: Node) {}
}

class PatternParser {
  pos: i32 = 0;
  error: string = "";
  constructor(public src: string) {}
  fail(m: string): Ast { if (this.error.length == 0) this.error = m + " at " + this.pos.toString(); return new Ast(Node.Empty); }
  get more(): bool { return this.pos < this.src.length && this.error.length == 0; }
  peek(): i32 { return this.pos < this.src.length ? this.src.charCodeAt(this.pos) : -1; }

  alternation(depth: i32): Ast {
    if (depth > 100) return this.fail("nested too deeply");
    const first = this.concat(depth);
    if (this.peek() != 0x7c) return first;
    const alt = new Ast(Node.Alt);
    alt.kids.push(first);
    while (this.peek() == 0x7c && this.error.length == 0) { this.pos++; alt.kids.push(this.concat(depth)); }
    return alt;
  }

  concat(depth: i32): Ast {
    const cat = new Ast(Node.Cat);
    while (this.more && this.peek() != 0x7c && this.peek() != 0x29) cat.kids.push(this.repeat(depth));
    return cat;
  }

  repeat(depth: i32): Ast {
    const atom = this.atom(depth);
    while (this.more) {
      const c = this.peek();
      let min = -1, max = -1;
      if (c == 0x2a) { min = 0; max = -1; this.pos++; }
      else if (c == 0x2b) { min = 1; max = -1; this.pos++; }
      else if (c == 0x3f) { min = 0; max = 1; this.pos++; }
      else if (c == 0x7b) {
        const save = this.pos;
        this.pos++;
        const lo = this.number();
        if (lo < 0) { this.pos = save; return atom; }     // a literal '{', as ECMAScript reads it
        let hi = lo;
        if (this.peek() == 0x2c) { this.pos++; hi = this.peek() == 0x7d ? -1 : this.number(); if (hi == -2) { this.pos = save; return atom; } }
        if (this.peek() != 0x7d) { this.pos = save; return atom; }
        this.pos++;
        if (hi >= 0 && hi < lo) return this.fail("{n,m} with m below n");
        if (lo > 1000 || hi > 1000) return this.fail("repetition count above 1000");
        min = lo; max = hi;
      } else break;
      if (this.peek() == 0x3f) this.pos++;    // lazy: the same set of matches
      if (atom.kind == Node.Start || atom.kind == Node.End) return this.fail("a quantifier after an anchor");
      const r = new Ast(Node.Repeat);
      r.kids.push(atom);
      r.min = min; r.max = max;
      return r;
    }
    return atom;
  }

  // -1 when there is no number; -2 for an empty upper bound handled by the caller.
  number(): i32 {
    let n = 0, digits = 0;
    while (this.peek() >= 0x30 && this.peek() <= 0x39) { n = min(n * 10 + this.peek() - 0x30, 100000); this.pos++; digits++; }
    return digits == 0 ? -1 : n;
  }

  atom(depth: i32): Ast {
    const c = this.peek();
    this.pos++;
    if (c == 0x28) {
      if (this.peek() == 0x3f) {
        if (this.pos + 1 < this.src.length && this.src.charCodeAt(this.pos + 1) == 0x3a) this.pos += 2;
        else return this.fail("lookaround and named groups are outside the safe subset");
      }
      const inner = this.alternation(depth + 1);
      if (this.peek() != 0x29) return this.fail("missing ')'");
      this.pos++;
      return inner;
    }
    if (c == 0x29) return this.fail("unbalanced ')'");
    if (c == 0x5b) return this.charClass();
    if (c == 0x2e) return new Ast(Node.Any);
    if (c == 0x5e) return new Ast(Node.Start);
    if (c == 0x24) return new Ast(Node.End);
    if (c == 0x2a || c == 0x2b || c == 0x3f) return this.fail("nothing to repeat");
    if (c == 0x5c) return this.escape(false, null);
    const a = new Ast(Node.Char);
    a.c = c;
    return a;
  }

  // After a backslash. In a class, `into` collects ranges; outside, an Ast is returned.
  escape(inClass: bool, into: CharClass | null): Ast {
    if (this.pos >= this.src.length) return this.fail("a trailing backslash");
    const e = this.src.charCodeAt(this.pos++);
    const cls = new CharClass();
    let isClass = true;
    if (e == 0x64 || e == 0x44) { cls.ranges = [0x30, 0x39]; cls.negated = e == 0x44; }
    else if (e == 0x77 || e == 0x57) { cls.ranges = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a]; cls.negated = e == 0x57; }
    else if (e == 0x73 || e == 0x53) { cls.ranges = [0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff]; cls.negated = e == 0x53; }
    else isClass = false;
    if (isClass) {
      if (inClass) {
        if (cls.negated) return this.fail("\\D, \\W and \\S inside a class are outside the safe subset");
        for (let i = 0; i < cls.ranges.length; i++) into!.ranges.push(cls.ranges[i]);
        return new Ast(Node.Empty);
      }
      const a = new Ast(Node.Class);
      a.cls = cls;
      return a;
    }
    let ch: i32;
    if (e == 0x6e) ch = 0x0a; else if (e == 0x72) ch = 0x0d; else if (e == 0x74) ch = 0x09; else if (e == 0x66) ch = 0x0c; else if (e == 0x76) ch = 0x0b;
    else if (e == 0x30) ch = 0;
    else if (e == 0x78 || e == 0x75) {
      const n = e == 0x78 ? 2 : 4;
      ch = 0;
      for (let i = 0; i < n; i++) {
        const h = this.pos < this.src.length ? hexDigit(this.src.charCodeAt(this.pos)) : -1;
        if (h < 0) return this.fail("a malformed \\x or \\u escape");
        ch = ch * 16 + h;
        this.pos++;
      }
    }
    else if ((e >= 0x30 && e <= 0x39) || e == 0x62 || e == 0x42 || e == 0x70 || e == 0x50 || e == 0x6b || e == 0x63) return this.fail("\\" + String.fromCharCode(e) + " (backreferences, word boundaries, unicode classes) is outside the safe subset");
    else if ((e >= 0x41 && e <= 0x5a) || (e >= 0x61 && e <= 0x7a)) return this.fail("the escape \\" + String.fromCharCode(e) + " is outside the safe subset");
    else ch = e;     // an escaped metacharacter or punctuation
    const a = new Ast(Node.Char);
    a.c = ch;
    return a;
  }

  charClass(): Ast {
    const cls = new CharClass();
    if (this.peek() == 0x5e) { cls.negated = true; this.pos++; }
    let first = true;
    while (true) {
      if (this.pos >= this.src.length) return this.fail("missing ']'");
      let c = this.src.charCodeAt(this.pos);
      if (c == 0x5d && !first) { this.pos++; break; }
      // "[]" matches nothing and "[^]" anything, as in ECMAScript: no ranges, negated or not.
      if (c == 0x5d && first) { this.pos++; break; }
      first = false;
      this.pos++;
      let lo = c;
      if (c == 0x5c) {
        const before = cls.ranges.length;
        const e = this.escape(true, cls);
        if (this.error.length > 0) return e;
        if (cls.ranges.length != before) continue;    // \d, \w, \s added their ranges
        lo = e.c;
      }
      let hi = lo;
      if (this.peek() == 0x2d && this.pos + 1 < this.src.length && this.src.charCodeAt(this.pos + 1) != 0x5d) {
        this.pos++;
        c = this.src.charCodeAt(this.pos++);
        hi = c;
        if (c == 0x5c) {
          const before = cls.ranges.length;
          const e = this.escape(true, cls);
          if (this.error.length > 0) return e;
          if (cls.ranges.length != before) return this.fail("a class shorthand as a range end");
          hi = e.c;
        }
        if (hi < lo) return this.fail("a range out of order");
      }
      cls.ranges.push(lo);
      cls.ranges.push(hi);
    }
    const a = new Ast(Node.Class);
    a.cls = cls;
    return a;
  }
}


// ---------------------------------------------------------------- compiler: tree → program
class Emitter {
  prog: Inst[] = [];
  error: string = "";
  emit(op: Op, c: i32 = 0, x: i32 = 0, y: i32 = 0, cls: CharClass | null = null): i32 {
    if (this.prog.length >= MAX_PROGRAM) { if (this.error.length == 0) this.error = "the pattern compiles to more than " + MAX_PROGRAM.toString() + " instructions"; return this.prog.length; }
    this.prog.push(new Inst(op, c, x, y, cls));
    return this.prog.length - 1;
  }
  node(a: Ast): void {
    if (this.error.length > 0) return;
    switch (a.kind) {
      case Node.Char: this.emit(Op.Char, a.c); break;
      case Node.Any: this.emit(Op.Any); break;
      case Node.Class: this.emit(Op.Class, 0, 0, 0, a.cls); break;
      case Node.Start: this.emit(Op.Start); break;
      case Node.End: this.emit(Op.End); break;
      case Node.Cat: for (let i = 0; i < a.kids.length; i++) this.node(a.kids[i]); break;
      case Node.Alt: {
        const jumps = new Array<i32>(0);
        for (let i = 0; i < a.kids.length; i++) {
          if (i < a.kids.length - 1) {
            const split = this.emit(Op.Split);
            if (this.error.length > 0) return;
            this.prog[split].x = split + 1;
            this.node(a.kids[i]);
            jumps.push(this.emit(Op.Jmp));
            if (this.error.length > 0) return;
            this.prog[split].y = this.prog.length;
          } else this.node(a.kids[i]);
        }
        for (let i = 0; i < jumps.length && this.error.length == 0; i++) this.prog[jumps[i]].x = this.prog.length;
        break;
      }
      case Node.Repeat: {
        const kid = a.kids[0];
        for (let i = 0; i < a.min && this.error.length == 0; i++) this.node(kid);
        if (a.max < 0) {
          const split = this.emit(Op.Split);
          if (this.error.length > 0) return;
          this.prog[split].x = split + 1;
          this.node(kid);
          this.emit(Op.Jmp, 0, split);
          if (this.error.length > 0) return;
          this.prog[split].y = this.prog.length;
        } else {
          const ends = new Array<i32>(0);
          for (let i = a.min; i < a.max && this.error.length == 0; i++) {
            const split = this.emit(Op.Split);
            if (this.error.length > 0) return;
            this.prog[split].x = split + 1;
            ends.push(split);
            this.node(kid);
          }
          for (let i = 0; i < ends.length && this.error.length == 0; i++) this.prog[ends[i]].y = this.prog.length;
        }
        break;
      }
      default: break;
    }
  }
}

export class Regex {
  constructor(public readonly source: string, private readonly prog: Inst[]) {}

  // Pike VM: all threads advance together, one step per code unit; a state is visited once per step.
  test(s: string): bool {
    const n = this.prog.length;
    let clist = new Int32Array(n), nlist = new Int32Array(n);
    let ccount = 0, ncount = 0;
    const mark = new Int32Array(n);
    let gen = 0;
    const stack = new Int32Array(n * 2 + 2);
    for (let i = 0; i <= s.length; i++) {
      // A new thread may start at every position (an unanchored search).
      gen++;
      ccount = this.add(clist, ccount, 0, i, s, mark, gen, stack, true);
      if (ccount < 0) return true;
      if (i == s.length) break;
      const c = s.charCodeAt(i);
      gen++;
      ncount = 0;
      for (let t = 0; t < ccount; t++) {
        const inst = this.prog[clist[t]];
        let ok = false;
        if (inst.op == Op.Char) ok = inst.c == c;
        else if (inst.op == Op.Any) ok = c != 0x0a && c != 0x0d && c != 0x2028 && c != 0x2029;
        else if (inst.op == Op.Class) ok = inst.cls!.matches(c);
        if (ok) {
          ncount = this.add(nlist, ncount, clist[t] + 1, i + 1, s, mark, gen, stack, false);
          if (ncount < 0) return true;
        }
      }
      const tmp = clist; clist = nlist; nlist = tmp;
      ccount = ncount;
    }
    return false;
  }

  // Follows splits, jumps and assertions from pc; adds the consuming states. -1 on reaching Match.
  private add(list: Int32Array, count: i32, pc: i32, at: i32, s: string, mark: Int32Array, gen: i32, stack: Int32Array, keep: bool): i32 {
    let sp = 0;
    stack[sp++] = pc;
    while (sp > 0) {
      const p = stack[--sp];
      if (p >= this.prog.length || mark[p] == gen) continue;
      mark[p] = gen;
      const inst = this.prog[p];
      switch (inst.op) {
        case Op.Match: return -1;
        case Op.Jmp: stack[sp++] = inst.x; break;
        case Op.Split: stack[sp++] = inst.y; stack[sp++] = inst.x; break;
        case Op.Start: if (at == 0) stack[sp++] = p + 1; break;
        case Op.End: if (at == s.length) stack[sp++] = p + 1; break;
        default: list[count++] = p;
      }
    }
    return count;
  }
}

export class RegexCompile {
  constructor(public regex: Regex | null, public error: string) {}
}

export function compileRegex(pattern: string): RegexCompile {
  if (pattern.length > MAX_PATTERN) return new RegexCompile(null, "longer than " + MAX_PATTERN.toString() + " characters");
  const p = new PatternParser(pattern);
  const ast = p.alternation(0);
  if (p.error.length == 0 && p.pos < pattern.length) p.fail("unbalanced ')'");
  if (p.error.length > 0) return new RegexCompile(null, p.error);
  const e = new Emitter();
  e.node(ast);
  e.emit(Op.Match);
  if (e.error.length > 0) return new RegexCompile(null, e.error);
  return new RegexCompile(new Regex(pattern, e.prog), "");
}
