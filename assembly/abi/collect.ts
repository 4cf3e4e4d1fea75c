// When garbage is collected. meshguard is built with AssemblyScript's minimal runtime: its
// collector runs only when called, so compiled code keeps no shadow stack of references (with the
// incremental runtime, every function that holds a reference pushed it there; that bookkeeping
// was more than half of the cost of parsing a body). The price is that the collector must only run
// where no reference lives on the wasm stack: at the entry of a callback from the host that is
// not nested in another (Envoy may call back, e.g. for memory, while meshguard is in a host call).
//
// It runs there once the garbage made since the last collection may exceed a threshold (an
// estimate: a fixed share per callback, and three times the bytes of every value the host handed
// in, for its copy, the strings decoded from it and what is built from those), or once memory had
// to grow (the estimate was short). A collection marks everything live, so its cost grows with the
// policy: the threshold is the memory in use after the first collection that follows a
// configuration (the compiled policy and its tables, with the configuration's own garbage: of the
// order of the live data), and at least MIN_THRESHOLD. A 1,000-route policy then pays for a
// collection as rarely as its size warrants (with a fixed 2 MB, collections cost it more than the
// rest of a request: bench/run.ts). Memory reaches a plateau (the live data and about one
// threshold, rounded up as the allocator grows memory by doubling it) and stays there
// (src-host-tests/memory.test.ts, bench/run.ts).

const MIN_THRESHOLD: usize = 2 << 20;
const PER_CALLBACK: usize = 2048;

let nesting: i32 = 0;
let pressure: usize = 0;
let threshold: usize = MIN_THRESHOLD;
let pagesAtCollection: i32 = 0;
let configured: bool = false;      // a configuration was compiled since the last collection
let always: bool = false;          // src-host-tests/torture/: at every callback

// At the entry of every callback from the host (malloc excepted: it never allocates managed data).
export function enterCallback(): void {
  if (nesting == 0 && (always || pressure >= threshold || memory.size() > pagesAtCollection)) {
    __collect();
    pressure = 0;
    pagesAtCollection = memory.size();
    if (configured) {
      threshold = max(MIN_THRESHOLD, <usize>pagesAtCollection << 16);
      configured = false;
    }
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

// A configuration was just compiled (much garbage, and perhaps a larger policy): collect at the
// next safe point, and size the threshold from what remains.
export function collectSoon(): void {
  pressure = threshold;
  configured = true;
}

// For the collector's torture test only (src-host-tests/torture/): collect at every callback.
export function collectAtEveryCallback(): void {
  always = true;
}
