// The events of lib/jsonstream.ts built into a parsed document (lib/json.ts's JsonValue). Pure.
import { NumberText } from "./float";
import { JsonKind, JsonValue } from "./json";
import { JsonSink } from "./json-sink";

// Builds the parsed document from the events, for validators that need whole values (enum,
// const, uniqueItems, the combinators). Only the parsed form is kept, never the raw body; its
// size is bounded by the stream's limits.
export class DocumentSink extends JsonSink {
  root: JsonValue | null = null;
  private stack: JsonValue[] = [];
  private pendingName: string = "";

  private add(v: JsonValue): bool {
    const d = this.stack.length;
    if (d == 0) { this.root = v; return true; }
    const parent = this.stack[d - 1];
    if (parent.isObject()) { parent.names.push(this.pendingName); parent.items.push(v); }
    else parent.items.push(v);
    return true;
  }
  startObject(): bool { const v = JsonValue.object(); this.add(v); this.stack.push(v); return true; }
  endObject(): bool { this.stack.pop(); return true; }
  startArray(): bool { const v = JsonValue.array(); this.add(v); this.stack.push(v); return true; }
  endArray(): bool { this.stack.pop(); return true; }
  memberName(name: string): bool { this.pendingName = name; return true; }
  string(value: string): bool { const v = new JsonValue(); v.kind = JsonKind.String; v.str = value; return this.add(v); }
  number(value: f64, text: NumberText): bool { const v = new JsonValue(); v.kind = JsonKind.Number; v.str = text.toString(); v.num = value; return this.add(v); }
  boolean(value: bool): bool { const v = new JsonValue(); v.kind = JsonKind.Bool; v.bool = value; return this.add(v); }
  nul(): bool { return this.add(new JsonValue()); }
}
