/**
 * The one-file distribution: `deno task bundle`'s command, pointed at a temp folder, makes a
 * single JavaScript file that runs from an empty folder with `deno run` — its help, a real
 * `dash get` against the loopback test server, and the demo on its embedded sample.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES, listFiles, REPO, sameBytes } from "./cli_helpers.ts";
import { startServer } from "./server.ts";

const dec = new TextDecoder();

/** The `bundle` task of deno.json, as words. */
async function bundleTask(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json")));
  return String(config.tasks.bundle).split(/\s+/);
}

/** Runs deno with `args` in `cwd`; returns exit code and output. */
async function deno(args: string[], cwd: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("bundle: one file that runs --help, dash get and the demo from an empty folder", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "streamkit-bundle-test-" });
  try {
    // The task's own command, with its --output moved into the temp folder.
    const words = await bundleTask();
    assert.deepEqual(words.slice(0, 2), ["deno", "bundle"]);
    const at = words.indexOf("--output");
    assert.ok(at > 0, "the bundle task names its --output");
    const bundle = join(tmp, "streamkit.js");
    words[at + 1] = bundle;
    const built = await deno(words.slice(1), REPO);
    assert.equal(built.code, 0, built.stderr);

    // Run from a folder holding nothing but the bundle: no source files beside it.
    const empty = join(tmp, "empty");
    await Deno.mkdir(empty);

    const help = await deno(["run", "-A", bundle, "--help"], empty);
    assert.equal(help.code, 0, help.stderr);
    for (const name of ["dash", "hls", "mp4", "demo", "demo-server"]) {
      assert.match(help.stdout, new RegExp(`^  ${name} `, "m"), name);
    }

    const root = join(FIXTURES, "reference/dash-avc-aac");
    await using server = startServer({ root });
    const out = join(tmp, "out");
    const got = await deno(
      ["run", "-A", bundle, "dash", "get", `${server.url}manifest.mpd`, "-o", out, "-q"],
      empty,
    );
    assert.equal(got.code, 0, got.stdout + got.stderr);
    const expected = await listFiles(root);
    assert.deepEqual(await listFiles(out), expected);
    for (const f of expected) assert.ok(await sameBytes(join(root, f), join(out, f)), f);

    const demo = await deno(
      ["run", "--allow-net=127.0.0.1", "--allow-read", "--allow-write", "--allow-env"]
        .concat([bundle, "demo", "--dir", join(tmp, "demo")]),
      empty,
    );
    assert.equal(demo.code, 0, demo.stdout + demo.stderr);
    assert.deepEqual(
      (await listFiles(join(tmp, "demo"))).filter((f) => f.endsWith(".mpd") || f.endsWith(".m3u8")),
      ["dash/manifest.mpd", "hls/master.m3u8", "hls/media_0.m3u8", "hls/media_1.m3u8"]
        .concat(["hls/media_2.m3u8", "hls/media_3.m3u8"]),
    );
    assert.deepEqual([...Deno.readDirSync(empty)], []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
