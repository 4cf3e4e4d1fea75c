// SHA-256 (assembly/sha256.ts) against Node's crypto: the NIST example vectors, every length
// around the 55/56/64-byte padding boundaries, and random inputs. Run through build/unit.wasm.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FUZZ_SEED, Rng } from "./random";
import { callText } from "./unit";

const digest = (b: Buffer) => callText("sha256Hex", b);
const node = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("SHA-256 (unit, no host)", () => {
  it("the NIST example vectors", () => {
    expect(digest(Buffer.from("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(digest(Buffer.from(""))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(digest(Buffer.from("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))).toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  });
  it("every length from 0 to 200 bytes (padding in one block or two)", () => {
    for (let n = 0; n <= 200; n++) {
      const b = Buffer.alloc(n, n % 251);
      expect(digest(b), `length ${n}`).toBe(node(b));
    }
  });
  it("random inputs up to 10 KB", () => {
    const rng = new Rng(FUZZ_SEED + 9);
    for (let i = 0; i < 200; i++) {
      const b = rng.bytes(rng.int(10_000));
      expect(digest(b)).toBe(node(b));
    }
  });
});
