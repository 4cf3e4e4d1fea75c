// Real framework readers as the service: a Rack 2 application with Ruby's json gem (what a Rails
// controller's params would hold, and Rack::MethodOverride's method), PHP's built-in server
// ($_REQUEST and Laravel's input and method override), Werkzeug (Flask's request.values) and
// Express 4 (qs, body-parser, method-override), each behind its own real Envoy with
// meshguard. meshguard models how frameworks read parameters (docs/policy.md, "Parameters read
// from more than one place"); here the frameworks themselves say what they read. Every request is
// sent to the reader directly and through Envoy: an attack must be read unsafely directly (so it
// is a real one) and refused through Envoy; whatever passes must be read as meshguard checked it.
// Writes build/readers-table.json: the readers' versions and the outcomes.
import { writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envoyConfig } from "../tools/envoy/config";
import { createPki } from "../tools/envoy/pki";
import { type RunningEnvoy, startEnvoy } from "../tools/envoy/process";
import { type Reader, resolveReaders, startExpressReader, startPhpReader, startRackReader, startWerkzeugReader } from "../tools/readers/readers";
import { Rng } from "../src-host-tests/random";
import { READERS_POLICY, READER_CASES, READER_VALID, type ReaderRequest, SPOOFED_IDENTITY, randomReaderRequest, unsafeReading } from "./cases/readers";
import { WASM_PATH } from "./harness/fixture";

interface Answer { status: number; reason: string; reading: Record<string, unknown> | null; text: string }

