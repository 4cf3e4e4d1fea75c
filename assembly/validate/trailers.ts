// Request trailers: fields sent after the body (HTTP/2; HTTP/1.1 chunked where Envoy keeps them,
// enable_trailers). RFC 9110 §6.5.2 forbids merging a trailer into the header section unless the
// field's definition allows it, but servers that merge exist (Tomcat adds the trailers named in
// its allowedTrailerHeaders to the request's headers). Envoy passes trailers on as it gets them.
//
// So a trailer named as a header meshguard removes (an identity header, the strip list, a twin of
// either or of a header Envoy sets), as one it reads (or its twin), or as one that authenticates
// the request (authorization, cookie, host; their twins too) is removed: the service must not find
// there an identity meshguard removed from the headers, or another value of a header meshguard or
// Envoy judged. Removed, not refused: trailers come after the body, which may have reached the
// service complete already (a content-length), so a refusal could not stop it. Pure.
import { HeaderTwins, Twin, dashed } from "./twins";

const AUTHENTICATING: string[] = ["authorization", "proxy-authorization", "cookie", "host"];

// Whether a trailer of this (lowercase) name is removed.
export function trailerRemoved(twins: HeaderTwins, name: string): bool {
  if (twins.named(name) != Twin.None) return true;
  const form = dashed(name);
  for (let i = 0; i < AUTHENTICATING.length; i++) if (unchecked(AUTHENTICATING[i]) == form) return true;
  return false;
}
