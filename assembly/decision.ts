// The outcome of checking one request: a value, never an exception.

export class Decision {
  constructor(
    public readonly allowed: bool,
    public readonly status: u32,     // HTTP status of the local reply when refused
    public readonly reason: string,  // a constant from reasons.ts, "" when allowed
  ) {}

  static allow(): Decision { return ALLOW; }
  static deny(status: u32, reason: string): Decision { return new Decision(false, status, reason); }
}

const ALLOW = new Decision(true, 0, "");