// To Envoy on kept-alive connections; to a reader directly on a connection per request (PHP's
// built-in server gives each connection a worker until it closes, and Envoy keeps its own).
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function ask(port: number, r: ReaderRequest, direct = false): Promise<Answer> {
  const body = r.body !== undefined ? Buffer.from(r.body, "latin1") : undefined;
  const headers: Record<string, string> = { host: "api.test" };
  if (r.contentType) headers["content-type"] = r.contentType;
  if (r.cookie) headers.cookie = r.cookie;
  Object.assign(headers, r.headers ?? {});
  if (body) headers["content-length"] = String(body.length);
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port, method: r.method, path: r.path, headers, agent: direct ? false : agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: Record<string, unknown> | null = null;
        try { parsed = JSON.parse(text); } catch { /* not JSON */ }
        const fromMeshguard = res.headers["x-meshguard-reason"] !== undefined || (parsed !== null && typeof parsed.reason === "string" && res.statusCode !== 200);
        done({ status: res.statusCode ?? 0, reason: fromMeshguard ? String(parsed?.reason ?? res.headers["x-meshguard-reason"]) : "", reading: res.statusCode === 200 ? parsed : null, text: text.slice(0, 300) });
      });
      res.on("error", fail);
    });
    req.on("error", fail);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer in 10 s from port ${port} to ${JSON.stringify(r)}`)));
    req.end(body);
  });
}

// What the reader read, from an answer that reached it; a reader that did not answer with its
// reading (a crash, a warning in the way) fails the test that asked, with what it said.
function reading(a: Answer): Record<string, unknown> {
  if (a.status !== 200 || a.reading === null) throw new Error(`the reader did not answer with its reading: ${a.status} ${a.text}`);
  return a.reading;
}

const tables: Record<string, unknown> = {};

for (const which of ["rack", "php", "werkzeug", "express"] as const) {
  describe(`${which}: what a real framework reads is what meshguard checked (real Envoy, the framework as the service)`, () => {
    let reader: Reader;
    let envoy: RunningEnvoy;
    beforeAll(async () => {
      const bins = resolveReaders();
      reader = which === "rack" ? await startRackReader(bins.ruby) : which === "php" ? await startPhpReader(bins.php) : which === "werkzeug" ? await startWerkzeugReader(bins.python) : await startExpressReader();
      try {
        envoy = await startEnvoy(envoyConfig({ wasmPath: WASM_PATH, pluginConfig: READERS_POLICY, upstreamPort: reader.port, pki: createPki(), tls: false }));
      } catch (e) {
        await reader.stop();
        throw e;
      }
      console.log(`readers: ${which} is ${reader.version}, on port ${reader.port}; Envoy on ${envoy.listenerPort}`);
    }, 600_000);   // on a fresh machine: apt-get, after any other test's install holding the lock
    afterAll(async () => {
      await envoy?.stop();
      await reader?.stop();
    });

    const attacks = READER_CASES.filter((c) => c.target === which);
    for (const c of attacks) {
      it(`${c.name}: read unsafely by ${which} directly, refused by meshguard`, async () => {
        const direct = await ask(reader.port, c, true);
        expect(direct.status, JSON.stringify(direct)).toBe(200);
        expect(unsafeReading(which, reading(direct), c), JSON.stringify(direct.reading)).not.toBe("");
        const through = await ask(envoy.listenerPort, c);
        expect([through.status, through.reason, through.reading], JSON.stringify(through.reading)).toMatchObject([expect.any(Number), expect.stringMatching(/^[a-z_]+$/), null]);
        expect(through.status).toBeGreaterThanOrEqual(400);
      });
    }

    // (Express's JSON parser refuses a comment: the reader's own 400, not meshguard's.)
    for (const c of READER_VALID) {
      it(`${c.name}: passes meshguard, and ${which} reads it as meshguard checked it`, async () => {
        const through = await ask(envoy.listenerPort, c);
        expect(through.reason, JSON.stringify(through)).toBe("");
        if (which === "express" && through.status === 400 && through.text.includes("entity.parse.failed")) return;
        expect(unsafeReading(which, reading(through), c)).toBe("");
      });
    }

    it(`the attacks on the other reader: whatever passes, ${which} reads as meshguard checked it`, async () => {
      for (const c of READER_CASES.filter((x) => x.target !== which)) {
        const through = await ask(envoy.listenerPort, c);
        if (through.status === 200) expect([c.name, unsafeReading(which, reading(through), c)]).toEqual([c.name, ""]);
      }
    });

    it(`identity headers a client sets, in any spelling ${which} folds into one, never reach it through Envoy`, async () => {
      let seenDirectly = 0;
      for (const h of SPOOFED_IDENTITY) {
        const r: ReaderRequest = { name: Object.keys(h)[0], method: "GET", path: "/items/7", headers: h };
        const direct = reading(await ask(reader.port, r, true));
        if (Object.keys(direct.identity as object).length > 0) seenDirectly++;
        const through = await ask(envoy.listenerPort, r);
        const seen = through.status === 200 ? reading(through).identity as object : {};
        expect([r.name, Object.entries(seen)]).toEqual([r.name, []]);
      }
      console.log(`readers, ${which}: ${seenDirectly} of ${SPOOFED_IDENTITY.length} identity header spellings reach it directly`);
      expect(seenDirectly).toBeGreaterThan(0);
    });

    it(`random requests: every one ${which} reads unsafely is refused through Envoy`, async () => {
      const n = Number(process.env.READERS_REQUESTS ?? 600);
      const rng = new Rng(Number(process.env.READERS_SEED ?? 20261129));
      // refusedReadSafely: what meshguard refused that this reader read as checked (over-refusal
      // toward this reader; hostile for another perhaps), by meshguard's reason. Reported, not asserted.
      const outcomes = { sent: 0, unsafeDirectly: 0, refused: 0, refusedReadSafely: {} as Record<string, number>, passed: 0, passedUnsafe: [] as string[] };
      for (let i = 0; i < n; i++) {
        const r = randomReaderRequest(rng, i);
        const direct = await ask(reader.port, r, true);
        const unsafe = direct.status === 200 ? unsafeReading(which, reading(direct), r) : "";
        const through = await ask(envoy.listenerPort, r);
        outcomes.sent++;
        if (unsafe) outcomes.unsafeDirectly++;
        if (through.status === 200) {
          outcomes.passed++;
          const why = unsafeReading(which, reading(through), r);
          if (why) outcomes.passedUnsafe.push(`${JSON.stringify(r)} → ${why}`);
        } else if (through.reason) {
          outcomes.refused++;
          if (direct.status === 200 && !unsafe) outcomes.refusedReadSafely[through.reason] = (outcomes.refusedReadSafely[through.reason] ?? 0) + 1;
        }
      }
      tables[which] = { reader: reader.version, cases: attacks.length, ...outcomes, passedUnsafe: outcomes.passedUnsafe.slice(0, 20) };
      console.log(`readers, ${which}: ${JSON.stringify(tables[which])}`);
      expect(outcomes.passedUnsafe).toEqual([]);
      // Not vacuous: the generator makes requests the reader does read unsafely, and others that pass.
      expect(outcomes.unsafeDirectly).toBeGreaterThan(n / 50);
      expect(outcomes.passed).toBeGreaterThan(n / 20);
    }, 300_000);
  });
}

afterAll(() => writeFileSync(new URL("../build/readers-table.json", import.meta.url), JSON.stringify(tables, null, 2)));
