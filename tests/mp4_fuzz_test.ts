/**
 * Damaged input, fuzz style: truncated and bit-flipped copies (a seeded PRNG, so every run
 * feeds the same bytes) of every reference media file. The dumper must never throw, never
 * hang, keep JSON well formed, report every problem with an offset inside the file, and — as a
 * real subprocess — exit 0 or 1 with a note on stderr and never a stack trace.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { dumpSource } from "../src/mp4/dump.ts";
import type { ByteSource } from "../src/mp4/reader.ts";
import { prng } from "./random.ts";

const ROOT = join(import.meta.dirname!, "..");
const REF = join(ROOT, "tests", "fixtures", "reference");

function mediaFiles(): string[] {
  const out: string[] = [];
  for (const folder of ["codecs", "dash-avc-aac", "hls-fmp4", "hls-byterange"]) {
    for (const e of Deno.readDirSync(join(REF, folder))) {
      if (/\.(mp4|m4s|ismv)$/.test(e.name)) out.push(join(REF, folder, e.name));
    }
  }
  return out.sort();
}

type Mutation = "truncate" | "flip-head" | "flip-any";

function mutate(orig: Uint8Array, kind: Mutation, rnd: () => number): Uint8Array {
  if (kind === "truncate") return orig.slice(0, Math.floor(rnd() * orig.length));
  const data = orig.slice();
  const span = kind === "flip-head" ? Math.min(4096, data.length) : data.length;
  const flips = 1 + Math.floor(rnd() * 8);
  for (let i = 0; i < flips; i++) data[Math.floor(rnd() * span)] ^= 1 << Math.floor(rnd() * 8);
  return data;
}

/** Offsets where a top-level box starts (and the end of the file). */
function topLevelBoundaries(bytes: Uint8Array): Set<number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Set<number>();
  let off = 0;
  while (off + 8 <= bytes.length) {
    out.add(off);
    const size = view.getUint32(off);
    off += size === 1 ? Number(view.getBigUint64(off + 8)) : size === 0 ? bytes.length : size;
  }
  out.add(off);
  return out;
}

class MemorySource implements ByteSource {
  readonly #data: Uint8Array;
  constructor(data: Uint8Array) {
    this.#data = data;
  }
  get size(): number {
    return this.#data.length;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    return Promise.resolve(this.#data.subarray(offset, offset + length));
  }
  measureEnd(): Promise<number> {
    return Promise.resolve(this.#data.length);
  }
  close(): void {}
}

const FILES = mediaFiles();
const KINDS: Mutation[] = ["truncate", "flip-head", "flip-any"];

Deno.test("fuzz in process: 60 damaged copies of every reference file, text and JSON", async () => {
  const rnd = prng(20240601);
  let runs = 0, damaged = 0;
  for (const path of FILES) {
    const orig = Deno.readFileSync(path);
    const boundaries = topLevelBoundaries(orig);
    for (let i = 0; i < 60; i++) {
      const kind = KINDS[i % 3];
      const data = mutate(orig, kind, rnd);
      for (const format of ["text", "json"] as const) {
        let out = "";
        // every other copy walks its containers from the source instead of loading them
        const limits = { loadLimit: i % 2 ? 0 : undefined };
        const { problems } = await dumpSource(
          new MemorySource(data),
          (t) => {
            out += t;
          },
          { verbosity: 3, format },
          limits,
        );
        runs++;
        for (const p of problems) {
          assert.ok(p.offset >= 0 && p.offset <= data.length, `${path}: offset ${p.offset}`);
          assert.ok(p.message.length > 0);
        }
        if (problems.length) damaged++;
        if (kind === "truncate" && !boundaries.has(data.length)) {
          assert.ok(problems.length > 0, `${path} cut at ${data.length}: damage not reported`);
        }
        if (format === "json") assert.ok(Array.isArray(JSON.parse(out)), `${path}: bad JSON`);
      }
    }
  }
  assert.equal(runs, FILES.length * 120);
  assert.ok(damaged > runs / 4, `only ${damaged} of ${runs} damaged copies were noticed`);
});

Deno.test("fuzz as a subprocess: exit 0 or 1, a note for damage, never a stack trace", async () => {
  const rnd = prng(7);
  const dir = Deno.makeTempDirSync({ prefix: "streamkit_fuzz_" });
  try {
    const jobs: { path: string; format: string }[] = [];
    FILES.forEach((path, i) => {
      const orig = Deno.readFileSync(path);
      for (const kind of KINDS) {
        const out = join(dir, `${i}-${kind}.mp4`);
        Deno.writeFileSync(out, mutate(orig, kind, rnd));
        jobs.push({ path: out, format: jobs.length % 2 ? "json" : "text" });
      }
    });
    let next = 0, failures = 0, clean = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        const r = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", join(ROOT, "main.ts"), "mp4", "dump", "--verbosity", "3"]
            .concat(["--format", job.format, job.path]),
          stdout: "piped",
          stderr: "piped",
          stdin: "null",
        }).output();
        const stderr = new TextDecoder().decode(r.stderr);
        assert.ok(r.code === 0 || r.code === 1, `${job.path}: exit ${r.code}\n${stderr}`);
        assert.doesNotMatch(stderr, /\n\s+at |error: Uncaught|panicked/, job.path);
        if (r.code === 1) {
          failures++;
          assert.match(stderr, /damaged MP4 at offset \d+ \(0x[0-9a-f]+\): \S/, job.path);
        } else {
          clean++;
          assert.equal(stderr, "", job.path);
        }
        if (job.format === "json") JSON.parse(new TextDecoder().decode(r.stdout));
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    assert.equal(failures + clean, jobs.length);
    assert.ok(failures > 0);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
