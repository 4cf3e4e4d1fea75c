// Reading an OpenAPI document: JSON Pointers, local references, and the problems found, each with
// the pointer of its place in the document.
export type Json = Record<string, unknown>;

// RFC 6901: a pointer from a base pointer and one more token.
export function pointer(base: string, token: string | number): string {
  return `${base}/${String(token).replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

// The value a local reference ("#/a/b") points at, following references to references.
export function resolveRef(api: Json, ref: string, hops = 0): unknown {
  if (!ref.startsWith("#/") || hops > 20) return undefined;
  let v: unknown = api;
  for (const raw of ref.slice(2).split("/")) {
    const token = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Json)[token];
  }
  if (v !== null && typeof v === "object" && typeof (v as Json).$ref === "string") return resolveRef(api, (v as Json).$ref as string, hops + 1);
  return v;
}

// An object that may be a reference: the object it stands for.
export function deref<T>(api: Json, v: T): T {
  if (v !== null && typeof v === "object" && typeof (v as Json).$ref === "string") return resolveRef(api, (v as Json).$ref as string) as T;
  return v;
}

export interface Problem { pointer: string; message: string }

// Warnings are what the default mode works around (and says so); errors stop the import. With
// --strict, every warning is an error.
export class Problems {
  readonly warnings: Problem[] = [];
  readonly errors: Problem[] = [];
  constructor(private readonly strict: boolean) {}
  warn(at: string, message: string): void { (this.strict ? this.errors : this.warnings).push({ pointer: at, message }); }
  error(at: string, message: string): void { this.errors.push({ pointer: at, message }); }
}

export function format(p: Problem): string {
  return `${p.pointer || "/"}: ${p.message}`;
}
