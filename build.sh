#!/usr/bin/env bash
# Compiles assembly/ with AssemblyScript, then optimises with binaryen's wasm-opt, into
# build/meshguard.wasm. Also builds the benchmark's no-op filter with the same toolchain.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p build
ASC_BIN=node_modules/.bin/asc
# The build is silent when all is well: any diagnostic the compiler prints (a warning or a note
# included) fails it, so a new one cannot scroll past unseen.
asc() {
  local out
  out=$("$ASC_BIN" "$@" 2>&1) || { printf '%s\n' "$out"; exit 1; }
  if [ -n "$out" ]; then printf '%s\n' "$out"; echo "build: the compiler reported diagnostics (treated as errors)"; exit 1; fi
}
WASM_OPT=node_modules/binaryen/bin/wasm-opt
# The features AssemblyScript 0.28 emits by default; all are supported by the V8 in Envoy.
FEATURES="--enable-bulk-memory --enable-bulk-memory-opt --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int"
asc assembly/index.ts --config asconfig.json --target release
"$WASM_OPT" build/meshguard.unopt.wasm $FEATURES -O3 --strip-debug --strip-producers -o build/meshguard.wasm
asc bench/noop.ts --config asconfig.json --target noop
"$WASM_OPT" build/noop.unopt.wasm $FEATURES -O3 --strip-debug --strip-producers -o build/noop.wasm
rm -f build/meshguard.unopt.wasm build/noop.unopt.wasm
ls -l build/meshguard.wasm build/noop.wasm | awk '{print "built " $9 " (" $5 " bytes)"}'
# The no-op filter plus one host call, for `BENCH_HOST_CALLS=1 npm run bench:envoy` (bench/host-call.ts),
# optimised like the no-op filter it is measured against, with meshguard's runtime; never shipped.
asc bench/host-call.ts --config asconfig.json --target noop --runtime minimal --outFile build/host-call.unopt.wasm
"$WASM_OPT" build/host-call.unopt.wasm $FEATURES -O3 --strip-debug --strip-producers -o build/host-call.wasm
rm -f build/host-call.unopt.wasm
# meshguard timing its own callbacks inside Envoy, for `npm run bench:guest` (bench/guest-time.ts), and
# the same probing each host call; optimised as shipped; never shipped.
for entry in guest-time guest-time-probe; do
  asc bench/$entry.ts --config asconfig.json --target guest-time --outFile build/$entry.unopt.wasm
  "$WASM_OPT" build/$entry.unopt.wasm $FEATURES -O3 --strip-debug --strip-producers -o build/$entry.wasm
  rm -f build/$entry.unopt.wasm
done
# meshguard collecting garbage at every callback, for the collector's torture test; never shipped.
asc src-host-tests/torture/index.ts --config asconfig.json --target torture
"$WASM_OPT" build/torture.unopt.wasm $FEATURES -O3 --strip-debug --strip-producers -o build/torture.wasm
rm -f build/torture.unopt.wasm
# The probe guest that checks the emulator against a real Envoy (src-host-tests/probe/).
asc src-host-tests/probe/probe.ts --config asconfig.json --target probe
# Pure modules exposed to the tests, without a host (src-host-tests/unit/); never shipped.
asc src-host-tests/unit/exports.ts --config asconfig.json --target unit
