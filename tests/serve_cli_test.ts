/**
 * `streamkit serve` through the real CLI, in this process (`main(args, memoryIo())`) and,
 * for the real Ctrl-C, as a subprocess: a served mirror is fetched back byte-identical by
 * `dash get` and `hls get`, with and without faults; `--log FILE` writes one JSON line per
 * request; Ctrl-C ends it with exit 0; a port in use, a folder without a manifest and bad
 * fault specs are exit 2 with a message naming them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES, listFiles, REPO, runCli, sameBytes, scratchDir } from "./cli_helpers.ts";
import { startServe } from "./serve_helpers.ts";

/** Every file of `origin` is in `out` with the same bytes (saved originals for playlists). */
async function assertMirror(origin: string, out: string, hls: boolean): Promise<void> {
  const saved = new Set(await listFiles(out));
  for (const file of await listFiles(origin)) {
    let copy = file;
    if (hls && file.endsWith(".m3u8")) copy = saved.has(`${file}.orig`) ? `${file}.orig` : file;
    else if (hls) copy = `hls/${file}`;
    assert.ok(saved.has(copy), `${file} was not saved (as ${copy})`);
    assert.ok(await sameBytes(join(origin, file), join(out, copy)), `${file} differs`);
  }
}

for (const fixture of ["dash-number-duration", "dash-time", "dash-segmentbase"]) {
  Deno.test(`dash get of a served ${fixture} is byte-identical to the origin's files`, async () => {
    const origin = join(FIXTURES, fixture);
    const server = await startServe([origin]);
    try {
      assert.match(server.stdout(), new RegExp(`DASH  ${server.url}manifest\\.mpd\\n`));
      const out = join(await scratchDir(), "out");
      const r = await runCli(["dash", "get", `${server.url}manifest.mpd`, "-o", out, "-q"]);
      assert.equal(r.code, 0, r.stderr);
      await assertMirror(origin, out, false);
    } finally {
      assert.equal(await server.stop(), 0);
    }
    assert.match(server.stderr(), /stopped after \d+ requests/);
  });
}

