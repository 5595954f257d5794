/**
 * `streamkit hls get` end to end: the real CLI as a subprocess against the loopback test
 * server, on real ffmpeg-made streams and on the hand-written edge cases.
 */
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { startServer, type TestServer } from "./server.ts";
import { haveFfmpeg, listFiles, verifyMirror } from "./hls_check.ts";
import { runCli } from "./cli_helpers.ts";

const PROJECT = resolve(import.meta.dirname!, "..");
const FIXTURES = join(PROJECT, "tests", "fixtures");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `streamkit hls get …` as a subprocess. */
async function hlsGet(...args: string[]): Promise<Run> {
  return await runCli(["hls", "get", ...args], { cwd: PROJECT });
}

/** The summary `--json` prints. */
interface Summary {
  files: number;
  done: number;
  present: number;
  failed: number;
  manifests: string[];
  notes: string[];
}

function summary(run: Run): Summary {
  assert.equal(run.code, 0, `exit ${run.code}\n${run.stderr}`);
  return JSON.parse(run.stdout) as Summary;
}

/** The fixture file the server answers `url` with (same origin only). */
function fixtureFile(server: TestServer) {
  return (url: URL): string | undefined =>
    url.origin === new URL(server.url).origin
      ? join(FIXTURES, decodeURIComponent(url.pathname))
      : undefined;
}

