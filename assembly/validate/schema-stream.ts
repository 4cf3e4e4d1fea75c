// Schema-lite checked on the tokenizer's events (lib/jsonstream.ts) as the body streams, without
// building the document: each open container keeps a frame (its schema node, members or items so
// far, the required names seen, the first error below it), each scalar is checked where it ends.
// A value whose schema needs the whole value (enum or const on a container, uniqueItems, allOf,
// anyOf, oneOf, not, a $ref beside other keywords) is built, that subtree alone, and handed to
// schema.ts's validate(). Pure.
//
// The verdict is validate()'s on the whole document, the same error included: a container's own
// keywords (minProperties, maxProperties, required; minItems, maxItems) are checked when it
// closes and take precedence over an error among its members, as validate() checks them first;
// members and items after the first error are not checked (validate() stops there). One
// difference, in crafted cases only: the work budget is spent in document order, so a document
// that exhausts it is refused for complexity even where validate() would have found another
// error first.
import { NumberText } from "../lib/float";
import { JsonKind, JsonValue } from "../lib/json";
import { DocumentSink } from "../lib/document-sink";
import { JsonSink } from "../lib/json-sink";
import { Budget, SchemaError, SchemaNode, T_ANY, T_ARR, T_INT, T_NUM, T_OBJ, findName, propertyInOtherCase, validate } from "./schema";
import { enumStrings, needsWholeValue, validateEnumString, validateStringLength } from "./schema-strings";
import { EQUAL_AS_DOUBLE } from "./numbers";
import { asciiText } from "../lib/intern";

// How a node is checked, decided once per node (SchemaNode.plan).
export const PLAN_UNKNOWN: u8 = 0;
export const PLAN_STREAM: u8 = 1;   // on the events
export const PLAN_WHOLE: u8 = 2;    // a keyword needs the whole value: build it, then validate()
export const PLAN_REF: u8 = 3;      // only a $ref: the target's plan

const MAX_REF_HOPS = 64;

// Only a $ref, nothing beside it: validate() would check the target alone.
function onlyRef(n: SchemaNode): bool {
  return n.ref !== null && !n.alwaysFalse && n.types == T_ANY && n.enumValues === null && n.constValue === null
    && n.properties.length == 0 && n.required.length == 0 && n.additional === null && n.items === null
    && n.minItems < 0 && n.maxItems < 0 && !n.uniqueItems && n.minLength < 0 && n.maxLength < 0
    && isNaN(n.minimum) && isNaN(n.maximum) && isNaN(n.exclusiveMinimum) && isNaN(n.exclusiveMaximum)
    && n.multipleOf === null && n.minProperties < 0 && n.maxProperties < 0 && n.format.length == 0 && n.pattern === null
    && n.allOf.length == 0 && n.anyOf.length == 0 && n.oneOf.length == 0 && n.not === null;
}

// @ts-ignore: decorator
@inline function planOf(n: SchemaNode): u8 {
  const p = n.plan;
  return p != PLAN_UNKNOWN ? p : decidePlan(n);
}

function decidePlan(n: SchemaNode): u8 {
  let p = PLAN_STREAM;
  if (onlyRef(n)) p = PLAN_REF;
  else if (n.enumValues !== null || needsWholeValue(n)) p = PLAN_WHOLE;
  n.plan = p;
  return p;
}

// A number's text for validate(): decoded when the schema reads it (multipleOf, a subschema the
// whole-value plan reaches), or when the literal must decide what its double cannot: a bound it
// equals as a double, or whether it is an integer where only integers pass (numbers.ts);
// EQUAL_AS_DOUBLE when the doubles already decide that; "" when nothing reads it.
function numberText(n: SchemaNode, x: f64, text: NumberText): string {
  if (n.multipleOf !== null || planOf(n) != PLAN_STREAM) return text.toString();
  const bound = n.touchesBound(x);
  const integerOnly = (n.types & T_NUM) == 0 && Math.floor(x) == x;
  if (!bound && !integerOnly) return "";
  return text.decidedByDouble(x) && (!bound || n.boundsDecidedByDouble()) ? EQUAL_AS_DOUBLE : text.toString();
}

