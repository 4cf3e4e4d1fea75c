// meshguard as shipped, except that garbage is collected at the entry of every callback that is
// not nested in another (abi/collect.ts), instead of now and then: any reference that a
// collection could miss would show at once (src-host-tests/gc-torture.test.ts). Never shipped.
export * from "../../assembly/index";
import { collectAtEveryCallback } from "../../assembly/abi/collect";

collectAtEveryCallback();
