/**
 * What a person sees (issue 18): `--progress json` events checked field by field, and the
 * terminal view driven in a real pseudo-terminal (tmux): a row per track, the total with an
 * ETA, retries counted on the rows rather than printed, and a silent transfer shown as
 * stalled with its file name.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hasProgram, REPO, runCli, scratchDir } from "./cli_helpers.ts";
import { startServer } from "./server.ts";

const REF = join(REPO, "tests/fixtures/reference");

Deno.test("--progress json: one event per line on stderr, each field as documented", async () => {
  await using server = startServer({
    root: REF,
    faults: [
      { match: "chunk-stream1-00002.m4s", hit: { first: 1 }, status: 503, retryAfter: 0 },
      { match: "chunk-stream2-00001.m4s", stallAfterBytes: 100, stallMs: 1500 },
    ],
  });
  const out = await scratchDir();
  const r = await runCli([
    "dash",
    "get",
    `${server.url}dash-avc-aac/manifest.mpd`,
    "-o",
    out,
    "--progress",
    "json",
    "--retry-delay",
    "0.01",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const events = r.stderr.trim().split("\n").map((l) => JSON.parse(l));
  const kinds = events.map((e) => e.event);
  assert.equal(kinds[0], "plan");
  assert.equal(kinds.at(-1), "end");
  const plan = events[0];
  assert.equal(plan.files, 18);
  assert.equal(plan.manifests, 1);
  assert.deepEqual(plan.tracks.map((t: { id: string }) => t.id), ["0", "1", "2", "3"]);
  assert.deepEqual(plan.tracks.map((t: { files: number }) => t.files), [4, 4, 5, 5]);
  const files = events.filter((e) => e.event === "file");
  assert.equal(files.length, 18);
  for (const f of files) {
    assert.deepEqual(Object.keys(f).sort(), [
      "bytes",
      "event",
      "path",
      "size",
      "status",
      "track",
      "url",
    ]);
    assert.equal(f.status, "done");
    assert.equal(f.bytes, (await Deno.stat(join(out, f.path))).size);
    assert.equal(f.size, f.bytes);
  }
  const retry = events.find((e) => e.event === "retry");
  assert.ok(retry, "a retry event");
  assert.equal(retry.path, "chunk-stream1-00002.m4s");
  assert.equal(retry.track, "1");
  assert.equal(retry.attempt, 1);
  assert.match(retry.reason, /HTTP 503/);
  assert.equal(typeof retry.wait, "number");
  const progress = events.filter((e) => e.event === "progress");
  assert.ok(progress.length >= 1);
  for (const p of progress) {
    assert.deepEqual(Object.keys(p).sort(), ["bytes", "event", "files_done", "files_total"]);
    assert.equal(p.files_total, 18);
  }
  const last = progress.at(-1);
  assert.equal(last.files_done, 18);
  // `end` carries the summary `--json` prints (a rerun's, here: the same fields).
  const end = events.at(-1);
  assert.equal(end.done, 18);
  assert.equal(end.failed, 0);
  assert.ok(end.retries >= 1);
  const rerun = await runCli([
    "dash",
    "get",
    `${server.url}dash-avc-aac/manifest.mpd`,
    "-o",
    out,
    "--json",
  ]);
  assert.deepEqual(
    Object.keys(end).sort(),
    ["event", ...Object.keys(JSON.parse(rerun.stdout))].sort(),
  );
});

/** Runs a command in a detached tmux session of 100x30 and returns a handle to read it. */
async function inTmux(command: string[]): Promise<{
  screen(): Promise<string>;
  scrollback(): Promise<string>;
  running(): Promise<boolean>;
  close(): Promise<void>;
}> {
  const name = `streamkit-test-${crypto.randomUUID().slice(0, 8)}`;
  const tmux = (...args: string[]) =>
    new Deno.Command("tmux", { args, stdout: "piped", stderr: "piped" }).output();
  const quoted = command.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  await tmux(
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    "100",
    "-y",
    "30",
    `${quoted}; echo EXIT=$?; sleep 30`,
  );
  const text = async (...extra: string[]) =>
    new TextDecoder().decode((await tmux("capture-pane", "-p", "-t", name, ...extra)).stdout);
  return {
    screen: () => text(),
    scrollback: () => text("-S", "-1000"),
    running: async () => !(await text()).includes("EXIT="),
    close: async () => {
      await tmux("kill-session", "-t", name);
    },
  };
}

async function until(test: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never saw ${what}`);
}

Deno.test({
  name: "the terminal view: a row per track, a total with ETA, retries counted, a stall named",
  ignore: !(await hasProgram("tmux", "-V")),
  fn: async () => {
    await using server = startServer({
      root: REF,
      faults: [
        { match: "chunk-stream0-*.m4s", hit: { firstPerPath: 2 }, status: 503, retryAfter: 0 },
        { match: "chunk-stream3-00002.m4s", stallAfterBytes: 1000, stallMs: 6500 },
      ],
    });
    const out = await scratchDir();
    const term = await inTmux([
      Deno.execPath(),
      "run",
      "-A",
      join(REPO, "main.ts"),
      "dash",
      "get",
      `${server.url}dash-avc-aac/manifest.mpd`,
      "-o",
      out,
      "--retry-delay",
      "0.01",
    ]);
    try {
      await until(async () => /stalled/.test(await term.screen()), "the stall");
      const during = await term.screen();
      assert.match(during, /chunk-stream3-00002\.m4s: stalled, no data for \d+ s/);
      await until(async () => !(await term.running()), "the end");
      const screen = await term.screen();
      assert.match(screen, /EXIT=0/);
      // One row per Representation, with its label, done/total, and its retries.
      assert.match(screen, /^0\s+video 320x180\s+4\/4 .* 6 retries/m);
      assert.match(screen, /^1\s+video 160x90\s+4\/4/m);
      assert.match(screen, /^2\s+audio eng\s+5\/5/m);
      assert.match(screen, /^3\s+audio eng\s+5\/5/m);
      assert.match(screen, /^total\s+100%\s+ETA 0\.0 s\s+18\/18 .* 6 retries/m);
      // Retries were counted, not printed: the whole run fits in a screenful.
      const all = (await term.scrollback()).trimEnd().split("\n");
      assert.ok(all.length <= 30, `${all.length} lines of scrollback:\n${all.join("\n")}`);
      assert.doesNotMatch(all.join("\n"), /^retry /m);
    } finally {
      await term.close();
    }
  },
});
