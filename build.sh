#!/usr/bin/env bash
# Compiles assembly/ with AssemblyScript, then optimises with binaryen's wasm-opt, into
# build/meshguard.wasm. Also builds the benchmark's no-op filter with the same toolchain.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p build
ASC=node_modules/.bin/asc
WASM_OPT=node_modules/binaryen/bin/wasm-opt
# The features AssemblyScript 0.28 emits by default; all are supported by the V8 in Envoy.
FEATURES="--enable-bulk-memory --enable-bulk-memory-opt --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int"
"$ASC" assembly/index.ts --config asconfig.json --target release
"$WASM_OPT" build/meshguard.unopt.wasm $FEATURES -O3 --strip-debug --strip-producers -o build/meshguard.wasm
"$ASC" bench/noop.ts --config asconfig.json --target noop
"$WASM_OPT" build/noop.unopt.wasm $FEATURES -O3 --strip-debug --strip-producers -o build/noop.wasm
rm -f build/meshguard.unopt.wasm build/noop.unopt.wasm
ls -l build/meshguard.wasm build/noop.wasm | awk '{print "built " $9 " (" $5 " bytes)"}'
# The probe guest that checks the emulator against a real Envoy (src-host-tests/probe/).
"$ASC" src-host-tests/probe/probe.ts --config asconfig.json --target probe
# Pure modules exposed to the tests, without a host (src-host-tests/unit/); never shipped.
"$ASC" src-host-tests/unit/exports.ts --config asconfig.json --target unit
