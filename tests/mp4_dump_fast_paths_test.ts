/**
 * The paths the built-in dumper takes for speed, checked against what mp4dump prints by its
 * rules (C's `%lld` of 64-bit fields, one line per `trun` entry): a `trun` longer than one
 * batch of entries, 64-bit times and offsets read as numbers when exact and as bigints beyond
 * 2^53 (and printed negative from 2^63, as `%lld` does), and a file walked synchronously
 * giving the same text as the same bytes read from a stream.
 */
import assert from "node:assert/strict";
import { dumpSource } from "../src/mp4/dump.ts";
import { MemorySource, StreamSource } from "../src/mp4/reader.ts";
import { box, bytes, full, u32, u64 } from "./mp4_synth.ts";

/** A one-track fragment: tfhd with a 64-bit base data offset, tfdt v1, trun of `sizes`. */
function fragment(baseOffset: bigint, decodeTime: bigint, sizes: number[]): Uint8Array {
  const entries = sizes.flatMap((s, i) => [...u32(1000 + i), ...u32(s)]);
  return bytes(
    box("ftyp", "iso6", u32(0), "iso6"),
    box(
      "moof",
      full("mfhd", 0, 0, u32(7)),
      box(
        "traf",
        full("tfhd", 0, 0x01, u32(1), u64(baseOffset)),
        full("tfdt", 1, 0, u64(decodeTime)),
        // flags 0x301: data offset, then a duration and a size per sample
        full("trun", 0, 0x301, u32(sizes.length), u32(8), entries),
      ),
    ),
    box("mdat", new Uint8Array(16)),
  );
}

/** The text dump of `data`, from memory (synchronous walk) or from a stream (awaited). */
async function dumpText(data: Uint8Array, from: "memory" | "stream"): Promise<string> {
  const src = from === "memory" ? new MemorySource(data) : new StreamSource(chunked(data, 1000));
  let text = "";
  try {
    const { problems } = await dumpSource(src, (t) => {
      text += t;
    }, { verbosity: 3, format: "text" });
    assert.deepEqual(problems, []);
  } finally {
    src.close();
  }
  return text;
}

/** `data` as a stream of `size`-byte chunks. */
function chunked(data: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= data.length) return controller.close();
      controller.enqueue(data.slice(at, at + size));
      at += size;
    },
  });
}

/** C's `%lld` of a 64-bit unsigned field: from 2^63 on, the value less 2^64. */
function lld(value: bigint): string {
  return (value >= 1n << 63n ? value - (1n << 64n) : value).toString();
}

Deno.test("a trun of more entries than one batch lists every entry, in order", async () => {
  const sizes = Array.from({ length: 5000 }, (_, i) => (i * 37) % 9001);
  const text = await dumpText(fragment(0n, 0n, sizes), "memory");
  const lines = text.split("\n").filter((l) => /^\s+\(\s*\d+\) /.test(l));
  assert.equal(lines.length, sizes.length);
  for (const i of [0, 1, 4095, 4096, 4097, 4999]) {
    const index = String(i).padStart(8, " ");
    assert.equal(
      lines[i].trim(),
      `(${index}) sample_duration = ${1000 + i}, sample_size = ${sizes[i]}`,
    );
  }
  assert.match(text, /\n {6}sample count = 5000\n {6}data offset = 8\n {6}entries:\n/);
});

Deno.test("64-bit times and offsets print as %lld: below 2^53, beyond it, from 2^63", async () => {
  const cases = [0n, (1n << 40n) + 3n, (1n << 53n) + 1n, (1n << 63n) + 5n, (1n << 64n) - 1n];
  for (const value of cases) {
    const text = await dumpText(fragment(value, value, [1, 2]), "memory");
    assert.match(text, new RegExp(`\\n {6}base data offset = ${lld(value)}\\n`));
    assert.match(text, new RegExp(`\\n {6}base media decode time = ${lld(value)}\\n`));
  }
});

Deno.test("a file walked synchronously prints what a stream of the same bytes prints", async () => {
  const data = fragment((1n << 53n) + 7n, 123456789012n, [5, 6, 7]);
  const fromMemory = await dumpText(data, "memory");
  assert.equal(fromMemory, await dumpText(data, "stream"));
  assert.match(fromMemory, /^\[ftyp\] size=8\+12\n/);
  assert.match(fromMemory, /\n\[mdat\] size=8\+16\n$/);
});
