// Where the dashboard's lines come from: a file that Envoy's log is written to (followed like
// `tail -f`, from its current end, across truncation and rotation), standard input (e.g.
// `kubectl logs -f ... | meshguard dashboard --events -`), or a running Envoy of the demo.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { createInterface } from "node:readline";

// history: a line written before the dashboard started (only the policy in force is taken from
// those: old refusals and events would show with the wrong time).
export type LineSource = (onLine: (line: string, history: boolean) => void) => () => void;

const HISTORY_BYTES = 1 << 20;

export function fileLines(path: string, everyMs = 200): LineSource {
  return (onLine) => {
    let offset = (() => { try { return statSync(path).size; } catch { return 0; } })();
    let partial = "";
    if (offset > 0) {
      const fd = openSync(path, "r");
      try {
        const from = Math.max(0, offset - HISTORY_BYTES);
        const buf = Buffer.alloc(offset - from);
        const n = readSync(fd, buf, 0, buf.length, from);
        const lines = buf.subarray(0, n).toString("utf8").split("\n");
        lines.pop();
        for (const l of lines) onLine(l, true);
      } finally { closeSync(fd); }
    }
    const timer = setInterval(() => {
      let size: number;
      try { size = statSync(path).size; } catch { return; }
      if (size < offset) { offset = 0; partial = ""; }     // truncated or replaced: read it from the start
      if (size === offset) return;
      const fd = openSync(path, "r");
      try {
        const buf = Buffer.alloc(Math.min(size - offset, 4 << 20));
        const n = readSync(fd, buf, 0, buf.length, offset);
        offset += n;
        const lines = (partial + buf.subarray(0, n).toString("utf8")).split("\n");
        partial = lines.pop() ?? "";
        for (const l of lines) onLine(l, false);
      } finally { closeSync(fd); }
    }, everyMs);
    return () => clearInterval(timer);
  };
}

export function stdinLines(): LineSource {
  return (onLine) => {
    const rl = createInterface({ input: process.stdin });
    rl.on("line", (l) => onLine(l, false));
    return () => rl.close();
  };
}

// "-" is standard input, anything else a file path.
export function eventSource(spec: string): LineSource {
  return spec === "-" ? stdinLines() : fileLines(spec);
}

// A running Envoy of the project's runner: what it logged so far as history, then each new line.
export function envoyLines(envoy: { log(): string; onLine(l: (line: string) => void): () => void }): LineSource {
  return (onLine) => {
    const off = envoy.onLine((l) => onLine(l, false));
    for (const l of envoy.log().split("\n")) onLine(l, true);
    return off;
  };
}