/** Runs ffmpeg on `input`, decoding every stream, and returns its per-frame checksums. */
async function framemd5(input: string): Promise<{ ok: boolean; frames: string; errors: string }> {
  const out = await new Deno.Command("ffmpeg", {
    args: [
      "-nostdin",
      "-v",
      "error",
      "-allowed_extensions",
      "ALL",
      "-i",
      input,
      "-map",
      "0",
      "-f",
      "framemd5",
      "-",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { ok: out.success, frames: dec.decode(out.stdout), errors: dec.decode(out.stderr) };
}

const STREAMS = [
  { name: "fMP4 with EXT-X-MAP", path: "reference/hls-fmp4/index.m3u8", media: true },
  { name: "single-file byte ranges", path: "reference/hls-byterange/index.m3u8", media: true },
  { name: "MPEG-TS", path: "reference/hls-ts/index.m3u8", media: true },
  { name: "AES-128 encrypted TS", path: "hls-aes/index.m3u8", media: true },
  {
    name: "master: TS variants in folders, two audio",
    path: "hls-master/master.m3u8",
    media: true,
  },
  { name: "master: fMP4 variants, two audio", path: "hls-master-fmp4/master.m3u8", media: true },
  { name: "hand-written edge cases", path: "hls-edge/master.m3u8", media: false },
];

const FFMPEG = await haveFfmpeg();

for (const stream of STREAMS) {
  Deno.test(`hls get mirrors ${stream.name} byte for byte; a rerun fetches no media`, async () => {
    const out = await Deno.makeTempDir({ prefix: "hls-get-" });
    const server = startServer({ root: FIXTURES });
    let closed = false;
    try {
      const url = new URL(stream.path, server.url).href;
      const first = summary(await hlsGet(url, "-o", out, "--json", "-q"));
      assert.equal(first.failed, 0);
      assert.equal(first.done, first.files);
      const master = stream.path.split("/").pop()!;
      assert.equal(first.manifests[0], master);

      // Every saved playlist differs from the server's only in URIs, and every URI leads
      // to a local file equal to the server's.
      const report = await verifyMirror({
        outDir: out,
        saved: master,
        url,
        fileFor: fixtureFile(server),
        ignoreTags: ["EXT-X-UNKNOWN-TAG-FOR-TESTS"],
      });
      assert.deepEqual(report.playlists.sort(), [...first.manifests].sort());
      assert.equal(report.files.length, first.files);

      // Every file of the fixture is there: playlists at their place (when rewritten, the
      // original kept beside as .orig, equal to the server's), everything else under hls/.
      const dir = dirname(join(FIXTURES, stream.path));
      const local = new Set(await listFiles(out));
      for (const f of await listFiles(dir)) {
        if (f === "README.md") continue;
        if (f.endsWith(".m3u8")) {
          assert.ok(local.has(f), `${f} missing`);
          const kept = local.has(`${f}.orig`) ? `${f}.orig` : f;
          assert.deepEqual(await Deno.readFile(join(out, kept)), await Deno.readFile(join(dir, f)));
        } else {
          assert.ok(local.has(`hls/${f}`), `hls/${f} missing`);
        }
      }

      // The same media playlist referenced twice was fetched once.
      for (const [path, n] of Object.entries(server.countByPath("GET"))) {
        if (path.endsWith(".m3u8")) assert.equal(n, 1, `${path} fetched ${n} times`);
      }

      // A rerun finds everything in place: only playlists are requested.
      server.resetLog();
      const again = summary(await hlsGet(url, "-o", out, "--json", "-q"));
      assert.equal(again.present, again.files);
      assert.equal(again.done, 0);
      const asked = server.requests.map((r) => r.path);
      assert.deepEqual(asked.filter((p) => !p.endsWith(".m3u8")), []);
      assert.equal(asked.length, first.manifests.length);

      if (!stream.media) return;
      if (!FFMPEG) {
        console.log("ffmpeg not found: skipping the offline playback check");
        return;
      }
      // With the server stopped, ffmpeg decodes the copy to the same frames it decodes
      // from the server (the encrypted stream decrypts with the saved key).
      const online = await framemd5(url);
      assert.ok(online.ok, online.errors);
      await server.close();
      closed = true;
      const offline = await framemd5(join(out, master));
      assert.ok(offline.ok, offline.errors);
      assert.equal(offline.errors, "");
      assert.ok(offline.frames.split("\n").filter((l) => l && !l.startsWith("#")).length > 0);
      assert.equal(offline.frames, online.frames);
    } finally {
      if (!closed) await server.close();
      await Deno.remove(out, { recursive: true });
    }
  });
}

Deno.test("hls get --dry-run prints the plan and writes nothing", async () => {
  const parent = await Deno.makeTempDir({ prefix: "hls-dry-" });
  const out = join(parent, "out");
  await using server = startServer({ root: FIXTURES });
  try {
    const url = new URL("hls-edge/master.m3u8", server.url).href;
    const text = await hlsGet(url, "-o", out, "--dry-run");
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^master\.m3u8\t.*\(rewritten\)$/m);
    assert.match(text.stdout, /^hls\/v720\/single\.mp4\t\S+\t.*0-99,100-299,300-449,450-569$/m);
    assert.match(text.stdout, /^# 18 files and 7 playlists planned; nothing written$/m);
    const json = await hlsGet(url, "-o", out, "--dry-run", "--json");
    assert.equal(json.code, 0, json.stderr);
    const plan = JSON.parse(json.stdout);
    assert.equal(plan.items.length, 18);
    assert.equal(plan.manifests.length, 7);
    assert.deepEqual(await listFiles(parent), []);
    // Only playlists were asked for.
    assert.ok(server.requests.every((r) => r.path.endsWith(".m3u8")));
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

/** Bad playlists served from memory: [what, routes, first URL, line named, message]. */
const BAD: [string, Record<string, string>, string, string, RegExp][] = [
  [
    "not an M3U8",
    { "/b/x.m3u8": "oops, not a playlist\n" },
    "/b/x.m3u8",
    "/b/x.m3u8: line 1",
    /#EXTM3U/,
  ],
  [
    "a variant without a URI line",
    { "/b/m.m3u8": "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-ENDLIST\n" },
    "/b/m.m3u8",
    "/b/m.m3u8: line 2",
    /not followed by its URI line/,
  ],
  [
    "a malformed attribute list",
    { "/b/m.m3u8": '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a,NAME=x\n' },
    "/b/m.m3u8",
    "/b/m.m3u8: line 2",
    /malformed attribute list/,
  ],
  [
    "a file: URI in a remote playlist",
    {
      "/b/p.m3u8":
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nok.ts\n#EXTINF:2,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n",
      "/b/ok.ts": "x",
    },
    "/b/p.m3u8",
    "/b/p.m3u8: line 6",
    /unsupported scheme "file:"/,
  ],
];

for (const [what, routes, first, where, message] of BAD) {
  Deno.test(`hls get refuses ${what}: exit 2, URL and line, nothing written`, async () => {
    const parent = await Deno.makeTempDir({ prefix: "hls-bad-" });
    await using server = startServer({ root: parent, routes });
    try {
      const run = await hlsGet(new URL(first.slice(1), server.url).href, "-o", join(parent, "o"));
      assert.equal(run.code, 2, run.stderr);
      const line = run.stderr.trim();
      assert.ok(line.startsWith("streamkit: error: "), line);
      assert.ok(line.includes(`${server.url}${where.slice(1)}: `), line);
      assert.match(line, message);
      assert.deepEqual(await listFiles(join(parent, "o")), []);
      assert.equal(server.count("/b/ok.ts"), 0);
    } finally {
      await Deno.remove(parent, { recursive: true });
    }
  });
}

Deno.test("a redirected master: URIs resolve against the final URL", async () => {
  const out = await Deno.makeTempDir({ prefix: "hls-redir-" });
  await using server = startServer({
    root: FIXTURES,
    faults: [{
      match: "/moved/**",
      redirect: { status: 302, location: (path) => `/hls-master${path.slice("/moved".length)}` },
    }],
  });
  try {
    const url = new URL("moved/master.m3u8", server.url).href;
    const s = summary(await hlsGet(url, "-o", out, "--json", "-q"));
    assert.equal(s.failed, 0);
    assert.equal(server.count("/moved/**"), 1);
    assert.equal(server.count("/hls-master/180p/seg_000.ts"), 1);
    await verifyMirror({
      outDir: out,
      saved: "master.m3u8",
      url: new URL("hls-master/master.m3u8", server.url).href,
      fileFor: fixtureFile(server),
    });
    assert.ok((await listFiles(out)).includes("hls/180p/seg_000.ts"));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("absolute URIs to another host:port land under _ext/ and hls/_ext/", async () => {
  const out = await Deno.makeTempDir({ prefix: "hls-ext-" });
  const root = await Deno.makeTempDir({ prefix: "hls-ext-root-" });
  await using other = startServer({ root });
  await using main = startServer({ root });
  try {
    const otherHost = `http_127.0.0.1_${other.port}`;
    await Deno.mkdir(join(root, "remote"));
    await Deno.writeTextFile(join(root, "remote", "s1.ts"), "segment one on the other server");
    await Deno.writeTextFile(join(root, "local.ts"), "segment two on the main server");
    await Deno.writeTextFile(
      join(root, "remote", "prog.m3u8"),
      `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\ns1.ts\n#EXTINF:2,\n${main.url}local.ts\n` +
        "#EXT-X-ENDLIST\n",
    );
    await Deno.writeTextFile(
      join(root, "master.m3u8"),
      `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n${other.url}remote/prog.m3u8\n`,
    );
    const url = `${main.url}master.m3u8`;
    const s = summary(await hlsGet(url, "-o", out, "--json", "-q"));
    assert.deepEqual(s.manifests, ["master.m3u8", `_ext/${otherHost}/remote/prog.m3u8`]);
    assert.deepEqual(await listFiles(out), [
      `_ext/${otherHost}/remote/prog.m3u8`,
      `_ext/${otherHost}/remote/prog.m3u8.orig`,
      "hls/_ext/" + otherHost + "/remote/s1.ts",
      "hls/local.ts",
      "master.m3u8",
      "master.m3u8.orig",
    ]);
    await verifyMirror({
      outDir: out,
      saved: "master.m3u8",
      url,
      fileFor: (u) =>
        u.host === "127.0.0.1:" + other.port || u.host === "127.0.0.1:" + main.port
          ? join(root, decodeURIComponent(u.pathname))
          : undefined,
    });
    assert.equal(other.count("/remote/s1.ts"), 1);
    assert.equal(main.count("/local.ts"), 1);
  } finally {
    await Deno.remove(out, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a local playlist with --base-url mirrors from that base; without it, exit 2", async () => {
  const out = await Deno.makeTempDir({ prefix: "hls-local-" });
  await using server = startServer({ root: FIXTURES });
  try {
    const file = join(FIXTURES, "hls-aes", "index.m3u8");
    const base = new URL("hls-aes/", server.url).href;
    const s = summary(await hlsGet(file, "--base-url", base, "-o", out, "--json", "-q"));
    assert.equal(s.done, 4);
    await verifyMirror({
      outDir: out,
      saved: "index.m3u8",
      url: `${base}index.m3u8`,
      fileFor: fixtureFile(server),
    });
    const bare = await hlsGet(file, "-o", join(out, "x"));
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /index\.m3u8: line 6: .*give --base-url/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("a segment that keeps failing: exit 1, the others complete, no partial final file", async () => {
  const out = await Deno.makeTempDir({ prefix: "hls-fail-" });
  await using server = startServer({
    root: FIXTURES,
    faults: [{ match: "/reference/hls-ts/seg_001.ts", status: 404 }],
  });
  try {
    const run = await hlsGet(
      new URL("reference/hls-ts/index.m3u8", server.url).href,
      "-o",
      out,
      "--json",
      "-q",
      "--retries",
      "0",
    );
    assert.equal(run.code, 1, run.stderr);
    const s = JSON.parse(run.stdout) as Summary;
    assert.equal(s.failed, 1);
    assert.equal(s.done, 2);
    const files = await listFiles(out);
    assert.ok(files.includes("hls/seg_000.ts") && files.includes("hls/seg_002.ts"));
    assert.ok(!files.includes("hls/seg_001.ts"));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("a media playlist that is missing or unreadable fails alone: exit 1, named by URL and line", async () => {
  const parent = await Deno.makeTempDir({ prefix: "hls-404-" });
  await using server = startServer({
    root: parent,
    routes: {
      "/m.m3u8": "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nmissing/prog.m3u8\n" +
        "#EXT-X-STREAM-INF:BANDWIDTH=2\nv/p.m3u8\n",
      "/v/p.m3u8":
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXT-X-BYTERANGE:@10\na.ts\n#EXT-X-ENDLIST\n",
    },
  });
  try {
    const run = await hlsGet(`${server.url}m.m3u8`, "-o", join(parent, "o"), "--retries", "0");
    assert.equal(run.code, 1, run.stderr);
    assert.ok(
      run.stdout.includes(
        `${server.url}missing/prog.m3u8  media playlist (${server.url}m.m3u8: line 3): HTTP 404`,
      ),
      run.stdout,
    );
    assert.ok(run.stdout.includes(`${server.url}v/p.m3u8: line 4`), run.stdout);
    assert.match(run.stdout, /with a length/);
    assert.deepEqual(await listFiles(join(parent, "o")), ["m.m3u8"], "the master is saved");
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