Deno.test("hls get of a served master is byte-identical to the origin's files", async () => {
  const origin = join(FIXTURES, "hls-master-fmp4");
  const server = await startServe([origin]);
  try {
    assert.match(server.stdout(), new RegExp(`HLS   ${server.url}master\\.m3u8\\n`));
    // Media playlists a master names are not listed on their own.
    assert.doesNotMatch(server.stdout(), /prog\.m3u8/);
    const out = join(await scratchDir(), "out");
    const r = await runCli(["hls", "get", `${server.url}master.m3u8`, "-o", out, "-q"]);
    assert.equal(r.code, 0, r.stderr);
    await assertMirror(origin, out, true);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

Deno.test("with faults (503 + Retry-After, resets, stalls, throttling, latency) the mirrors are still byte-identical", async () => {
  const dir = await scratchDir();
  const log = join(dir, "requests.jsonl");
  for (
    const [fixture, cmd, manifest] of [
      ["dash-number-duration", "dash", "manifest.mpd"],
      ["hls-master", "hls", "master.m3u8"],
    ] as const
  ) {
    const origin = join(FIXTURES, fixture);
    const server = await startServe([
      origin,
      "--fail-every",
      "5",
      "--reset-every",
      "7",
      "--stall",
      "*.ts:0.05",
      "--throttle",
      "100000",
      "--latency",
      "2",
      "--log",
      log,
    ], dir);
    try {
      assert.match(server.stdout(), /every 5th request: 503 with Retry-After: 1/);
      assert.match(server.stdout(), /every 7th GET: half the body, then the connection is reset/);
      const out = join(dir, fixture);
      const r = await runCli([
        cmd,
        "get",
        `${server.url}${manifest}`,
        "-o",
        out,
        "-q",
        "--retry-delay",
        "0.05",
      ], {
        cwd: dir,
      });
      assert.equal(r.code, 0, r.stderr);
      await assertMirror(origin, out, cmd === "hls");
    } finally {
      assert.equal(await server.stop(), 0);
    }
  }
  // One JSON line per request; the faults are in it.
  const lines = (await Deno.readTextFile(log)).trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.ok(lines.length > 20);
  for (const l of lines) {
    assert.deepEqual(Object.keys(l), [
      "time",
      "method",
      "path",
      "query",
      "range",
      "status",
      "bytes",
      "faults",
    ]);
    assert.ok(!Number.isNaN(Date.parse(l.time)));
  }
  assert.ok(lines.some((l) => l.status === 503 && l.faults.includes("status")));
  assert.ok(lines.some((l) => l.faults.includes("reset")));
  // A reset answer sent half its body.
  const reset = lines.find((l) => l.faults.includes("reset") && l.status === 200)!;
  const size = (await Deno.stat(
    join(
      FIXTURES,
      reset.path.includes(".ts") ? "hls-master" : "dash-number-duration",
      reset.path,
    ),
  )).size;
  assert.equal(reset.bytes, Math.floor(size / 2));
});

Deno.test("--live through the CLI: the MPD is dynamic and the start message says so", async () => {
  const server = await startServe([
    join(FIXTURES, "dash-number-duration"),
    "--live",
    "--window",
    "10",
  ]);
  try {
    assert.match(server.stdout(), /live from \d{4}-\d\d-\d\dT[\d:.]+Z \(server clock\):\n/);
    assert.match(server.stdout(), /\/manifest\.mpd: 1 Period of 6 s per lap, window 10 s/);
    const mpd = await (await fetch(`${server.url}manifest.mpd`)).text();
    assert.match(mpd, /type="dynamic"/);
    assert.match(mpd, /timeShiftBufferDepth="PT10S"/);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

Deno.test("bad usage is exit 2 with a message naming what is wrong", async () => {
  const empty = await scratchDir();
  await Deno.writeTextFile(join(empty, "notes.txt"), "no manifest here");
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const busy = (listener.addr as Deno.NetAddr).port;
  const mpd = join(FIXTURES, "dash-time");
  try {
    const cases: [string[], RegExp][] = [
      [[empty], new RegExp(`${empty} holds no manifest`)],
      [[join(empty, "absent")], /absent: no such folder/],
      [[mpd, "--port", String(busy)], new RegExp(`port ${busy} on 127\\.0\\.0\\.1 is in use`)],
      [[mpd, "--fail-every", "x"], /--fail-every "x": N must be a whole number/],
      [[mpd, "--fail-every", "3:200"], /--fail-every "3:200": STATUS must be an error status/],
      [[mpd, "--reset-every", "0"], /--reset-every "0"/],
      [[mpd, "--stall", "*.m4s"], /--stall "\*\.m4s": write GLOB:SECONDS/],
      [[mpd, "--stall", "*.m4s:soon"], /--stall "soon": SECONDS must be a positive number/],
      [[mpd, "--throttle", "-5"], /--throttle "-5": KBPS must be a positive number/],
      [[mpd, "--latency", "abc"], /--latency "abc"/],
      [[mpd, "--loop"], /--loop needs --live/],
      [[mpd, "--live", "--replay"], /--live and --replay cannot be combined/],
      [[mpd, "--replay"], /no recorded manifest revisions under \.streamkit\/live\//],
      [[join(FIXTURES, "dash-segmentbase"), "--live"], /SegmentBase/],
      [[mpd, "--window", "0", "--live"], /--window must be a positive number of seconds/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(["serve", ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(" "));
    }
  } finally {
    listener.close();
  }
});

Deno.test("Ctrl-C (SIGINT) stops the real process cleanly with exit code 0", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(REPO, "main.ts"),
      "serve",
      join(FIXTURES, "hls-master"),
      "--port",
      "0",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).values();
  let head = "";
  while (!head.includes("(Ctrl-C to stop)")) {
    const next = await lines.next();
    if (next.done) break;
    head += next.value;
  }
  const url = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(head)?.[1];
  assert.ok(url, head);
  const response = await fetch(`${url}180p/seg_000.ts`, { headers: { range: "bytes=0-187" } });
  assert.equal(response.status, 206);
  assert.equal((await response.bytes()).length, 188);
  child.kill("SIGINT");
  for await (const _ of lines) { /* drain */ }
  const status = await child.status;
  const err = await new Response(child.stderr).text();
  assert.equal(status.code, 0, err);
  assert.match(err, /stopped after 1 requests/);
});
