// The module as an OCI image in a real registry (issue #13, item 4): Debian's docker-registry on
// 127.0.0.1 (installed on first use), both formats Istio accepts pushed, pulled back by digest as
// Istio's fetcher would, layers and media types checked, and the pulled module serving traffic in
// a real Envoy. Building twice gives the same digests.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Format, MEDIA, buildImage, moduleOf } from "../tools/oci/image";
import { resolveRegistry } from "../tools/oci/install";
import { pull, push } from "../tools/oci/registry";
import { call } from "./harness/client";
import { waitFor } from "./harness/fixture";
import { envoyConfig } from "../tools/envoy/config";
import { startEnvoy } from "../tools/envoy/process";
import { createPki } from "../tools/envoy/pki";
import { startUpstream } from "../tools/envoy/upstream";

const WASM = readFileSync(resolve(import.meta.dirname, "..", "build", "meshguard.wasm"));

function freePort(): Promise<number> {
  return new Promise((done) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as { port: number }).port; s.close(() => done(p)); }); });
}

describe("meshguard's module as an OCI image in a real registry", () => {
  let registry: ChildProcess | undefined;
  let url = "";
  const dir = mkdtempSync(join(tmpdir(), "meshguard-oci-"));
  const transcript: Record<string, string>[] = [];
  beforeAll(async () => {
    const bin = resolveRegistry();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    writeFileSync(join(dir, "config.yml"), [
      "version: 0.1", "log: { level: warn }", `storage: { filesystem: { rootdirectory: ${join(dir, "data")} }, delete: { enabled: false } }`,
      `http: { addr: 127.0.0.1:${port} }`,
    ].join("\n"));
    registry = spawn(bin, ["serve", join(dir, "config.yml")], { stdio: "ignore" });
    await waitFor("the registry", async () => { try { return (await fetch(`${url}/v2/`)).ok; } catch { return false; } }, 20_000);
  });
  afterAll(() => { console.log("\nOCI push and pull:"); console.table(transcript); registry?.kill(); rmSync(dir, { recursive: true, force: true }); });

  it("the same module gives the same digests, for both formats", () => {
    for (const f of ["compat", "wasm"] as Format[]) expect(buildImage(Buffer.from(WASM), f).manifest.digest).toBe(buildImage(Buffer.from(WASM), f).manifest.digest);
    expect(buildImage(WASM, "compat").manifest.digest).not.toBe(buildImage(WASM, "wasm").manifest.digest);
  });

  it("meshguard push prints the pinned reference render takes; meshguard package the same digest", async () => {
    const cli = (...a: string[]) => spawnSync(process.execPath, [resolve(import.meta.dirname, "..", "bin", "meshguard.mjs"), ...a], { encoding: "utf8" });
    const pushed = cli("push", "--registry", url, "--repository", "meshguard-cli", "--tag", "v1");
    expect(pushed.status).toBe(0);
    const packaged = JSON.parse(cli("package").stdout);
    expect(pushed.stdout.trim()).toBe(`oci://${new URL(url).host}/meshguard-cli@${packaged.manifest}`);
    const rendered = cli("render", "examples/policy-short.json", "--image", pushed.stdout.trim(), "--namespace", "shop", "--app", "orders");
    expect(rendered.status).toBe(0);
  });

  for (const format of ["compat", "wasm"] as Format[]) {
    it(`${format}: pushed, pulled back by digest with the right media types, and the pulled module serves traffic in Envoy`, async () => {
      const image = buildImage(WASM, format);
      const digest = await push(url, "meshguard", `v1-${format}`, image);
      const pulled = await pull(url, "meshguard", digest);
      expect(pulled.format).toBe(format);
      expect(pulled.config.mediaType).toBe(format === "wasm" ? MEDIA.wasmConfig : MEDIA.imageConfig);
      expect(pulled.layers.map((l) => l.mediaType)).toEqual([format === "wasm" ? MEDIA.wasmLayer : MEDIA.tarGzip]);
      const module = moduleOf(pulled);
      expect(module.equals(WASM)).toBe(true);
      transcript.push({ format, image: `oci://127.0.0.1/meshguard@${digest}`, config: pulled.config.digest.slice(0, 19), layer: `${pulled.layers[0].mediaType} ${pulled.layers[0].digest.slice(0, 19)}` });

      // The pulled module, in a real Envoy, refusing and allowing.
      const path = join(dir, `pulled-${format}.wasm`);
      writeFileSync(path, module);
      const pki = createPki();
      const upstream = await startUpstream();
      const envoy = await startEnvoy(envoyConfig({ wasmPath: path, pluginConfig: { routes: [{ path: "/ok", public: true }] }, upstreamPort: upstream.port, pki, requireClientCertificate: false }));
      try {
        expect((await call(envoy.listenerPort, { path: "/ok", ca: pki.ca.cert })).status).toBe(200);
        expect((await call(envoy.listenerPort, { path: "/nope", ca: pki.ca.cert })).status).toBe(404);
      } finally {
        await envoy.stop();
        await upstream.close();
      }
    });
  }
});
