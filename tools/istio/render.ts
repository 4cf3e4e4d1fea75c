// `meshguard render`: the Istio manifests for one policy (issue #13, item 3). A WasmPlugin for the
// workload's sidecars (inbound, phase AUTHZ: after Istio's jwt_authn and mTLS, so the claims and
// the peer certificate are there), one for an ingress gateway, a RequestAuthentication for the
// token issuer and a PeerAuthentication that makes mutual TLS STRICT. The module is pinned by
// digest, and failStrategy is FAIL_CLOSE: a security filter that cannot run refuses, it does not
// pass traffic unchecked. Validated against Istio's CRD schemas (@kubernetes-models/istio) before
// anything is printed.
import { WasmPlugin } from "@kubernetes-models/istio/extensions.istio.io/v1alpha1/WasmPlugin";
import { PeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication";
import { RequestAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication";

// Istio's jwt_authn publishes every provider's verified payload under this one metadata key
// (pilot's authn builder, PayloadInMetadata), not per issuer.
export const ISTIO_JWT_PAYLOAD_KEY = "payload";
const DIGEST = /^oci:\/\/[^@\s]+@sha256:[0-9a-f]{64}$/;

export interface RenderOptions {
  image: string;             // oci://registry/repo@sha256:<manifest digest>
  namespace: string;
  app: string;               // the workload's `app` label
  name?: string;             // the manifests' name; default meshguard-<app>
  issuer?: string;           // RequestAuthentication: the token issuer and its JWKS
  jwksUri?: string;
  audiences?: string[];
  gatewayNamespace?: string; // default istio-system
}

export class RenderError extends Error {}

// The policy as Istio will hand it to meshguard: claims read where Istio's jwt_authn puts them.
export function forIstio(policy: Record<string, unknown>): Record<string, unknown> {
  const jwt = { ...(policy.jwt as Record<string, unknown> | undefined), payload_keys: [ISTIO_JWT_PAYLOAD_KEY] };
  return { ...policy, jwt };
}

export function renderIstio(policy: Record<string, unknown>, o: RenderOptions): object[] {
  if (!DIGEST.test(o.image)) throw new RenderError(`--image: "${o.image}" must be pinned by digest: oci://<registry>/<repository>@sha256:<64 hex digits>`);
  if ((o.issuer === undefined) !== (o.jwksUri === undefined)) throw new RenderError("--issuer and --jwks-uri go together");
  const name = o.name ?? `meshguard-${o.app}`;
  const pluginConfig = forIstio(policy);
  const common = { url: o.image, imagePullPolicy: "IfNotPresent" as const, phase: "AUTHZ" as const, failStrategy: "FAIL_CLOSE" as const, pluginName: "meshguard", pluginConfig };
  const docs = [
    new WasmPlugin({
      metadata: { name, namespace: o.namespace },
      spec: { selector: { matchLabels: { app: o.app } }, match: [{ mode: "SERVER" }], ...common },
    }),
    new WasmPlugin({
      metadata: { name: `${name}-gateway`, namespace: o.gatewayNamespace ?? "istio-system" },
      spec: { selector: { matchLabels: { istio: "ingressgateway" } }, ...common },
    }),
    new PeerAuthentication({
      metadata: { name, namespace: o.namespace },
      spec: { selector: { matchLabels: { app: o.app } }, mtls: { mode: "STRICT" } },
    }),
  ] as { validate(): void }[];
  if (o.issuer && o.jwksUri) {
    docs.push(new RequestAuthentication({
      metadata: { name, namespace: o.namespace },
      spec: { selector: { matchLabels: { app: o.app } }, jwtRules: [{ issuer: o.issuer, jwksUri: o.jwksUri, ...(o.audiences?.length ? { audiences: o.audiences } : {}) }] },
    }));
  }
  for (const d of docs) {
    try { d.validate(); } catch (e) { throw new RenderError(`a rendered manifest does not match Istio's schema: ${(e as Error).message}`); }
  }
  return docs.map((d) => JSON.parse(JSON.stringify(d)));
}
