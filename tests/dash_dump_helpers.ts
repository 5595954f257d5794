/**
 * Helpers for the `dash dump` tests: mirror a fixture with the real `dash get` through the
 * loopback server, read a `.dump` back into its sections, strip its annotations, and check
 * every annotated offset against the bytes of `<id>.m4s`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer } from "./server.ts";
import { runCli } from "./cli_helpers.ts";
import { concatBytes } from "../src/bytes.ts";

/**
 * Serves `root` on loopback and mirrors `<root>/<mpd>` with `streamkit dash get` into a new
 * temporary directory, which it returns.
 */
export async function mirror(root: string, mpd: string): Promise<string> {
  await using server = startServer({ root });
  const out = await Deno.makeTempDir({ prefix: "dash_dump_" });
  const r = await runCli(["dash", "get", `${server.url}${mpd}`, "-o", out, "-q"]);
  assert.equal(r.code, 0, `dash get failed: ${r.stderr}`);
  return out;
}

/** Whether two byte arrays are equal. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The files at `names` (relative to `dir`) concatenated. */
export async function concatFiles(dir: string, names: string[]): Promise<Uint8Array> {
  return concatBytes(await Promise.all(names.map((n) => Deno.readFile(join(dir, n)))));
}

/** One section of a `.dump`: its `#` header line, parsed, and the text under it. */
export interface DumpSection {
  /** The segment's local path. */
  path: string;
  /** Its offset in `<id>.m4s`. */
  offset: number;
  /** Its size. */
  size: number;
  /** The annotated dump text of the segment (every line up to the next `#` line). */
  body: string;
}

const SECTION = /^# (.+) offset=(\d+) \(0x([0-9a-f]{8,})\) size=(\d+)$/;

/** Splits a `.dump` into its sections, checking each `#` line's format. */
export function parseDump(text: string): DumpSection[] {
  const sections: DumpSection[] = [];
  const lines = text.split("\n");
  assert.equal(lines.pop(), "", "a .dump ends with a newline");
  let bodyLines: string[] = [];
  for (const line of lines) {
    if (line.startsWith("# ")) {
      const m = SECTION.exec(line);
      assert.ok(m, `bad section line: ${line}`);
      const offset = Number(m[2]);
      assert.equal(parseInt(m[3], 16), offset, line);
      if (sections.length) sections[sections.length - 1].body = bodyLines.join("");
      bodyLines = [];
      sections.push({ path: m[1], offset, size: Number(m[4]), body: "" });
    } else {
      assert.ok(sections.length > 0, "text before the first section line");
      bodyLines.push(line + "\n");
    }
  }
  if (sections.length) sections[sections.length - 1].body = bodyLines.join("");
  return sections;
}

/** The dump text without `# ` lines and ` @…` suffixes: what mp4dump printed. */
export function stripAnnotations(text: string): string {
  return text.split("\n").filter((l) => !l.startsWith("# "))
    .map((l) => l.replace(/ @\d+ \(0x[0-9a-f]+\)$/, "")).join("\n");
}

const HEADER = /^ *\[(.*)\] size=(\d+)\+(\d+)(?:, [^@]*)? @(\d+) \(0x([0-9a-f]+)\)$/;
const DESCRIPTOR_TAGS: Record<string, number> = { ESDescriptor: 3, DecoderConfig: 4 };

/**
 * Checks every box header line of `dump` against `m4s`: it is annotated, the decimal and hex
 * offsets agree, the offset lies inside its section, and at that offset `m4s` holds a box of
 * the printed type and size (or an MPEG-4 descriptor with the printed tag and size). Returns
 * how many lines it checked.
 */
export function checkAnnotations(dump: string, m4s: Uint8Array): number {
  const view = new DataView(m4s.buffer, m4s.byteOffset, m4s.byteLength);
  let checked = 0;
  for (const section of parseDump(dump)) {
    assert.ok(section.offset + section.size <= m4s.length, section.path);
    for (const line of section.body.split("\n")) {
      if (!/^ *\[.*\] size=\d+\+\d+/.test(line)) continue;
      const m = HEADER.exec(line);
      assert.ok(m, `header line without annotation: ${line}`);
      const [, name, h, p, dec, hex] = m;
      const abs = Number(dec);
      assert.equal(parseInt(hex, 16), abs, line);
      const total = Number(h) + Number(p);
      assert.ok(abs >= section.offset && abs + total <= section.offset + section.size, line);
      const descriptor = name.startsWith("Descriptor:")
        ? parseInt(name.slice(11), 16)
        : DESCRIPTOR_TAGS[name];
      if (descriptor !== undefined) {
        assert.equal(m4s[abs], descriptor, line);
        let length = 0, i = abs + 1;
        for (;;) {
          const b = m4s[i++];
          length = length * 128 + (b & 0x7f);
          if (!(b & 0x80)) break;
        }
        assert.equal(i - abs, Number(h), line);
        assert.equal(length, Number(p), line);
      } else {
        let size = view.getUint32(abs);
        if (size === 1) size = Number(view.getBigUint64(abs + 8));
        if (size === 0) size = section.offset + section.size - abs;
        const type = String.fromCharCode(...m4s.subarray(abs + 4, abs + 8));
        assert.equal(type, name.length === 4 ? name : "uuid", line);
        assert.equal(size, total, line);
      }
      checked++;
    }
  }
  return checked;
}

/**
 * Writes an executable script `dir/name` that answers like mp4dump by running
 * `streamkit mp4 dump "$@"`, logging each call's arguments to `dir/calls.log`. `extra` is
 * shell run first (e.g. a sleep for some files).
 */
export async function fakeMp4dump(dir: string, name = "mp4dump", extra = ""): Promise<string> {
  const repo = new URL("..", import.meta.url).pathname;
  const path = join(dir, name);
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\n` +
      `echo "$@" >> "${join(dir, "calls.log")}"\n` +
      `${extra}\n` +
      `exec "${Deno.execPath()}" run -A "${join(repo, "main.ts")}" mp4 dump "$@"\n`,
  );
  await Deno.chmod(path, 0o755);
  return path;
}
