// When garbage is collected. meshguard is built with AssemblyScript's minimal runtime: its
// collector runs only when called, so compiled code keeps no shadow stack of references (with the
// incremental runtime, every function that holds a reference pushed it there; that bookkeeping
// was more than half of the cost of parsing a body). The price is that the collector must only run
// where no reference lives on the wasm stack: at the entry of a callback from the host that is
// not nested in another (Envoy may call back, e.g. for memory, while meshguard is in a host call).
//
// It runs there once the garbage made since the last collection may exceed COLLECT_AT (an
// estimate: a fixed share per callback, and three times the bytes of every value the host handed
// in, for its copy, the strings decoded from it and what is built from those), or once memory had
// to grow (the estimate was short). Memory reaches a plateau (the live data, the garbage of one
// interval, rounded up as the allocator grows memory by doubling it) and stays there
// (src-host-tests/memory.test.ts, bench/run.ts over 1,000,000 requests).

const COLLECT_AT: usize = 2 << 20;
const PER_CALLBACK: usize = 2048;

let nesting: i32 = 0;
let pressure: usize = 0;
let pagesAtCollection: i32 = 0;

// At the entry of every callback from the host (malloc excepted: it never allocates managed data).
export function enterCallback(): void {
  if (nesting == 0 && (pressure >= COLLECT_AT || memory.size() > pagesAtCollection)) {
    __collect();
    pressure = 0;
    pagesAtCollection = memory.size();
  }
  nesting++;
  pressure += PER_CALLBACK;
}

export function leaveCallback(): void {
  nesting--;
}

// The host handed in `bytes` bytes.
export function receivedFromHost(bytes: usize): void {
  pressure += bytes * 3;
}

// Much garbage was just made (a configuration compiled): collect at the next safe point.
export function collectSoon(): void {
  pressure = COLLECT_AT;
}
