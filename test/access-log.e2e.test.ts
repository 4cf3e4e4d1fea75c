// The outcome in Envoy's access log (policy access_log: true): meshguard sets filter state
// "wasm.meshguard" and %FILTER_STATE(wasm.meshguard:PLAIN)% prints it on every line, beside the
// status and the response-code details. Real Envoy; the emulator's filter state is checked
// against the same expectations (src-host-tests/access-log.test.ts).
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ACCESS_LOG_CASES, ACCESS_LOG_POLICY } from "./cases/access-log";
import { call } from "./harness/client";
import { waitFor } from "./harness/fixture";
import { meshPerSuite } from "./harness/table";

describe("meshguard's outcome in Envoy's access log (real Envoy)", () => {
  const path = join(mkdtempSync(join(tmpdir(), "meshguard-access-")), "access.log");
  const mesh = meshPerSuite(ACCESS_LOG_POLICY, { requireClientCertificate: false, accessLogPath: path });

  it("every request's line carries meshguard's decision, reason, route and identities", async () => {
    const m = mesh();
    for (const c of ACCESS_LOG_CASES) await call(m.envoy.listenerPort, { method: c.method, path: c.path, headers: c.headers, body: c.body, ca: m.pki.ca.cert });
    await waitFor("the access log", () => existsSync(path) && readFileSync(path, "utf8").trim().split("\n").length >= ACCESS_LOG_CASES.length);
    const lines = readFileSync(path, "utf8").trim().split("\n");
    ACCESS_LOG_CASES.forEach((c, i) => {
      const [status, details, ...rest] = lines[i].split(" ");
      expect(Number(status), c.name).toBe(c.status);
      if (c.outcome.decision === "deny") expect(details).toBe(`meshguard_${c.outcome.reason}`);
      expect(JSON.parse(rest.join(" ")), c.name).toEqual(c.outcome);
    });
  });
});
