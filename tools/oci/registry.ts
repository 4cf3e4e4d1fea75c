// Pushing and pulling images with the OCI distribution API (v2), as a registry client and as
// Istio's image fetcher do: blobs by digest (monolithic upload), the manifest by tag, then
// everything read back by digest and checked.
import { type Blob, type Image, MEDIA, sha256 } from "./image.ts";

export async function push(registry: string, repository: string, tag: string, image: Image): Promise<string> {
  for (const b of [image.config, ...image.layers]) {
    const head = await fetch(`${registry}/v2/${repository}/blobs/${b.digest}`, { method: "HEAD" });
    if (head.ok) continue;
    const start = await fetch(`${registry}/v2/${repository}/blobs/uploads/`, { method: "POST" });
    if (start.status !== 202) throw new Error(`starting an upload: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get("location")!, registry);
    location.searchParams.set("digest", b.digest);
    const put = await fetch(location, { method: "PUT", body: new Uint8Array(b.bytes), headers: { "content-type": "application/octet-stream" } });
    if (put.status !== 201) throw new Error(`uploading ${b.digest}: ${put.status} ${await put.text()}`);
  }
  const put = await fetch(`${registry}/v2/${repository}/manifests/${tag}`, { method: "PUT", body: new Uint8Array(image.manifest.bytes), headers: { "content-type": MEDIA.manifest } });
  if (put.status !== 201) throw new Error(`pushing the manifest: ${put.status} ${await put.text()}`);
  const digest = put.headers.get("docker-content-digest");
  if (digest !== image.manifest.digest) throw new Error(`the registry stored the manifest as ${digest}, not ${image.manifest.digest}`);
  return digest;
}

async function getBlob(registry: string, repository: string, digest: string, mediaType: string): Promise<Blob> {
  const r = await fetch(`${registry}/v2/${repository}/blobs/${digest}`);
  if (!r.ok) throw new Error(`blob ${digest}: ${r.status}`);
  const bytes = Buffer.from(await r.arrayBuffer());
  if (sha256(bytes) !== digest) throw new Error(`blob ${digest} does not match its digest`);
  return { digest, mediaType, bytes };
}

// The image by manifest digest, every byte checked against its digest.
export async function pull(registry: string, repository: string, digest: string): Promise<Image & { raw: Record<string, unknown> }> {
  const r = await fetch(`${registry}/v2/${repository}/manifests/${digest}`, { headers: { accept: MEDIA.manifest } });
  if (!r.ok) throw new Error(`manifest ${digest}: ${r.status}`);
  const bytes = Buffer.from(await r.arrayBuffer());
  if (sha256(bytes) !== digest) throw new Error(`manifest ${digest} does not match its digest`);
  const raw = JSON.parse(bytes.toString("utf8")) as { config: { digest: string; mediaType: string }; layers: { digest: string; mediaType: string }[] };
  const config = await getBlob(registry, repository, raw.config.digest, raw.config.mediaType);
  const layers = await Promise.all(raw.layers.map((l) => getBlob(registry, repository, l.digest, l.mediaType)));
  const format = config.mediaType === MEDIA.wasmConfig ? "wasm" : "compat";
  return { format, manifest: { digest, mediaType: MEDIA.manifest, bytes }, config, layers, raw };
}
