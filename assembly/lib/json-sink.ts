// What the streaming tokenizer (lib/jsonstream.ts) hands each event of a document to: the streaming
// schema check (validate/schema-stream.ts), or a document being built (lib/document-sink.ts). Pure.
import { asciiText } from "./intern";
import { NumberText } from "./float";

export abstract class JsonSink {
  // Each returns false to stop the document (the sink refused it; its reason is its own).
  abstract startObject(): bool;
  abstract endObject(): bool;
  abstract startArray(): bool;
  abstract endArray(): bool;
  abstract memberName(name: string): bool;
  abstract string(value: string): bool;
  // A string value of `len` plain ASCII bytes at `ptr` (readable during this call only), `hash` its
  // intern hash (lib/intern.ts stringRun), or -1 when it is longer than the intern tables take: a
  // sink that reads no more than its length need not decode it. By default it is decoded
  // (lib/intern.ts asciiText: once per VM when short) and handed to string().
  asciiString(ptr: usize, len: i32, hash: i32): bool { return this.string(asciiText(hash, ptr, len)); }
  // `text` is the number as written, readable during this call only (NumberText).
  abstract number(value: f64, text: NumberText): bool;
  abstract boolean(value: bool): bool;
  abstract nul(): bool;
}
