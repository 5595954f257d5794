/**
 * `dash dump` with an external mp4dump: a real subprocess per segment (a small script that
 * answers like Bento4's mp4dump by running streamkit's own `mp4 dump`), found on PATH or
 * named with `--mp4dump`; and what happens when it is missing or fails.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES, listFiles, runCli } from "./cli_helpers.ts";
import { findOnPath } from "../src/dump/engine.ts";
import { bytesEqual, checkAnnotations, fakeMp4dump, mirror } from "./dash_dump_helpers.ts";

const REF = join(FIXTURES, "reference");
const PATH = Deno.env.get("PATH") ?? "";

/** A mirror of the reference stream and a folder for fake programs; removed by `close`. */
async function setup() {
  const dir = await mirror(REF, "dash-avc-aac/manifest.mpd");
  const bin = await Deno.makeTempDir({ prefix: "fakebin_" });
  return {
    dir,
    bin,
    [Symbol.asyncDispose]: async () => {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(bin, { recursive: true });
    },
  };
}

/** The `.dump` files the built-in engine writes for `ids`, by id. */
async function builtinDumps(dir: string, ids: string[]): Promise<Map<string, Uint8Array>> {
  const r = await runCli(["dash", "dump", "-d", dir, "--engine", "builtin", "-q", "-r", ...ids]);
  assert.equal(r.code, 0, r.stderr);
  const out = new Map<string, Uint8Array>();
  for (const id of ids) out.set(id, await Deno.readFile(join(dir, `${id}.dump`)));
  for (const f of await listFiles(dir)) {
    if (/^\d\.(m4s|dump|hex)$/.test(f)) await Deno.remove(join(dir, f));
  }
  return out;
}