// Whether validate() would pass the number `x` (its literal `text`) on a node checked on the events,
// judged on the doubles alone: no multipleOf, no bound equal to x (then the doubles order x and
// every bound as their literals), and its type settled (any number, or an integer whose literal a
// double decides). False when it fails or when that takes more: validate() then judges it.
function passesOnDoubles(n: SchemaNode, x: f64, text: NumberText): bool {
  if (planOf(n) != PLAN_STREAM || n.alwaysFalse || n.multipleOf !== null || n.touchesBound(x)) return false;
  const types = n.types;
  if ((types & (T_NUM | T_INT)) != (T_NUM | T_INT)) {
    if ((types & T_INT) == 0 || Math.floor(x) != x || !text.decidedByDouble(x)) return false;
  }
  return !(x < n.minimum) && !(x > n.maximum) && !(x <= n.exclusiveMinimum) && !(x >= n.exclusiveMaximum);
}

// One open container.
class Frame {
  node: SchemaNode | null = null;      // null: its contents are not checked
  isObject: bool = false;
  fixed: SchemaError | null = null;    // known when it opened (type, false): its verdict
  error: SchemaError | null = null;    // the first error among its members or items
  count: i32 = 0;                      // members or items so far
  seen: StaticArray<u8> = new StaticArray<u8>(8);   // per required name: seen ([0, required) in use)
  member: string = "";                 // the current member's name
  child: SchemaNode | null = null;     // the current member's schema
  childIsAdditional: bool = false;     // ... from additionalProperties

  reset(node: SchemaNode | null, isObject: bool, fixed: SchemaError | null): void {
    this.node = node;
    this.isObject = isObject;
    this.fixed = fixed;
    this.error = null;
    this.count = 0;
    this.member = "";
    this.child = null;
    this.childIsAdditional = false;
    const required = node !== null && isObject ? node.required.length : 0;
    if (required > this.seen.length) this.seen = new StaticArray<u8>(required);
    memory.fill(changetype<usize>(this.seen), 0, <usize>required);
  }
}

export class SchemaStream extends JsonSink {
  private frames: Frame[] = [];          // a pool: frames[0, depth) are open
  private depth: i32 = 0;
  private scalar: JsonValue = new JsonValue();   // reused for every scalar
  private whole: DocumentSink | null = null;     // the subtree being built, if any
  private wholeDepth: i32 = 0;
  private wholeNode: SchemaNode;
  private rootError: SchemaError | null = null;
  private started: bool = false;
  readonly budget: Budget;

  constructor(private root: SchemaNode, budget: i64) {
    super();
    this.wholeNode = root;
    this.budget = new Budget(budget);
  }

  // Ready for a new document against this schema, keeping the frames it made.
  reset(root: SchemaNode, budget: i64): void {
    this.root = root;
    this.depth = 0;
    this.whole = null;
    this.wholeDepth = 0;
    this.wholeNode = root;
    this.rootError = null;
    this.started = false;
    this.budget.left = budget;
  }

  // After the document: whether it had a value at all, and the first error (null: it conforms).
  get sawValue(): bool { return this.started; }
  // The budget only ever goes down (here and in validate()): once below zero, the verdict is
  // "complexity", wherever it ran out.
  get error(): SchemaError | null {
    return this.budget.left < 0 ? new SchemaError("complexity") : this.rootError;
  }

  private spend(n: i64): bool {
    this.budget.left -= n;
    return this.budget.left >= 0;
  }

  // The schema of the value that starts now, or null when it is not checked.
  private nodeForValue(): SchemaNode | null {
    if (this.depth == 0) {
      if (this.started) return null;
      this.started = true;
      return this.root;
    }
    const f = unchecked(this.frames[this.depth - 1]);
    if (f.isObject) return f.child;
    f.count++;
    const node = f.node;
    return node !== null && f.error === null ? node.items : null;
  }

