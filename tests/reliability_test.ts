/**
 * Reliability, for both `dash get` and `hls get`, on a stream of hundreds of segments:
 * intermittent faults, SIGKILL at several points then a rerun, Ctrl-C, permanent 404s, and
 * an unwritable output directory. Whatever happens, a file under its final name is whole
 * and byte-identical, and a rerun fetches only what is missing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type FaultRule, startServer, type TestServer } from "./server.ts";
import { FIXTURES, listFiles, REPO, runCli, sameBytes } from "./cli_helpers.ts";
import { partialPaths } from "../src/mirror/layout.ts";

const LONG = join(FIXTURES, "dash-long");
const MEDIA = [...Deno.readDirSync(LONG)].map((e) => e.name).filter((n) => n.endsWith(".m4s"))
  .sort();

/** An fMP4 HLS media playlist over the same 320 segments, served beside the MPD. */
function longPlaylist(): string {
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    "#EXT-X-TARGETDURATION:1",
    "#EXT-X-PLAYLIST-TYPE:VOD",
  ];
  lines.push('#EXT-X-MAP:URI="init-stream0.m4s"');
  for (const m of MEDIA.filter((n) => n.startsWith("chunk"))) lines.push("#EXTINF:0.2,", m);
  lines.push("#EXT-X-ENDLIST", "");
  return lines.join("\n");
}

interface Kind {
  /** The subcommand. */
  cmd: "dash" | "hls";
  /** The manifest path on the server. */
  manifest: string;
  /** Where media files land under the output directory. */
  prefix: string;
}

const KINDS: Kind[] = [
  { cmd: "dash", manifest: "manifest.mpd", prefix: "" },
  { cmd: "hls", manifest: "long.m3u8", prefix: "hls/" },
];

/**
 * The origin of a test. Its port is the one the previous origin of the same test had (`port`),
 * as a real origin's URL stays the same across reruns: a partial file resumes only for the
 * URL whose validator it holds.
 */
function serve(faults: FaultRule[] = [], onRequest?: () => void, port = 0): TestServer {
  return startServer({
    root: LONG,
    routes: { "/long.m3u8": longPlaylist() },
    faults,
    onRequest,
    port,
  });
}

/** The partial files in `out`: for each media file that has one, its size. */
async function partialFiles(out: string, kind: Kind): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const m of MEDIA) {
    try {
      sizes.set(m, (await Deno.stat(join(out, partialPaths(kind.prefix + m).partial))).size);
    } catch {
      // none
    }
  }
  return sizes;
}

/** Every media file is present under its final name and byte-identical; no partial is left. */
async function assertComplete(out: string, kind: Kind): Promise<void> {
  const files = await listFiles(out);
  assert.ok(!files.some((f) => f.startsWith(".streamkit/")), "no partial file left");
  for (const m of MEDIA) {
    assert.ok(await sameBytes(join(LONG, m), join(out, kind.prefix + m)), m);
  }
}

/** Every file under its final name is byte-identical (some may be missing). */
async function assertNoWrongFile(out: string, kind: Kind): Promise<number> {
  let whole = 0;
  for (const f of await listFiles(out)) {
    if (!f.startsWith(kind.prefix) || !f.endsWith(".m4s")) continue;
    assert.ok(await sameBytes(join(LONG, f.slice(kind.prefix.length)), join(out, f)), f);
    whole++;
  }
  return whole;
}

function args(kind: Kind, server: TestServer, out: string, ...extra: string[]): string[] {
  return [
    kind.cmd,
    "get",
    `${server.url}${kind.manifest}`,
    "-o",
    out,
    "-q",
    "--retry-delay",
    "0.01",
    ...extra,
  ];
}

