// A throwaway CA and SPIFFE certificates for mutual TLS, made with the openssl command line.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CertFiles { cert: string; key: string }
export interface Pki { dir: string; ca: CertFiles; server: CertFiles; issue(name: string, uris: string[]): CertFiles }

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function issueCert(dir: string, ca: CertFiles, name: string, sans: string[], serverAuth: boolean): CertFiles {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  const lines = ["basicConstraints=CA:FALSE", "keyUsage=digitalSignature,keyEncipherment",
    `extendedKeyUsage=${serverAuth ? "serverAuth,clientAuth" : "clientAuth"}`];
  if (sans.length > 0) lines.push(`subjectAltName=${sans.join(",")}`);
  writeFileSync(ext, lines.join("\n") + "\n");
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key], dir);
  openssl(["req", "-new", "-key", key, "-subj", `/O=meshguard-test/CN=${name}`, "-out", csr], dir);
  openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-days", "2",
    "-sha256", "-extfile", ext, "-out", cert], dir);
  return { cert, key };
}

// The server certificate carries a SPIFFE ID too, as an Istio workload's would.
export function createPki(trustDomain = "meshguard.test"): Pki {
  const dir = mkdtempSync(join(tmpdir(), "meshguard-pki-"));
  const ca = { cert: join(dir, "ca.crt"), key: join(dir, "ca.key") };
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ca.key], dir);
  openssl(["req", "-x509", "-new", "-key", ca.key, "-subj", "/O=meshguard-test/CN=test-ca", "-days", "2",
    "-sha256", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-out", ca.cert], dir);
  const server = issueCert(dir, ca, "envoy", [`URI:spiffe://${trustDomain}/ns/mesh/sa/envoy`, "DNS:localhost", "IP:127.0.0.1"], true);
  return {
    dir, ca, server,
    issue: (name: string, uris: string[]) => issueCert(dir, ca, name, uris.map((u) => `URI:${u}`), false),
  };
}