  // Follows $refs that stand alone (each costs the budget one, as in validate()).
  private resolve(node: SchemaNode): SchemaNode | null {
    let n = node;
    for (let hops = 0; planOf(n) == PLAN_REF; hops++) {
      if (hops >= MAX_REF_HOPS || !this.spend(1)) return null;
      n = n.ref!;
    }
    return n;
  }

  // The value that just ended had this verdict.
  private complete(e: SchemaError | null): void {
    if (this.depth == 0) { this.rootError = e; return; }
    if (e === null) return;
    const f = unchecked(this.frames[this.depth - 1]);
    if (f.error !== null || f.node === null) return;
    if (f.isObject) {
      f.error = f.childIsAdditional && e.keyword == "false" && e.tokens.length == 0
        ? new SchemaError("additionalProperties").at(f.member) : e.at(f.member);
    } else {
      f.error = e.at((f.count - 1).toString());
    }
  }

  // The schema of the scalar that starts now, its $refs followed; null when it is not checked or
  // its verdict is already given (complexity).
  private scalarNode(): SchemaNode | null {
    const node = this.nodeForValue();
    if (node === null) return null;
    const n = this.resolve(node);
    if (n === null) this.complete(new SchemaError("complexity"));
    return n;
  }

  // The scalar in this.scalar (a string, a boolean or null), checked.
  private checkScalar(): bool {
    const n = this.scalarNode();
    if (n === null) return true;
    this.complete(validate(this.scalar, n, this.budget));
    return true;
  }

  private open(isObject: bool): bool {
    const node = this.nodeForValue();
    let n: SchemaNode | null = null;
    let fixed: SchemaError | null = null;
    if (node !== null) {
      n = this.resolve(node);
      if (n === null) fixed = new SchemaError("complexity");
      else if (planOf(n) == PLAN_WHOLE) {
        const whole = new DocumentSink();
        this.whole = whole;
        this.wholeDepth = 1;
        this.wholeNode = n;
        return isObject ? whole.startObject() : whole.startArray();
      } else if (!this.spend(1)) fixed = new SchemaError("complexity");
      else if (n.alwaysFalse) fixed = new SchemaError("false");
      else if ((n.types & (isObject ? T_OBJ : T_ARR)) == 0) fixed = new SchemaError("type");
      if (fixed !== null) n = null;
    }
    if (this.depth == this.frames.length) this.frames.push(new Frame());
    unchecked(this.frames[this.depth++]).reset(n, isObject, fixed);
    return true;
  }

  private close(): bool {
    const f = unchecked(this.frames[--this.depth]);
    const n = f.node;
    if (n === null) { this.complete(f.fixed); return true; }
    const count = <i64>f.count;
    let own: SchemaError | null = null;
    if (f.isObject) {
      if (n.minProperties >= 0 && count < n.minProperties) own = new SchemaError("minProperties");
      else if (n.maxProperties >= 0 && count > n.maxProperties) own = new SchemaError("maxProperties");
      else {
        for (let i = 0; i < n.required.length; i++) {
          if (unchecked(f.seen[i]) == 0) { own = new SchemaError("required").at(n.required[i]); break; }
        }
      }
    } else {
      if (n.minItems >= 0 && count < n.minItems) own = new SchemaError("minItems");
      else if (n.maxItems >= 0 && count > n.maxItems) own = new SchemaError("maxItems");
    }
    this.complete(own !== null ? own : f.error);
    return true;
  }

  // The events of a subtree being built go to it; its end is validated.
  private wholeEvent(opens: i32): void {
    this.wholeDepth += opens;
    if (this.wholeDepth > 0) return;
    const root = this.whole!.root;
    this.whole = null;
    this.complete(validate(root!, this.wholeNode, this.budget));
  }

