// Hosts a request names besides :authority. Frameworks behind a proxy they trust take the request's
// host from X-Forwarded-Host (Express with trust proxy, Django, Rails, ASP.NET's forwarded-headers
// middleware, Spring's ForwardedHeaderFilter), from RFC 7239's Forwarded `host=` (Spring), or from
// X-Original-Host and X-Host. A service that serves several hosts then routes by that host, while
// meshguard matched the route of :authority's. The pipeline refuses a request whose named hosts lead
// to another route (pipeline.ts). Pure.
import { HeaderName, HeaderSnapshot } from "../lib/headers";

export const HOST_HEADERS: HeaderName[] = [new HeaderName("x-forwarded-host"), new HeaderName("x-original-host"), new HeaderName("x-host")];
const FORWARDED = new HeaderName("forwarded");
const NONE: string[] = [];

// Every host named, on every line and in every list entry (each reader takes another: the first,
// the last, the whole value), as written; none (no allocation) when no such header is present.
export function forwardedHosts(snap: HeaderSnapshot): string[] {
  let out = NONE;
  for (let h = 0; h < HOST_HEADERS.length; h++) {
    const name = HOST_HEADERS[h].bytes;
    for (let i = snap.find(name); i >= 0; i = snap.find(name, i + 1)) {
      if (out === NONE) out = new Array<string>(0);
      const entries = snap.valueOf(i).split(",");
      for (let e = 0; e < entries.length; e++) out.push(entries[e].trim());
    }
  }
  for (let i = snap.find(FORWARDED.bytes); i >= 0; i = snap.find(FORWARDED.bytes, i + 1)) {
    if (out === NONE) out = new Array<string>(0);
    forwardedHostParams(snap.valueOf(i), out);
  }
  return out;
}

// The `host=` parameters of a Forwarded value: elements split on ',', pairs on ';', a quoted value
// unquoted. Split without regard to quotes: a quoted ',' or ';' yields a host a quote-aware reader
// does not see, which can only add a host to check.
function forwardedHostParams(value: string, out: string[]): void {
  const elements = value.split(",");
  for (let e = 0; e < elements.length; e++) {
    const pairs = elements[e].split(";");
    for (let p = 0; p < pairs.length; p++) {
      const pair = pairs[p].trim();
      const eq = pair.indexOf("=");
      if (eq != 4 || pair.substring(0, 4).toLowerCase() != "host") continue;
      let v = pair.substring(5).trim();
      if (v.startsWith("\"")) v = v.substring(1);
      if (v.endsWith("\"")) v = v.substring(0, v.length - 1);
      out.push(v);
    }
  }
}