for (const kind of KINDS) {
  Deno.test(`${kind.cmd} get: every 7th request 503, every 11th reset mid-body — completes, byte-identical`, async () => {
    await using server = serve([
      { match: "*.m4s", hit: { every: 7 }, status: 503, retryAfter: 0 },
      { match: "*.m4s", hit: { every: 11 }, resetAfterBytes: 300 },
    ]);
    const out = await Deno.makeTempDir();
    try {
      const r = await runCli(args(kind, server, out, "--json", "-t", "8", "--retries", "8"));
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const s = JSON.parse(r.stdout);
      assert.equal(s.failed, 0);
      assert.equal(s.done, MEDIA.length);
      const faulted = server.requests.filter((q) => q.faults.length > 0).length;
      const unavailable = server.requests.filter((q) => q.status === 503).length;
      assert.ok(unavailable > 40, `${unavailable} 503s injected`);
      // Every 503 is a retry; a reset is one too unless it landed on a resumed body shorter
      // than the 300 bytes it waits for (then it changes nothing).
      assert.ok(s.retries >= unavailable && s.retries <= faulted, `${s.retries} retries`);
      await assertComplete(out, kind);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  });

  Deno.test(`${kind.cmd} get: SIGKILL at several points, rerun — byte-identical, only the missing fetched`, async () => {
    const out = await Deno.makeTempDir();
    try {
      // Each run counts its own requests; later runs have less left to fetch.
      let port = 0;
      for (const killAt of [5, 40, 70]) {
        const running: { child?: Deno.ChildProcess } = {};
        let seen = 0;
        // Every 5th segment sends 300 bytes, then stalls: the kill finds partial files.
        const server = serve(
          [{ match: "chunk-*.m4s", hit: { every: 5 }, stallAfterBytes: 300, stallMs: 1000 }],
          () => {
            if (++seen === killAt) running.child?.kill("SIGKILL");
          },
          port,
        );
        port = server.port;
        const before = new Set(await listFiles(out));
        const child = running.child = new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", join(REPO, "main.ts"), ...args(kind, server, out, "-t", "4")],
          stdout: "null",
          stderr: "null",
        }).spawn();
        const status = await child.status;
        assert.equal(status.signal, "SIGKILL", `killed at request ${killAt}`);
        await server.close();
        // Nothing under a final name is wrong, and what was complete before stayed.
        await assertNoWrongFile(out, kind);
        for (const f of before) {
          if (!f.startsWith(".streamkit/")) assert.ok((await listFiles(out)).includes(f));
        }
      }
      const partSizes = await partialFiles(out, kind);
      const done = (await listFiles(out)).filter((f) =>
        f.startsWith(kind.prefix) && f.endsWith(".m4s")
      );
      assert.ok(
        done.length > 0 && done.length < MEDIA.length,
        `${done.length} complete before the rerun`,
      );

      await using server = serve([], undefined, port);
      const r = await runCli(args(kind, server, out, "--json"));
      assert.equal(r.code, 0, r.stderr);
      await assertComplete(out, kind);
      const s = JSON.parse(r.stdout);
      assert.equal(s.present, done.length);
      assert.equal(s.done, MEDIA.length - done.length);
      // Complete files were not requested again; partial files resumed with a Range.
      for (const f of done) assert.equal(server.count(`/${f.slice(kind.prefix.length)}`), 0, f);
      let resumed = 0;
      for (const [m, size] of partSizes) {
        if (size === 0) continue;
        const ranges = server.requests.filter((q) => q.path === `/${m}`).map((q) => q.range);
        assert.deepEqual(ranges, [`bytes=${size}-`], m);
        resumed++;
      }
      assert.ok(resumed > 0, "some partial files were resumed");
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  });

  Deno.test(`${kind.cmd} get: Ctrl-C stops promptly, keeps partial files, prints the summary, exits 130`, async () => {
    await using server = serve([{ match: "chunk-*.m4s", stallAfterBytes: 200, stallMs: 20000 }]);
    const out = await Deno.makeTempDir();
    try {
      const started = performance.now();
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", join(REPO, "main.ts"), ...args(kind, server, out, "-t", "4")],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // Interrupt once the stalled downloads have written their first bytes.
      const partial = async () =>
        [...(await partialFiles(out, kind)).values()].some((n) => n >= 200);
      while (!(await partial()) && performance.now() - started < 10_000) {
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill("SIGINT");
      const result = await child.output();
      const seconds = (performance.now() - started) / 1000;
      assert.equal(result.code, 130);
      assert.ok(seconds < 15, `stopped after ${seconds.toFixed(1)} s, not after the 20 s stall`);
      const stdout = new TextDecoder().decode(result.stdout);
      assert.match(stdout, /not started/);
      assert.match(stdout, /interrupted: rerun the same command to resume/);
      assert.ok((await partialFiles(out, kind)).size > 0, "the partial files are kept");
      await assertNoWrongFile(out, kind);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  });

  Deno.test(`${kind.cmd} get: permanent 404s fail only those, listed by URL, exit 1; a rerun retries only them`, async () => {
    const missing = ["chunk-stream0-00010.m4s", "chunk-stream0-00200.m4s"];
    const out = await Deno.makeTempDir();
    try {
      const server = serve(missing.map((m) => ({ match: m, status: 404 })));
      const r = await runCli(args(kind, server, out, "-t", "8"));
      assert.equal(r.code, 1);
      for (const m of missing) {
        assert.ok(r.stdout.includes(`${server.url}${m}  HTTP 404`), r.stdout);
      }
      assert.match(
        r.stdout,
        new RegExp(`${MEDIA.length - 2} downloaded now, 0 already there, 2 failed`),
      );
      await server.close();
      await using again = serve();
      const r2 = await runCli(args(kind, again, out));
      assert.equal(r2.code, 0, r2.stderr);
      assert.deepEqual(
        again.requests.filter((q) => q.path.endsWith(".m4s")).map((q) => q.path).sort(),
        missing.map((m) => `/${m}`),
      );
      await assertComplete(out, kind);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  });

  Deno.test(`${kind.cmd} get: an unwritable output directory is one clear error before any download`, async () => {
    await using server = serve();
    const dir = await Deno.makeTempDir();
    try {
      const file = join(dir, "a-file");
      await Deno.writeTextFile(file, "not a folder");
      const r = await runCli(args(kind, server, join(file, "out")));
      assert.equal(r.code, 2);
      assert.match(r.stderr, /cannot write to the output directory/);
      assert.ok(r.stderr.includes(join(file, "out")));
      assert.equal(server.count(/\.m4s$/), 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
