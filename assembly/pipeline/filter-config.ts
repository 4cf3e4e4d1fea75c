// One immutable configuration: the compiled policy and everything built from it. configure makes
// a new one and swaps it in whole (abi/plugin.ts); each stream keeps the one it started with, so a
// reconfigure mid-stream never mixes two policies.
import { Policy } from "../config/policy";
import { Identifier } from "../identity/identify";
import { Monitor } from "../monitor/monitor";
import { Limiter } from "../ratelimit/limiter";
import { Tally } from "./io";

export class FilterConfig {
  readonly identifier: Identifier;
  constructor(
    public readonly policy: Policy,
    public readonly limiter: Limiter | null,   // null when the policy has no rate limits
    public readonly tally: Tally,
    public readonly version: string,           // the first 12 hex digits of the configuration's SHA-256
    public readonly monitor: Monitor | null,   // null when the policy declares no detectors
  ) {
    this.identifier = new Identifier(policy.identity);
  }
}
