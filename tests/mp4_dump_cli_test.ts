/**
 * `streamkit mp4 dump` as a user runs it: a real subprocess (`deno run -A main.ts mp4 dump`),
 * its stdout compared with the real mp4dump's output, its exit codes and its stderr notes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = join(import.meta.dirname!, "..");
const REF = join(ROOT, "tests", "fixtures", "reference");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function streamkit(...args: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "main.ts"), ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

function reference(folder: string, media: string, suffix: string): string {
  return Deno.readTextFileSync(join(REF, "mp4dump", folder, `${media}.${suffix}`));
}

for (
  const [folder, media] of [["codecs", "cenc.mp4"], ["dash-avc-aac", "chunk-stream2-00004.m4s"]]
) {
  for (const v of ["0", "1", "2", "3"]) {
    Deno.test(`mp4 dump --verbosity ${v} ${folder}/${media} prints mp4dump's text`, async () => {
      const r = await streamkit("mp4", "dump", join(REF, folder, media), "--verbosity", v);
      assert.equal(r.stderr, "");
      assert.equal(r.code, 0);
      assert.equal(r.stdout, reference(folder, media, `v${v}.txt`));
    });
  }
  Deno.test(`mp4 dump --format json ${folder}/${media} prints mp4dump's JSON`, async () => {
    const r = await streamkit(
      "mp4",
      "dump",
      "--format",
      "json",
      "--verbosity",
      "3",
      join(REF, folder, media),
    );
    assert.equal(r.code, 0);
    assert.equal(r.stdout, reference(folder, media, "v3.json"));
  });
}

Deno.test("mp4 dump without options prints the verbosity 0 text", async () => {
  const r = await streamkit("mp4", "dump", join(REF, "codecs", "opus.mp4"));
  assert.equal(r.code, 0);
  assert.equal(r.stdout, reference("codecs", "opus.mp4", "v0.txt"));
});

Deno.test("a truncated file: the output up to the damage, a note with the offset, exit 1", async () => {
  const bytes = Deno.readFileSync(join(REF, "codecs", "cmaf.mp4"));
  const tmp = Deno.makeTempFileSync({ suffix: ".mp4" });
  try {
    Deno.writeFileSync(tmp, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    for (const format of ["text", "json"]) {
      const r = await streamkit("mp4", "dump", "--verbosity", "3", "--format", format, tmp);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /damaged MP4 at offset \d+ \(0x[0-9a-f]+\): box '\w+' of size \d+ /);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      if (format === "text") {
        const full = reference("codecs", "cmaf.mp4", "v3.txt");
        assert.ok(r.stdout.length > 1000);
        assert.ok(full.startsWith(r.stdout), "stdout is a prefix of the full dump");
      } else {
        assert.ok(Array.isArray(JSON.parse(r.stdout)), "still well-formed JSON");
      }
    }
  } finally {
    Deno.removeSync(tmp);
  }
});

Deno.test("a file that is not ISO BMFF: nothing printed, a note, exit 1", async () => {
  const r = await streamkit("mp4", "dump", join(REF, "dash-avc-aac", "manifest.mpd"));
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /damaged MP4 at offset 0 \(0x0\): not an ISO BMFF box/);
});

Deno.test("a child box overrunning its parent is named with its offset", async () => {
  const path = join(REF, "dash-avc-aac", "chunk-stream0-00001.m4s");
  const bytes = Deno.readFileSync(path);
  const text = new TextDecoder("latin1").decode(bytes);
  const mfhd = text.indexOf("mfhd") - 4;
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(mfhd, 100000);
  const tmp = Deno.makeTempFileSync({ suffix: ".m4s" });
  try {
    Deno.writeFileSync(tmp, copy);
    const r = await streamkit("mp4", "dump", tmp);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`offset ${mfhd} `), r.stderr);
    assert.match(r.stderr, /'mfhd' of size 100000 runs past the end of its parent 'moof'/);
    // as mp4dump: the moof's children stop at the damage, the boxes after the moof follow
    assert.ok(r.stdout.endsWith("[moof] size=8+296\n[mdat] size=8+58907\n"), r.stdout);
  } finally {
    Deno.removeSync(tmp);
  }
});

Deno.test("a box smaller than its own header is reported", async () => {
  const bytes = Deno.readFileSync(join(REF, "hls-fmp4", "seg_000.m4s"));
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(0, 5);
  const tmp = Deno.makeTempFileSync({ suffix: ".m4s" });
  try {
    Deno.writeFileSync(tmp, copy);
    const r = await streamkit("mp4", "dump", tmp);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /offset 0 \(0x0\): box '\w+' has size 5, smaller than its 8-byte header/,
    );
  } finally {
    Deno.removeSync(tmp);
  }
});

Deno.test("a missing file and a bad option exit 2 with a message", async () => {
  const missing = await streamkit("mp4", "dump", join(REF, "no-such-file.mp4"));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot open/);
  const bad = await streamkit("mp4", "dump", "--verbosity", "4", join(REF, "codecs", "avc.mp4"));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /verbosity/);
});

Deno.test("mp4 dump - reads standard input and prints the same as for the file", async () => {
  const media = join(REF, "codecs", "cmaf.mp4");
  for (
    const [args, suffix] of [[["--verbosity", "3"], "v3.txt"], [
      ["--verbosity", "3", "--format", "json"],
      "v3.json",
    ]] as const
  ) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(ROOT, "main.ts"), "mp4", "dump", ...args, "-"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const file = await Deno.open(media);
    await file.readable.pipeTo(child.stdin);
    const out = await child.output();
    assert.equal(new TextDecoder().decode(out.stderr), "");
    assert.equal(out.code, 0);
    assert.equal(new TextDecoder().decode(out.stdout), reference("codecs", "cmaf.mp4", suffix));
  }
});
