/**
 * Wrong input is named, with the fix (issue 18): a playlist given to `dash get` and an MPD
 * to `hls get` name the command to use; an HTML page and an empty body say what they are;
 * an unknown host fails at once, without retries; `help <command> <subcommand>` shows that
 * subcommand's help; relative paths resolve against the caller's folder under `deno task`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { listFiles, REPO, runCli, runCliProcess, scratchDir } from "./cli_helpers.ts";
import { startServer } from "./server.ts";

const PLAYLIST = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n";
const MPD = '<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static"/>';

Deno.test("a manifest of the other format names the command to use; HTML and empty bodies say so", async () => {
  const root = await scratchDir();
  await using server = startServer({
    root,
    routes: {
      "/a.m3u8": PLAYLIST,
      "/a.mpd": MPD,
      "/page.html": "<!DOCTYPE html>\n<html><head><title>Login</title></head></html>",
      "/empty.mpd": "",
    },
  });
  const cases: [string, string, RegExp][] = [
    ["dash", "a.m3u8", /this is an HLS playlist, not an MPD: use `streamkit hls get`/],
    [
      "hls",
      "a.mpd",
      /this is a DASH manifest \(MPD\), not an HLS playlist: use `streamkit dash get`/,
    ],
    [
      "dash",
      "page.html",
      /this is an HTML page \(served as text\/html.*\), not a manifest; it starts "<!DOCTYPE html>/,
    ],
    ["hls", "page.html", /this is an HTML page/],
    ["dash", "empty.mpd", /the manifest is empty/],
  ];
  for (const [cmd, path, message] of cases) {
    const out = join(await scratchDir(), "o");
    const r = await runCli([cmd, "get", `${server.url}${path}`, "-o", out]);
    assert.equal(r.code, 2, `${cmd} ${path}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.ok(r.stderr.includes(`${server.url}${path}`), r.stderr);
    await assert.rejects(Deno.stat(out), `${cmd} ${path}: nothing written`);
  }
});

Deno.test("an unknown host fails at once: a DNS failure is not retried like a 503", async () => {
  const r = await runCli(["dash", "get", "http://nonexistent.invalid/x.mpd", "--dry-run"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot resolve the host nonexistent\.invalid/);
  assert.doesNotMatch(r.stderr, /retry/);
});

Deno.test("help <command> <subcommand> equals <command> <subcommand> --help, at every level", async () => {
  for (
    const path of [["dash", "get"], ["dash", "dump"], ["hls", "get"], ["mp4", "dump"], ["dash"]]
  ) {
    const viaHelp = await runCli(["help", ...path]);
    const viaFlag = await runCli([...path, "--help"]);
    assert.equal(viaHelp.code, 0);
    assert.equal(viaHelp.stdout, viaFlag.stdout, path.join(" "));
    assert.match(viaHelp.stdout, new RegExp(`^Usage: streamkit ${path.join(" ")}`));
  }
});

Deno.test("under deno task (INIT_CWD), relative paths resolve against the caller's folder", async () => {
  await using server = startServer({ root: join(REPO, "tests/fixtures/reference") });
  const caller = await scratchDir();
  const r = await runCliProcess(
    ["dash", "get", `${server.url}dash-avc-aac/manifest.mpd`, "-o", "rel", "-q"],
    { env: { INIT_CWD: caller } },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok((await listFiles(join(caller, "rel"))).includes("manifest.mpd"));
  await assert.rejects(Deno.stat(join(REPO, "rel")), "nothing in the checkout");
  const dump = await runCliProcess([
    "dash",
    "dump",
    "-d",
    "rel",
    "-r",
    "2",
    "--engine",
    "builtin",
    "-q",
  ], {
    env: { INIT_CWD: caller },
  });
  assert.equal(dump.code, 0, dump.stderr);
  assert.ok((await listFiles(join(caller, "rel"))).includes("2.dump"));
});
