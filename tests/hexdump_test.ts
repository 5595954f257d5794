/**
 * Tests for src/dump/hexdump.ts: every expected output comes from the real util-linux
 * `hexdump -C -v`, run on the same bytes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { formatHexdump, hexdumpFile, hexdumpStream } from "../src/dump/hexdump.ts";

/** Whether the real `hexdump` can be run here. */
const hasHexdump = await new Deno.Command("hexdump", { args: ["-C", "-v", "/dev/null"] })
  .output()
  .then((r) => r.success, () => false);
if (!hasHexdump) console.log("hexdump not found on PATH: skipping the hexdump comparison tests");

/** What `hexdump -C -v [args] path` prints (C locale, so bytes >= 0x80 are `.`). */
async function realHexdump(path: string, args: string[] = []): Promise<Uint8Array> {
  const result = await new Deno.Command("hexdump", {
    args: ["-C", "-v", ...args, path],
    env: { LC_ALL: "C" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(result.success, new TextDecoder().decode(result.stderr));
  return result.stdout;
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
function seededBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 255;
  }
  return bytes;
}

/** A stream handing out `bytes` in chunks whose sizes cycle through `sizes`. */
function chunkedStream(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = sizes[k % sizes.length];
    chunks.push(bytes.slice(at, at + size));
    at += size;
  }
  return ReadableStream.from(chunks);
}

/** Joins `parts` into one array. */
function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

/** Shows the first differing line, to make a mismatch readable. */
function assertSameDump(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (actual.length === expected.length && actual.every((b, i) => b === expected[i])) return;
  const a = new TextDecoder().decode(actual).split("\n");
  const e = new TextDecoder().decode(expected).split("\n");
  const i = a.findIndex((line, k) => line !== e[k]);
  assert.fail(
    `${what}: dump differs at line ${i}:\n  ours:    ${JSON.stringify(a[i])}\n` +
      `  hexdump: ${JSON.stringify(e[i])}\n  (${actual.length} vs ${expected.length} bytes)`,
  );
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "streamkit_hexdump_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes `bytes` to `dir/name`, dumps it with hexdumpFile and with hexdump, and compares. */
async function compareFile(dir: string, name: string, bytes: Uint8Array): Promise<void> {
  const path = join(dir, name);
  await Deno.writeFile(path, bytes);
  const n = await hexdumpFile(path, `${path}.hex`);
  assert.equal(n, bytes.length, `${name}: byte count`);
  assertSameDump(await Deno.readFile(`${path}.hex`), await realHexdump(path), name);
}

Deno.test({
  name: "hexdumpFile: empty, short and partial lines (0..49 bytes) equal hexdump -C -v",
  ignore: !hasHexdump,
  fn: () =>
    withTempDir(async (dir) => {
      const bytes = seededBytes(49, 7);
      for (let length = 0; length <= 49; length++) {
        await compareFile(dir, `len${length}.bin`, bytes.subarray(0, length));
      }
    }),
});

Deno.test({
  name: "hexdumpFile: an empty file gives an empty dump, as hexdump's does",
  ignore: !hasHexdump,
  fn: () =>
    withTempDir(async (dir) => {
      const path = join(dir, "empty.bin");
      await Deno.writeFile(path, new Uint8Array(0));
      assert.equal(await hexdumpFile(path, `${path}.hex`), 0);
      const expected = await realHexdump(path);
      assert.equal(expected.length, 0, "hexdump prints nothing for an empty file");
      assert.equal((await Deno.readFile(`${path}.hex`)).length, 0);
      assert.equal(formatHexdump(new Uint8Array(0)).length, 0);
    }),
});

Deno.test({
  name: "hexdumpFile: all 256 byte values, at line-aligned and shifted positions",
  ignore: !hasHexdump,
  fn: () =>
    withTempDir(async (dir) => {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await compareFile(dir, "all256.bin", all);
      const shifted = new Uint8Array(256 + 5);
      shifted.set(all, 5);
      await compareFile(dir, "all256_shifted.bin", shifted);
      await compareFile(dir, "all256_reversed.bin", all.slice().reverse());
    }),
});

Deno.test({
  name: "hexdumpFile: repeated identical lines are printed, never squeezed to '*'",
  ignore: !hasHexdump,
  fn: () =>
    withTempDir(async (dir) => {
      const bytes = new Uint8Array(4096 + 64 + 9);
      bytes.fill(0x41, 4096, 4096 + 64);
      await compareFile(dir, "repeated.bin", bytes);
      const text = new TextDecoder().decode(await Deno.readFile(join(dir, "repeated.bin.hex")));
      const lines = text.split("\n");
      assert.equal(lines.length, Math.ceil(bytes.length / 16) + 2, "one line per 16 bytes + end");
      assert.ok(!lines.includes("*"));
    }),
});

Deno.test({
  name: "hexdumpFile: a multi-megabyte file spanning several read and write buffers",
  ignore: !hasHexdump,
  fn: () =>
    withTempDir(async (dir) => {
      // 3 MiB + 11 bytes: crosses the 1 MiB read chunks and many 1 MiB output buffers.
      await compareFile(dir, "big.bin", seededBytes(3 * (1 << 20) + 11, 42));
    }),
});

Deno.test({
  name: "hexdumpStream: ~5 MB through odd chunk sizes (1, 7, 4099, ...) equals hexdump -C -v",
  ignore: !hasHexdump,
  fn: () =>
    withTempDir(async (dir) => {
      const bytes = seededBytes(5_000_003, 99);
      const path = join(dir, "odd.bin");
      await Deno.writeFile(path, bytes);
      const expected = await realHexdump(path);
      const sizes = [1, 7, 4099, 15, 16, 17, 1, 1, 65_537, 3, 31, 1_048_579, 9];
      const out = await Deno.open(`${path}.hex`, { write: true, create: true, truncate: true });
      const n = await hexdumpStream(chunkedStream(bytes, sizes), out.writable);
      assert.equal(n, bytes.length);
      assertSameDump(await Deno.readFile(`${path}.hex`), expected, "odd chunks");
    }),
});

Deno.test({
  name: "hexdumpStream: one byte per chunk",
  ignore: !hasHexdump,
  fn: () =>
    withTempDir(async (dir) => {
      const bytes = seededBytes(20_000 + 13, 5);
      const path = join(dir, "bytewise.bin");
      await Deno.writeFile(path, bytes);
      const parts: Uint8Array[] = [];
      const sink = new WritableStream<Uint8Array>({ write: (c) => void parts.push(c.slice()) });
      assert.equal(await hexdumpStream(chunkedStream(bytes, [1]), sink), bytes.length);
      const actual = concat(parts);
      assertSameDump(actual, await realHexdump(path), "one byte per chunk");
    }),
});

Deno.test({
  name: "offsets: a start offset prints what hexdump -s prints (aligned, unaligned, at EOF)",
  ignore: !hasHexdump,
  fn: () =>
    withTempDir(async (dir) => {
      const bytes = seededBytes(100, 3);
      const path = join(dir, "skip.bin");
      await Deno.writeFile(path, bytes);
      for (const skip of [3, 16, 99, 100]) {
        const expected = await realHexdump(path, ["-s", String(skip)]);
        assertSameDump(formatHexdump(bytes.subarray(skip), skip), expected, `-s ${skip}`);
        const parts: Uint8Array[] = [];
        const sink = new WritableStream<Uint8Array>({ write: (c) => void parts.push(c.slice()) });
        const n = await hexdumpStream(chunkedStream(bytes.subarray(skip), [5]), sink, {
          offset: skip,
        });
        assert.equal(n, bytes.length - skip);
        assertSameDump(concat(parts), expected, "stream");
      }
    }),
});

Deno.test({
  name: "offsets: past 0xffffffff the offset column widens, as hexdump's does (sparse files)",
  ignore: !hasHexdump,
  fn: () =>
    withTempDir(async (dir) => {
      // Sparse files: only the few bytes written near the end take disk space.
      const cases = [
        { size: 2 ** 32 + 34, skips: [2 ** 32 - 32, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 34] },
        { size: 2 ** 40 + 40, skips: [2 ** 40 - 16, 2 ** 40 - 9] },
      ];
      for (const { size, skips } of cases) {
        const path = join(dir, `sparse_${size}.bin`);
        const file = await Deno.open(path, { write: true, create: true });
        try {
          await file.truncate(size);
        } catch (err) {
          file.close();
          console.log(`cannot make a ${size}-byte sparse file here (${err}); skipping it`);
          continue;
        }
        const tail = seededBytes(48, size % 1000);
        await file.seek(size - tail.length, Deno.SeekMode.Start);
        for (let at = 0; at < tail.length;) at += await file.write(tail.subarray(at));
        file.close();
        const ending = new Uint8Array(128); // the file's last 128 bytes
        ending.set(tail, ending.length - tail.length);
        for (const skip of skips) {
          const expected = await realHexdump(path, ["-s", String(skip)]);
          const bytes = ending.subarray(ending.length - (size - skip));
          assertSameDump(formatHexdump(bytes, skip), expected, `${path} -s ${skip}`);
        }
      }
    }),
});

Deno.test("formatHexdump: a non-final chunk must hold whole lines; offsets are checked", () => {
  assert.throws(() => formatHexdump(new Uint8Array(17), 0, { final: false }), RangeError);
  assert.throws(() => formatHexdump(new Uint8Array(1), -1), RangeError);
  assert.throws(() => formatHexdump(new Uint8Array(1), 0.5), RangeError);
  assert.throws(() => formatHexdump(new Uint8Array(2), Number.MAX_SAFE_INTEGER), RangeError);
  const whole = formatHexdump(new Uint8Array(32), 0, { final: false });
  assert.equal(new TextDecoder().decode(whole).split("\n").length, 3, "two lines, no end line");
});

Deno.test({
  name: "formatHexdump: consecutive non-final chunks plus the final one equal the whole dump",
  ignore: !hasHexdump,
  fn: () =>
    withTempDir(async (dir) => {
      const bytes = seededBytes(1000, 11);
      const path = join(dir, "pieces.bin");
      await Deno.writeFile(path, bytes);
      const pieces = [
        formatHexdump(bytes.subarray(0, 320), 0, { final: false }),
        formatHexdump(bytes.subarray(320, 992), 320, { final: false }),
        formatHexdump(bytes.subarray(992), 992),
      ];
      const joined = concat(pieces);
      assertSameDump(joined, await realHexdump(path), "pieces");
    }),
});

Deno.test("hexdumpFile: a missing input fails with NotFound and creates no output", async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, "never.hex");
    await assert.rejects(hexdumpFile(join(dir, "missing.m4s"), out), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
  });
});

Deno.test("hexdumpStream: a failing input rejects and aborts the output", async () => {
  let abortReason: unknown;
  const sink = new WritableStream<Uint8Array>({
    write() {},
    abort(reason) {
      abortReason = reason;
    },
  });
  const boom = new Error("read failed");
  let sent = false;
  const input = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) throw boom;
      sent = true;
      controller.enqueue(new Uint8Array(40));
    },
  });
  await assert.rejects(hexdumpStream(input, sink), boom);
  assert.equal(abortReason, boom);
});

Deno.test("hexdumpStream: preventClose leaves the output open for more writes", async () => {
  const parts: string[] = [];
  const sink = new WritableStream<Uint8Array>({
    write: (c) => void parts.push(new TextDecoder().decode(c)),
  });
  const input = ReadableStream.from([new Uint8Array([0x41])]);
  assert.equal(await hexdumpStream(input, sink, { preventClose: true }), 1);
  const writer = sink.getWriter();
  await writer.write(new TextEncoder().encode("more\n"));
  await writer.close();
  const dump = new TextDecoder().decode(formatHexdump(new Uint8Array([0x41])));
  assert.equal(parts.join(""), dump + "more\n");
});