  startObject(): bool {
    const w = this.whole;
    if (w !== null) { this.wholeEvent(1); return w.startObject(); }
    return this.open(true);
  }
  startArray(): bool {
    const w = this.whole;
    if (w !== null) { this.wholeEvent(1); return w.startArray(); }
    return this.open(false);
  }
  endObject(): bool {
    const w = this.whole;
    if (w !== null) { w.endObject(); this.wholeEvent(-1); return true; }
    return this.close();
  }
  endArray(): bool {
    const w = this.whole;
    if (w !== null) { w.endArray(); this.wholeEvent(-1); return true; }
    return this.close();
  }

  memberName(name: string): bool {
    const w = this.whole;
    if (w !== null) return w.memberName(name);
    const f = unchecked(this.frames[this.depth - 1]);
    const n = f.node;
    f.child = null;
    if (n === null) return true;
    f.count++;
    f.member = name;
    // What validate() charges for looking the name up among required and properties.
    if (!this.spend(<i64>n.required.length + <i64>n.properties.length)) return true;
    // A member that is not required is usually the same interned name object each time.
    if (changetype<usize>(name) != changetype<usize>(n.requiredMissed)) {
      const r = findName(n.required, n.requiredSeen, name);
      if (r >= 0) unchecked(f.seen[r] = 1);
      else n.requiredMissed = name;
    }
    if (f.error !== null) return true;
    const p = findName(n.properties, n.propertiesSeen, name);
    if (p >= 0) { f.child = unchecked(n.propertyNodes[p]); f.childIsAdditional = false; }
    else if (propertyInOtherCase(n, name) >= 0) f.error = new SchemaError("properties").at(name);
    else { f.child = n.additional; f.childIsAdditional = true; }
    return true;
  }

  string(value: string): bool {
    const w = this.whole;
    if (w !== null) { w.string(value); this.wholeEvent(0); return true; }
    const s = this.scalar;
    s.kind = JsonKind.String; s.str = value;
    return this.checkScalar();
  }
  // A plain-ASCII string (lib/jsonstream.ts; `hash` -1 when past the intern tables): decoded only
  // for a schema that reads more than its length (its code points are its bytes).
  asciiString(ptr: usize, len: i32, hash: i32): bool {
    if (this.whole !== null) return this.string(asciiText(hash, ptr, len));
    const n = this.scalarNode();
    if (n === null) return true;
    if (planOf(n) == PLAN_STREAM && n.format.length == 0 && n.pattern === null) {
      this.complete(validateStringLength(<i64>len, n, this.budget));
      return true;
    }
    const values = enumStrings(n);   // an enum of strings: matched on the bytes
    if (values !== null) {
      this.complete(validateEnumString(ptr, len, n, values, this.budget));
      return true;
    }
    const s = this.scalar;
    s.kind = JsonKind.String; s.str = asciiText(hash, ptr, len);
    this.complete(validate(s, n, this.budget));
    return true;
  }
  number(value: f64, text: NumberText): bool {
    const w = this.whole;
    if (w !== null) { w.number(value, text); this.wholeEvent(0); return true; }
    const n = this.scalarNode();
    if (n === null) return true;
    if (this.budget.left > 0 && passesOnDoubles(n, value, text)) {   // validate()'s verdict, its one step
      this.budget.left--;
      this.complete(null);
      return true;
    }
    const s = this.scalar;
    s.kind = JsonKind.Number; s.num = value;
    s.str = numberText(n, value, text);
    this.complete(validate(s, n, this.budget));
    return true;
  }
  boolean(value: bool): bool {
    const w = this.whole;
    if (w !== null) { w.boolean(value); this.wholeEvent(0); return true; }
    const s = this.scalar;
    s.kind = JsonKind.Bool; s.bool = value;
    return this.checkScalar();
  }
  nul(): bool {
    const w = this.whole;
    if (w !== null) { w.nul(); this.wholeEvent(0); return true; }
    this.scalar.kind = JsonKind.Null;
    return this.checkScalar();
  }
}