Deno.test("dash dump runs mp4dump from PATH once per segment, in parallel, order kept", async () => {
  await using t = await setup();
  const expected = await builtinDumps(t.dir, ["0", "2"]);
  // init segments answer last, so later segments finish first
  await fakeMp4dump(t.bin, "mp4dump", 'case "$3" in *init-*) sleep 1;; esac');
  const r = await runCli(["dash", "dump", "-d", t.dir, "-r", "0", "2"], {
    env: { PATH: `${t.bin}:${PATH}` },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.match(r.stdout, /^0 .* mp4dump {2}0\.m4s 0\.dump 0\.hex$/m);
  assert.match(r.stdout, /^2 .* mp4dump {2}2\.m4s 2\.dump 2\.hex$/m);
  for (const id of ["0", "2"]) {
    const dump = await Deno.readFile(join(t.dir, `${id}.dump`));
    assert.ok(bytesEqual(dump, expected.get(id)!), `${id}.dump`);
    const m4s = await Deno.readFile(join(t.dir, `${id}.m4s`));
    assert.ok(checkAnnotations(new TextDecoder().decode(dump), m4s) > 20);
  }
  const calls = (await Deno.readTextFile(join(t.bin, "calls.log"))).trim().split("\n");
  assert.equal(calls.length, 4 + 5);
  for (const c of calls) assert.match(c, /^--verbosity 3 \/.*\/(init|chunk)-stream[02][-.]/);
  assert.ok(calls.some((c) => c.endsWith(join(t.dir, "chunk-stream2-00004.m4s"))));
});

Deno.test("dash dump --engine mp4dump --mp4dump <path> runs that program", async () => {
  await using t = await setup();
  const expected = await builtinDumps(t.dir, ["1"]);
  const program = await fakeMp4dump(t.bin, "my-mp4dump");
  const r = await runCli([
    "dash",
    "dump",
    "-d",
    t.dir,
    "-r",
    "1",
    "--engine",
    "mp4dump",
    "--mp4dump",
    program,
    "--json",
  ], { env: { PATH: t.bin } });
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.engine, "mp4dump");
  assert.equal(summary.mp4dump, program);
  assert.deepEqual(summary.representations[0].engines, ["mp4dump"]);
  assert.ok(bytesEqual(await Deno.readFile(join(t.dir, "1.dump")), expected.get("1")!));
});

Deno.test("dash dump --engine mp4dump without mp4dump is a usage error; auto falls back", async () => {
  await using t = await setup();
  const before = await listFiles(t.dir);
  const r = await runCli(["dash", "dump", "-d", t.dir, "--engine", "mp4dump"], {
    env: { PATH: t.bin },
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /mp4dump \(Bento4\) is not on PATH; install Bento4's mp4dump/);
  assert.deepEqual(await listFiles(t.dir), before);

  await Deno.writeTextFile(join(t.bin, "not-executable"), "#!/bin/sh\n");
  const ne = await runCli([
    "dash",
    "dump",
    "-d",
    t.dir,
    "--engine",
    "mp4dump",
    "--mp4dump",
    join(t.bin, "not-executable"),
  ]);
  assert.equal(ne.code, 2);
  assert.match(ne.stderr, /not-executable is not executable/);

  const auto = await runCli(["dash", "dump", "-d", t.dir, "-r", "3"], { env: { PATH: t.bin } });
  assert.equal(auto.code, 0, auto.stderr);
  assert.match(
    auto.stderr,
    /^note: mp4dump \(Bento4\) is not on PATH; using the built-in dumper/m,
  );
  assert.equal(auto.stderr.trim().split("\n").length, 1);
  assert.match(auto.stdout, /^3 .* builtin {2}3\.m4s/m);
});

Deno.test("dash dump: a failing mp4dump is named; auto falls back, --engine mp4dump fails", async () => {
  await using t = await setup();
  const expected = await builtinDumps(t.dir, ["2"]);
  const bad = join(t.bin, "bad-mp4dump");
  await Deno.writeTextFile(
    bad,
    '#!/bin/sh\necho "ERROR: cannot open input file ($3)" >&2\nexit 5\n',
  );
  await Deno.chmod(bad, 0o755);

  const auto = await runCli(["dash", "dump", "-d", t.dir, "-r", "2", "--mp4dump", bad]);
  assert.equal(auto.code, 0, auto.stderr);
  assert.match(auto.stderr, /note: .*bad-mp4dump exited with code 5 on .*init-stream2\.m4s: ERROR/);
  assert.match(auto.stderr, /using the built-in dumper instead/);
  assert.match(auto.stdout, /^2 .* builtin {2}2\.m4s/m);
  assert.ok(bytesEqual(await Deno.readFile(join(t.dir, "2.dump")), expected.get("2")!));

  for (const f of ["2.m4s", "2.dump", "2.hex"]) await Deno.remove(join(t.dir, f));
  const strict = await runCli([
    "dash",
    "dump",
    "-d",
    t.dir,
    "-r",
    "2",
    "3",
    "--engine",
    "mp4dump",
    "--mp4dump",
    bad,
  ]);
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /failed, nothing written \(2\):/);
  assert.match(
    strict.stdout,
    / {2}2 \(audio\): .*bad-mp4dump exited with code 5 on .*init-stream2/,
  );
  const files = await listFiles(t.dir);
  assert.ok(!files.some((f) => /^[23]\.|\.part$/.test(f)), files.join(" "));
});

Deno.test("dash dump: an mp4dump whose box lines disagree with streamkit's walk is refused", async () => {
  await using t = await setup();
  // drops the [mdat] header lines
  const program = await fakeMp4dump(t.bin, "odd-mp4dump");
  const odd = join(t.bin, "odd");
  await Deno.writeTextFile(odd, `#!/bin/sh\n"${program}" "$@" | grep -v '\\[mdat\\]'\n`);
  await Deno.chmod(odd, 0o755);
  const r = await runCli([
    "dash",
    "dump",
    "-d",
    t.dir,
    "-r",
    "1",
    "--engine",
    "mp4dump",
    "--mp4dump",
    odd,
  ]);
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /chunk-stream1-00001\.m4s: mp4dump printed \d+ box header lines where streamkit found \d+ boxes/,
  );
  assert.ok(!(await listFiles(t.dir)).some((f) => f.startsWith("1.")));
});

Deno.test("a damaged segment is damaged whatever the engine: mp4dump printing what it can and exiting 0", async () => {
  await using t = await setup();
  const seg = join(t.dir, "chunk-stream2-00003.m4s");
  await Deno.writeFile(seg, (await Deno.readFile(seg)).subarray(0, 5000));
  // Like Bento4's mp4dump on damage: what it could read on stdout, exit code 0.
  const script = await fakeMp4dump(t.bin, "mp4dump");
  await Deno.writeTextFile(
    script,
    (await Deno.readTextFile(script)).replace(/^exec (.*)$/m, "$1 2>/dev/null\nexit 0"),
  );
  for (const engine of [[], ["--engine", "mp4dump"]]) {
    const r = await runCli(["dash", "dump", "-d", t.dir, "-r", "2", "--json", "-q", ...engine], {
      env: { PATH: `${t.bin}:${PATH}` },
    });
    assert.equal(r.code, 1, r.stderr);
    const [two] = JSON.parse(r.stdout).representations;
    assert.deepEqual(two.engines, ["mp4dump"]);
    assert.equal(two.status, "damaged");
    assert.match(two.problems[0], /^chunk-stream2-00003\.m4s: damaged MP4 at offset \d+/);
  }
});

Deno.test({
  name: "with Bento4's real mp4dump on PATH, a truncated segment is damaged, exit 1",
  ignore: (await findOnPath("mp4dump")) === undefined,
  fn: async () => {
    await using t = await setup();
    const seg = join(t.dir, "chunk-stream2-00003.m4s");
    await Deno.writeFile(seg, (await Deno.readFile(seg)).subarray(0, 5000));
    const r = await runCli(["dash", "dump", "-d", t.dir, "-r", "2", "--json", "-q"]);
    assert.equal(r.code, 1, r.stderr);
    const [two] = JSON.parse(r.stdout).representations;
    assert.equal(two.status, "damaged");
    assert.match(two.problems[0], /^chunk-stream2-00003\.m4s: damaged MP4 at offset \d+/);
  },
});
