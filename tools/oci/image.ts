// The meshguard module as an OCI image, in the two formats Istio's image fetcher accepts (issue
// #13, item 4), byte for byte reproducible: the same module gives the same digests.
//   compat  a container image whose single layer is a tar holding plugin.wasm (the Docker-style
//           format, for registries and tools that only know images)
//   wasm    the wasm artifact: a config with the wasm media type and one layer that is the module
//           itself (application/vnd.module.wasm.content.layer.v1+wasm)
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";

export const MEDIA = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  imageConfig: "application/vnd.oci.image.config.v1+json",
  tarGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  wasmConfig: "application/vnd.module.wasm.config.v1+json",
  wasmLayer: "application/vnd.module.wasm.content.layer.v1+wasm",
} as const;

export type Format = "compat" | "wasm";

export interface Blob { digest: string; mediaType: string; bytes: Buffer }
export interface Image { format: Format; manifest: Blob; config: Blob; layers: Blob[] }

export const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const blob = (mediaType: string, bytes: Buffer): Blob => ({ digest: sha256(bytes), mediaType, bytes });
const descriptor = (b: Blob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.bytes.length });

// A ustar archive of one file, with every header field fixed (mtime 0, owner 0, mode 0644).
function tarOf(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (text: string, at: number, len: number) => header.write(text, at, len, "ascii");
  const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, "0") + "\0";
  field(name, 0, 100);
  field(octal(0o644, 8), 100, 8);
  field(octal(0, 8), 108, 8);
  field(octal(0, 8), 116, 8);
  field(octal(data.length, 12), 124, 12);
  field(octal(0, 12), 136, 12);
  field("        ", 148, 8);          // the checksum counts itself as spaces
  field("0", 156, 1);                 // a regular file
  field("ustar\0", 257, 6);
  field("00", 263, 2);
  let sum = 0;
  for (const b of header) sum += b;
  field(octal(sum, 7) + " ", 148, 8);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, pad, Buffer.alloc(1024)]);
}

export function buildImage(wasm: Buffer, format: Format): Image {
  let config: Blob;
  let layers: Blob[];
  if (format === "compat") {
    const layer = blob(MEDIA.tarGzip, gzipSync(tarOf("plugin.wasm", wasm), { level: 9 }));
    const diffId = sha256(tarOf("plugin.wasm", wasm));
    config = blob(MEDIA.imageConfig, Buffer.from(JSON.stringify({ architecture: "wasm", os: "wasip1", rootfs: { type: "layers", diff_ids: [diffId] }, config: {} })));
    layers = [layer];
  } else {
    config = blob(MEDIA.wasmConfig, Buffer.from(JSON.stringify({ created: "1970-01-01T00:00:00Z", author: "meshguard", platform: { architecture: "wasm", os: "wasip1" }, layerDigests: [sha256(wasm)] })));
    layers = [blob(MEDIA.wasmLayer, wasm)];
  }
  const manifest = blob(MEDIA.manifest, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config: descriptor(config), layers: layers.map(descriptor) })));
  return { format, manifest, config, layers };
}

// The module inside an image, as Istio's fetcher finds it: the wasm layer itself, or plugin.wasm in
// the compat image's tar.
export function moduleOf(image: { config: Blob; layers: Blob[] }): Buffer {
  const layer = image.layers[0];
  if (layer.mediaType === MEDIA.wasmLayer) return layer.bytes;
  const tar = gunzipSync(layer.bytes);
  const name = tar.subarray(0, 100).toString("ascii").replace(/\0.*$/s, "");
  const size = parseInt(tar.subarray(124, 136).toString("ascii").replace(/\0.*$/s, "").trim(), 8);
  if (name !== "plugin.wasm") throw new Error(`the compat layer holds ${name}, not plugin.wasm`);
  return tar.subarray(512, 512 + size);
}
