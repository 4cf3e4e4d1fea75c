// How a body scan (override-body.ts: json-names.ts, override.ts FormNames, multipart-names.ts
// PartNames) is fed a piece of a body: the bytes it can read in place go to its skip(), which
// returns the first byte its push() must read, and that byte goes to push(). Pushing every byte is
// each scan's definition; skip() must leave the state pushing its bytes would
// (src-host-tests/scan-in-place.test.ts compares the two ways).
export function feedScan<T>(scan: T, bytes: Uint8Array): void {
  const n = bytes.length;
  const p = bytes.dataStart;
  let i = 0;
  while (true) {
    i = scan.skip(p, i, n);
    if (i >= n) break;
    scan.push(<i32>load<u8>(p + <usize>i));
    i++;
  }
}
