/**
 * `streamkit demo` and `streamkit demo-server`, run as real subprocesses. The demo runs with
 * the permissions of `deno task demo` (read from deno.json), whose network permission is
 * 127.0.0.1 only: a request anywhere else would fail the run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO, run } from "./cli_helpers.ts";
import { SAMPLE_MASTER, SAMPLE_MPD, sampleFiles } from "../src/demo/sample.ts";
import { serveFiles } from "../src/demo/server.ts";
import { formatTree } from "../src/demo/run.ts";

const dec = new TextDecoder();

/** The `deno run` flags of the `demo` task in deno.json (between `run` and `main.ts`). */
async function demoTaskFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json")));
  const words = String(config.tasks.demo).split(/\s+/);
  assert.deepEqual(words.slice(0, 2), ["deno", "run"]);
  assert.deepEqual(words.slice(-2), ["main.ts", "demo"]);
  return words.slice(2, -2);
}

/** Runs `streamkit demo <args>` with the task's permissions, from an empty folder. */
async function runDemo(args: string[], cwd: string) {
  const flags = await demoTaskFlags();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, join(REPO, "main.ts"), "demo", ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The files of the tree the demo prints after "produced in DIR/ (…):", with sizes. */
function reportedFiles(stdout: string): { dir: string; files: Map<string, number> } {
  const lines = stdout.split("\n");
  const head = lines.findIndex((l) => l.startsWith("produced in "));
  assert.notEqual(head, -1, `no listing in:\n${stdout}`);
  const dir = /^produced in (.*)\/ \(/.exec(lines[head])![1];
  const files = new Map<string, number>();
  const folders: string[] = [];
  for (const line of lines.slice(head + 1)) {
    if (line.trim() === "") break;
    const depth = (line.length - line.trimStart().length) / 2;
    folders.length = depth - 1;
    const text = line.trim();
    if (text.endsWith("/")) folders.push(text.slice(0, -1));
    else {
      const m = /^(.*\S)\s+(\d+) B$/.exec(text);
      assert.ok(m, `bad listing line: ${line}`);
      files.set([...folders, m[1]].join("/"), Number(m[2]));
    }
  }
  return { dir, files };
}

/** Every file under `dir`, relative, `/`-separated. */
async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(dir, prefix))) {
    const p = prefix + e.name;
    if (e.isDirectory) out.push(...await filesUnder(dir, `${p}/`));
    else out.push(p);
  }
  return out.sort();
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

Deno.test("demo --dir: mirrors and dumps the embedded sample, lists exactly what it wrote", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "streamkit-demo-test-" });
  try {
    const out = join(tmp, "out");
    const r = await runDemo(["--dir", out], tmp);
    assert.equal(r.code, 0, r.stdout + r.stderr);

    // The listing names every file written, with its size, and nothing else.
    const { dir, files } = reportedFiles(r.stdout);
    assert.equal(dir, out);
    assert.deepEqual([...files.keys()].sort(), await filesUnder(out));
    for (const [path, size] of files) {
      assert.equal((await Deno.stat(join(out, path))).size, size, path);
    }

    // Only the loopback server was asked for anything, and the permissions allowed no more.
    for (const url of r.stdout.match(/https?:\/\/[^\s/]+/g) ?? []) {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    }

    const sample = sampleFiles();
    const read = (p: string) => Deno.readFile(join(out, p));
    for (const [name, bytes] of sample) {
      if (name.endsWith(".m3u8")) {
        // Saved playlists are rewritten for offline play; the original is kept beside one
        // that changed.
        const kept = files.has(`hls/${name}.orig`) ? `hls/${name}.orig` : `hls/${name}`;
        assert.deepEqual(await read(kept), bytes, kept);
      } else {
        // dash get: the MPD and segments at their paths; hls get: segments under hls/hls/.
        assert.deepEqual(await read(`dash/${name}`), bytes, `dash/${name}`);
        if (name.endsWith(".m4s")) assert.deepEqual(await read(`hls/hls/${name}`), bytes, name);
      }
    }

    // dash dump: <id>.m4s is the init segment then every media segment, in order.
    for (const id of ["0", "1", "2", "3"]) {
      const parts = [sample.get(`init-stream${id}.m4s`)!];
      for (let n = 1; sample.has(`chunk-stream${id}-0000${n}.m4s`); n++) {
        parts.push(sample.get(`chunk-stream${id}-0000${n}.m4s`)!);
      }
      assert.ok(parts.length >= 3);
      assert.deepEqual(await read(`dash/${id}.m4s`), concat(parts), `${id}.m4s`);
      assert.ok(files.get(`dash/${id}.dump`)! > 0 && files.get(`dash/${id}.hex`)! > 0);
    }
    // Its .hex is what the real hexdump prints.
    const hd = await run("hexdump", ["-C", "-v", join(out, "dash/1.m4s")]).catch(() => null);
    if (hd !== null && hd.code === 0) {
      assert.equal(dec.decode(await read("dash/1.hex")), hd.stdout);
    }

    assert.match(r.stdout, /try next:/);
    assert.match(r.stdout, /demo-server/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("demo: a temp folder is removed at the end, kept with --keep", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "streamkit-demo-test-" });
  try {
    const env = { TMPDIR: tmp };
    const plain = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...await demoTaskFlags(), join(REPO, "main.ts"), "demo"],
      cwd: tmp,
      env: { NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = dec.decode(plain.stdout);
    assert.equal(plain.code, 0, text + dec.decode(plain.stderr));
    const removed = /^removed (.*) \(a temporary folder\)/m.exec(text);
    assert.ok(removed, text);
    assert.equal(reportedFiles(text).dir, removed[1]);
    await assert.rejects(Deno.stat(removed[1]), Deno.errors.NotFound);

    const kept = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...await demoTaskFlags(), join(REPO, "main.ts"), "demo", "--keep"],
      cwd: tmp,
      env: { NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const keptText = dec.decode(kept.stdout);
    assert.equal(kept.code, 0, keptText);
    assert.doesNotMatch(keptText, /^removed /m);
    const { dir, files } = reportedFiles(keptText);
    assert.ok(dir.startsWith(tmp), dir);
    assert.deepEqual([...files.keys()].sort(), await filesUnder(dir));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("demo --dir: refuses a folder that is not empty, and leaves it alone", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "streamkit-demo-test-" });
  try {
    await Deno.writeTextFile(join(tmp, "mine.txt"), "keep me");
    const r = await runDemo(["--dir", tmp], tmp);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /is not empty/);
    assert.deepEqual(await filesUnder(tmp), ["mine.txt"]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("demo-server: serves the sample until SIGINT, then exits 0", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...await demoTaskFlags(), join(REPO, "main.ts"), "demo-server", "--port", "0"],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).values();
  let head = "";
  while (!head.includes("HLS")) {
    const next = await lines.next();
    if (next.done) break;
    head += next.value;
  }
  const base = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(head)?.[1];
  assert.ok(base, head);
  assert.ok(head.includes(`${base}${SAMPLE_MPD}`) && head.includes(`${base}${SAMPLE_MASTER}`));
  for (const name of [SAMPLE_MPD, SAMPLE_MASTER, "init-stream2.m4s"]) {
    const res: Response = await fetch(new URL(name, base));
    assert.equal(res.status, 200);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), sampleFiles().get(name));
  }
  child.kill("SIGINT");
  for await (const _ of lines) { /* drain */ }
  const status = await child.status;
  const err = await new Response(child.stderr).text();
  assert.equal(status.code, 0, err);
  assert.match(err, /stopped after 3 requests/);
});

