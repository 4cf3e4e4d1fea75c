// A test token issuer: real RS256 or ES256 keys, tokens signed here, the public key handed to
// Envoy's jwt_authn as a local JWKS. Signature checking stays in Envoy.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";

export type Alg = "RS256" | "ES256";

export interface Issuer {
  iss: string;
  kid: string;
  alg: Alg;
  jwks: string;                          // {"keys":[...]} with the public key
  token(claims: Record<string, unknown>, opts?: { expiresIn?: number; header?: Record<string, unknown> }): string;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export function createIssuer(iss: string, alg: Alg = "RS256", kid = `${alg.toLowerCase()}-key`): Issuer {
  const pair = alg === "RS256"
    ? generateKeyPairSync("rsa", { modulusLength: 2048 })
    : generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = { ...(pair.publicKey.export({ format: "jwk" }) as Record<string, unknown>), kid, alg, use: "sig" };
  const signer: KeyObject = pair.privateKey;
  return {
    iss, kid, alg, jwks: JSON.stringify({ keys: [jwk] }),
    token(claims, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const header = { alg, typ: "JWT", kid, ...opts.header };
      const payload = { iss, iat: now, exp: now + (opts.expiresIn ?? 600), ...claims };
      const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
      const sig = alg === "RS256"
        ? sign("sha256", Buffer.from(input), signer)
        : sign("sha256", Buffer.from(input), { key: signer, dsaEncoding: "ieee-p1363" });
      return `${input}.${b64url(sig)}`;
    },
  };
}

// Unsigned and tampered forms, for the attack table.
export function algNone(claims: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}.`;
}
export function tamper(token: string, claims: Record<string, unknown>): string {
  const [h, p, s] = token.split(".");
  const payload = { ...JSON.parse(Buffer.from(p, "base64url").toString()), ...claims };
  return `${h}.${b64url(JSON.stringify(payload))}.${s}`;
}
