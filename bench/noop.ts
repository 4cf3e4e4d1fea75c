// The benchmark's baseline: a filter that does nothing, built with the same compiler, runtime,
// SDK import table and optimiser as meshguard. Every callback answers Continue.
// Its malloc is meshguard's allocateForHost written out: importing abi/host.ts would also run that
// module's start-up (its shared constants), which a filter that does nothing should not pay.

export function proxy_abi_version_0_2_1(): void {}
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_on_context_create(contextId: u32, parentId: u32): void {}
export function proxy_on_vm_start(rootId: u32, size: u32): u32 { return 1; }
export function proxy_on_configure(rootId: u32, size: u32): u32 { return 1; }
export function proxy_on_request_headers(contextId: u32, n: u32, eos: u32): u32 { return 0; }
export function proxy_on_request_body(contextId: u32, n: u32, eos: u32): u32 { return 0; }
export function proxy_on_response_headers(contextId: u32, n: u32, eos: u32): u32 { return 0; }
export function proxy_on_response_body(contextId: u32, n: u32, eos: u32): u32 { return 0; }
export function proxy_on_done(contextId: u32): u32 { return 1; }
export function proxy_on_log(contextId: u32): void {}
export function proxy_on_delete(contextId: u32): void {}
export function noopAbort(message: string | null, fileName: string | null, line: u32, column: u32): void { unreachable(); }