Deno.test("serveFiles: GET, HEAD, byte ranges, 404, 416, a listing and CORS", async () => {
  const body = new TextEncoder().encode("0123456789");
  const seen: string[] = [];
  await using server = serveFiles(new Map([["a/b.m4s", body]]), {
    onRequest: (r) => seen.push(`${r.status} ${r.method} ${r.path} ${r.range}`.trim()),
  });
  const url = new URL("a/b.m4s", server.url);
  const get = async (headers: HeadersInit = {}, method = "GET") => {
    const res = await fetch(url, { headers, method });
    return { res, text: await res.text() };
  };

  let { res, text } = await get();
  assert.equal(res.status, 200);
  assert.equal(text, "0123456789");
  assert.equal(res.headers.get("content-type"), "video/iso.segment");
  assert.equal(res.headers.get("access-control-allow-origin"), "*");

  ({ res, text } = await get({ range: "bytes=2-4" }));
  assert.equal(res.status, 206);
  assert.equal(text, "234");
  assert.equal(res.headers.get("content-range"), "bytes 2-4/10");
  ({ res, text } = await get({ range: "bytes=7-" }));
  assert.equal(text, "789");
  ({ res, text } = await get({ range: "bytes=-2" }));
  assert.equal(text, "89");
  ({ res, text } = await get({ range: "bytes=8-100" }));
  assert.equal(text, "89");
  ({ res } = await get({ range: "bytes=10-" }));
  assert.equal(res.status, 416);
  assert.equal(res.headers.get("content-range"), "bytes */10");

  ({ res, text } = await get({}, "HEAD"));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-length"), "10");
  assert.equal(text, "");

  const missing = await fetch(new URL("nope.mpd", server.url));
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
  const list = await fetch(server.url);
  assert.equal(await list.text(), "a/b.m4s\n");
  const post = await fetch(url, { method: "POST", body: "x" });
  assert.equal(post.status, 405);
  await post.body?.cancel();

  assert.equal(server.requests, 10);
  assert.deepEqual(seen.slice(0, 3), [
    "200 GET /a/b.m4s",
    "206 GET /a/b.m4s bytes=2-4",
    "206 GET /a/b.m4s bytes=7-",
  ]);
});

Deno.test("formatTree: folders then their files, sizes aligned", () => {
  assert.equal(
    formatTree([
      { path: "dash/", size: 0 },
      { path: "dash/a.mpd", size: 12 },
      { path: "dash/sub/", size: 0 },
      { path: "dash/sub/long-name.m4s", size: 3456 },
      { path: "x", size: 7 },
    ]),
    "  dash/\n" +
      "    a.mpd              12 B\n" +
      "    sub/\n" +
      "      long-name.m4s  3456 B\n" +
      "  x                     7 B\n",
  );
});
