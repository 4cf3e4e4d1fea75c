// The collector's torture test. meshguard collects garbage only at the entry of a callback that is
// not nested in another (assembly/abi/collect.ts): nothing else keeps a reference alive, so a
// reference that lived only on the wasm stack at such a point would be freed while in use. Here a
// build that collects at every one of those points (src-host-tests/torture/) answers the same
// requests as the shipped build: the whole-request fuzzer's traffic (both policies, bodies in small
// chunks, host failures injected) and order bodies against their schema. Every answer, the
// service's view included, must be the same, and neither may trap.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, it } from "vitest";
import { ProxyWasmHost } from "../tools/emulator/host";
import { type Outcome, type RequestSpec, runRequest } from "../tools/emulator/request";
import { ORDER_SCHEMA, orderBody } from "../bench/bodies";
import { filterBytes } from "./fixture";
import { FUZZ_AUDIT_POLICY, FUZZ_POLICY, fuzzRequest } from "./fuzz";
import { FUZZ_SEED, Rng } from "./random";

const TORTURE = readFileSync(resolve(import.meta.dirname, "..", "build", "torture.wasm"));
const REQUESTS = Number(process.env.TORTURE_REQUESTS ?? 3000);

// Everything the caller and the service saw; the request ids the emulator makes up differ per host.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const answer = (o: Outcome) => JSON.stringify({ status: o.status, reason: o.reason, body: o.body, headers: o.replyHeaders, forwarded: o.forwardedHeaders, upstream: o.upstream.body.toString("hex"), complete: o.upstream.complete }).replace(UUID, "<id>");

async function pair(policy: object): Promise<[ProxyWasmHost, ProxyWasmHost]> {
  const pluginConfig = JSON.stringify(policy);
  const hosts: [ProxyWasmHost, ProxyWasmHost] = [await ProxyWasmHost.load(filterBytes(), { pluginConfig }), await ProxyWasmHost.load(TORTURE, { pluginConfig })];
  for (const h of hosts) expect(h.configured).toBe(true);
  return hosts;
}

function compare(hosts: [ProxyWasmHost, ProxyWasmHost], reqs: RequestSpec[], advanceMs: number): string[] {
  const differences: string[] = [];
  reqs.forEach((req, i) => {
    const [a, b] = hosts.map((h) => answer(runRequest(h, req)));
    if (a !== b && differences.length < 5) differences.push(`request ${i}: shipped ${a.slice(0, 300)} / torture ${b.slice(0, 300)}`);
    for (const h of hosts) h.advance(advanceMs);
  });
  for (const h of hosts) expect(h.trap).toBeNull();
  return differences;
}

it(`${REQUESTS} fuzz requests on each policy: the same answers with a collection at every callback`, async () => {
  for (const policy of [FUZZ_POLICY, FUZZ_AUDIT_POLICY]) {
    const rng = new Rng(FUZZ_SEED);
    const reqs = Array.from({ length: REQUESTS }, () => fuzzRequest(rng));
    expect(compare(await pair(policy), reqs, 5)).toEqual([]);
  }
}, 120_000);

it("order bodies of 1 and 16 KB, valid and broken, in 7-byte and 4 KB chunks: the same answers", async () => {
  const hosts = await pair({ routes: [{ name: "o", path: "/o", methods: ["POST"], public: true, max_body_bytes: 1 << 20, body_schema: ORDER_SCHEMA }] });
  const reqs: RequestSpec[] = [];
  for (const kb of [1, 16]) {
    const good = orderBody(kb * 1024);
    for (const body of [good, good.replace('"qty":3', '"qty":0'), good.slice(0, -7), good.replace("gift", "gif")]) {
      for (const chunkSize of [7, 4096]) reqs.push({ method: "POST", path: "/o", headers: { "content-type": "application/json" }, body, chunkSize });
    }
  }
  const differences = compare(hosts, reqs, 1);
  expect(differences).toEqual([]);
});
