// The scene's legitimate traffic: mesh services, users and a partner, each at its own pace with
// some jitter, as they would call a shop. Every answer is counted; the page shows how much of it
// was served while the attacks run (it should be all of it).
import type { Caller, Reply } from "./client.ts";

export interface LegitCaller {
  caller: Caller;
  who: string;                 // in words, for the page: "service shop/frontend"
  everyMs: number;             // mean pause between requests
  next(i: number): { method: string; path: string; headers?: Record<string, string>; body?: string };
}

interface Tally { sent: number; served: number; lastStatus: number }

export interface TrafficSummary {
  callers: { name: string; who: string; sent: number; served: number; last_status: number }[];
  sent: number;
  served: number;               // answered 2xx
  window: { sent: number; served: number };   // the last 60 s
}

const WINDOW_S = 60;

export class Traffic {
  private readonly tallies = new Map<string, Tally>();
  private readonly perSecond: { s: number; sent: number; served: number }[] = [];
  private running = false;
  private readonly loops: Promise<void>[] = [];
  errors: string[] = [];

  constructor(private readonly callers: LegitCaller[]) {
    for (const c of callers) this.tallies.set(c.caller.name, { sent: 0, served: 0, lastStatus: 0 });
  }

  start(): void {
    this.running = true;
    for (const c of this.callers) this.loops.push(this.loop(c));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(c: LegitCaller): Promise<void> {
    // Staggered starts, so the callers do not move in step.
    await pause(Math.random() * c.everyMs);
    for (let i = 0; this.running; i++) {
      const req = c.next(i);
      let r: Reply | null = null;
      try { r = await c.caller.send(req.method, req.path, { headers: req.headers, body: req.body }); } catch (e) {
        if (this.errors.length < 20) this.errors.push(`${c.caller.name}: ${(e as Error).message}`);
      }
      this.count(c.caller.name, r ? r.status : 0);
      await pause(c.everyMs * (0.5 + Math.random()));
    }
  }

  private count(name: string, status: number): void {
    const ok = status >= 200 && status < 300;
    const t = this.tallies.get(name)!;
    t.sent++; if (ok) t.served++; t.lastStatus = status;
    const s = Math.floor(Date.now() / 1000);
    let last = this.perSecond[this.perSecond.length - 1];
    if (!last || last.s !== s) { last = { s, sent: 0, served: 0 }; this.perSecond.push(last); }
    last.sent++; if (ok) last.served++;
    while (this.perSecond.length > 0 && this.perSecond[0].s <= s - WINDOW_S) this.perSecond.shift();
  }

  summary(): TrafficSummary {
    let sent = 0, served = 0;
    const callers = this.callers.map((c) => {
      const t = this.tallies.get(c.caller.name)!;
      sent += t.sent; served += t.served;
      return { name: c.caller.name, who: c.who, sent: t.sent, served: t.served, last_status: t.lastStatus };
    });
    const window = { sent: 0, served: 0 };
    for (const p of this.perSecond) { window.sent += p.sent; window.served += p.served; }
    return { callers, sent, served, window };
  }
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
