// bench/guest-time.ts with probing on: each request first makes meshguard's GET host calls one by
// one and times each. Built by build.sh; never shipped.
export * from "./guest-time";
import { probeHostCalls } from "./guest-time";

probeHostCalls();
