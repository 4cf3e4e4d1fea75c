// Header names that servers reading headers CGI-style take for one. PHP, Rack servers, WSGI servers
// and other CGI-derived stacks hand a service its headers as HTTP_* variables, in upper case with
// '-' turned into '_': `x_meshguard_user`, `x-meshguard_user` and `x-meshguard-user` all become
// HTTP_X_MESHGUARD_USER, and the service reads one of them (which one depends on the server);
// older Apache turned every character but letters and digits into '_' (`x.meshguard.user`).
// Envoy passes names with '_' on unless told otherwise (headers_with_underscores_action: ALLOW).
//
// So a header whose name differs from one meshguard removes or reads only in the characters other
// than letters and digits is that header's twin: the twin of a header meshguard removes goes with
// it (pipeline step 1), and the twin of one it reads is refused (400 header_invalid): meshguard
// judged one, the service may read the other. Pure.
import { HeaderSnapshot } from "../lib/headers";

export const enum Twin { None = 0, Removed = 1, Read = 2 }

// A name as a CGI-style reader keys it: every character but a lowercase letter or a digit read as
// '-' (names arrive in lowercase).
export function dashed(name: string): string {
  if (plain(name)) return name;
  let out = "";
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    out += isAlnum(c) ? String.fromCharCode(c) : "-";
  }
  return out;
}

function isAlnum(c: i32): bool { return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39); }

// Only lowercase letters, digits and '-': its own dashed form.
function plain(name: string): bool {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!isAlnum(c) && c != 0x2d) return false;
  }
  return true;
}

export class HeaderTwins {
  // Aligned lists: the configured names as written, and what each is; the indices by dashed form.
  private readonly names: string[] = new Array<string>(0);
  private readonly byForm: Map<string, i32[]> = new Map<string, i32[]>();
  private readonly kinds: Twin[] = new Array<Twin>(0);
  // A configured name has a character other than a letter, digit or '-': then a request name of
  // only those can be its twin too.
  private configuredOther: bool = false;

  // Names meshguard removes from every request (the strip list).
  removes(name: string): void { this.add(name, Twin.Removed); }
  // Names meshguard reads to decide (content type and length, API key, a route's header rules).
  reads(name: string): void { this.add(name, Twin.Read); }

  private add(name: string, kind: Twin): void {
    const form = dashed(name);
    let same: i32[];
    if (this.byForm.has(form)) same = this.byForm.get(form);
    else { same = new Array<i32>(0); this.byForm.set(form, same); }
    // Each name once; the first kind given wins (removal is given before reading).
    for (let j = 0; j < same.length; j++) if (unchecked(this.names[unchecked(same[j])]) == name) return;
    same.push(this.names.length);
    this.names.push(name);
    this.kinds.push(kind);
    if (!plain(name)) this.configuredOther = true;
  }

  // What header i of the request is: None, or the twin of a configured name (the name itself is
  // not its own twin). A name of letters, digits and '-' costs a byte scan, unless a configured
  // name has other characters. Pseudo-headers (":path") are never twins.
  of(snap: HeaderSnapshot, i: i32): Twin {
    if (snap.isPseudo(i) || (!this.configuredOther && snap.namePlain(i))) return Twin.None;
    const k = this.twinIndex(snap.nameOf(i));
    return k < 0 ? Twin.None : unchecked(this.kinds[k]);
  }

  // What a name is as itself or as a twin: Removed when it or a name of its form is removed, Read
  // when one is read, else None (request trailers: validate/trailers.ts).
  named(name: string): Twin {
    const form = dashed(name);
    if (!this.byForm.has(form)) return Twin.None;
    const same = this.byForm.get(form);
    let kind = Twin.None;
    for (let j = 0; j < same.length; j++) {
      const k = unchecked(this.kinds[unchecked(same[j])]);
      if (k == Twin.Removed) return k;
      kind = k;
    }
    return kind;
  }

  // The configured name a twin stands for ("" when none).
  twinOf(name: string): string {
    const k = this.twinIndex(name);
    return k < 0 ? "" : unchecked(this.names[k]);
  }

  // A lookup by form, not a scan: a request may carry many odd names, a policy many read headers.
  private twinIndex(name: string): i32 {
    const form = dashed(name);
    if (!this.byForm.has(form)) return -1;
    const same = this.byForm.get(form);
    for (let j = 0; j < same.length; j++) {
      const k = unchecked(same[j]);
      if (unchecked(this.names[k]) != name) return k;
    }
    return -1;
  }
}
