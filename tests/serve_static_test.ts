/**
 * `serve` as a static origin, field by field: Range and HEAD, the content types of every
 * streaming format, `Accept-Ranges`, validators and `If-Range`, CORS on every answer
 * (errors and preflights too), the server's clock, and that nothing outside the folder is
 * ever served — `..`, encoded traversal, the hostile names of `hostile_test.ts`, symbolic
 * links that lead out, streamkit's own `.streamkit/` folder.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { serve, type Server } from "../src/serve/server.ts";
import { bytesEqual, FIXTURES } from "./cli_helpers.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const enc = new TextEncoder();

/** Test bytes that do not repeat. */
function pattern(size: number, seed = 7): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const MEDIA = pattern(5000);

/** A temp folder inside a temp parent (which holds a secret no request may read). */
async function folder(): Promise<{ parent: string; root: string; done: () => Promise<void> }> {
  const parent = await Deno.makeTempDir({ prefix: "serve_static_" });
  const root = join(parent, "root");
  await Deno.mkdir(join(root, "v"), { recursive: true });
  await Deno.writeFile(join(root, "v", "seg-1.m4s"), MEDIA);
  await Deno.writeTextFile(join(root, "manifest.mpd"), "<MPD/>");
  await Deno.writeTextFile(join(parent, "secret.txt"), "SECRET");
  return { parent, root, done: () => Deno.remove(parent, { recursive: true }) };
}

/** One raw HTTP/1.1 request (no URL normalisation): status and body. */
async function raw(port: number, target: string): Promise<{ status: number; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    enc.encode(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`),
  );
  const text = await new Response(conn.readable).text();
  return { status: Number(text.split(" ")[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

function cors(response: Response, what: string): void {
  assert.equal(response.headers.get("access-control-allow-origin"), "*", what);
  const exposed = response.headers.get("access-control-expose-headers") ?? "";
  for (const h of ["content-range", "content-length", "accept-ranges", "date"]) {
    assert.ok(exposed.split(/,\s*/).includes(h), `${what}: ${h} not exposed`);
  }
}

Deno.test("GET, HEAD and Range: status, headers and bytes, field by field", async () => {
  const f = await folder();
  try {
    await using server = serve({ root: f.root });
    const url = new URL("v/seg-1.m4s", server.url);

    const whole = await fetch(url);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get("content-type"), "video/iso.segment");
    assert.equal(whole.headers.get("content-length"), "5000");
    assert.equal(whole.headers.get("accept-ranges"), "bytes");
    assert.equal(whole.headers.get("content-range"), null);
    const etag = whole.headers.get("etag");
    const modified = whole.headers.get("last-modified");
    assert.match(etag ?? "", /^"[0-9a-f]+-[0-9a-f]+"$/);
    assert.equal(modified, (await Deno.stat(join(f.root, "v", "seg-1.m4s"))).mtime!.toUTCString());
    cors(whole, "200");
    assert.ok(bytesEqual(await whole.bytes(), MEDIA));

    const head = await fetch(url, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "5000");
    assert.equal(head.headers.get("content-type"), "video/iso.segment");
    assert.equal(head.headers.get("etag"), etag);
    assert.equal((await head.bytes()).length, 0);

    const part = await fetch(url, { headers: { range: "bytes=100-199" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), "bytes 100-199/5000");
    assert.equal(part.headers.get("content-length"), "100");
    cors(part, "206");
    assert.ok(bytesEqual(await part.bytes(), MEDIA.slice(100, 200)));

    const tail = await fetch(url, { headers: { range: "bytes=-10" } });
    assert.equal(tail.headers.get("content-range"), "bytes 4990-4999/5000");
    assert.ok(bytesEqual(await tail.bytes(), MEDIA.slice(4990)));

    const headRange = await fetch(url, { method: "HEAD", headers: { range: "bytes=0-0" } });
    assert.equal(headRange.status, 206);
    assert.equal(headRange.headers.get("content-length"), "1");
    await headRange.body?.cancel();

    const beyond = await fetch(url, { headers: { range: "bytes=5000-" } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get("content-range"), "bytes */5000");
    cors(beyond, "416");
    await beyond.body?.cancel();

    // If-Range: the range holds with the current ETag or Last-Modified, not with another.
    for (const [validator, expected] of [[etag!, 206], [modified!, 206], ['"old"', 200]] as const) {
      const r = await fetch(url, { headers: { range: "bytes=0-9", "if-range": validator } });
      assert.equal(r.status, expected, validator);
      assert.equal((await r.bytes()).length, expected === 206 ? 10 : 5000);
    }
  } finally {
    await f.done();
  }
});

Deno.test("content types: every streaming extension", async () => {
  const types: Record<string, string> = {
    "a.mpd": "application/dash+xml",
    "a.m3u8": "application/vnd.apple.mpegurl",
    "a.m4s": "video/iso.segment",
    "a.mp4": "video/mp4",
    "a.m4v": "video/mp4",
    "a.cmfv": "video/mp4",
    "a.m4a": "audio/mp4",
    "a.cmfa": "audio/mp4",
    "a.m4t": "application/mp4",
    "a.ts": "video/mp2t",
    "a.aac": "audio/aac",
    "a.ac3": "audio/ac3",
    "a.ec3": "audio/eac3",
    "a.webm": "video/webm",
    "a.vtt": "text/vtt",
    "a.ttml": "application/ttml+xml",
    "a.key": "application/octet-stream",
    "a.json": "application/json",
    "a.unknown": "application/octet-stream",
  };
  const files = new Map(Object.keys(types).map((name) => [name, enc.encode(name)]));
  await using server = serve({ files });
  for (const [name, type] of Object.entries(types)) {
    const r = await fetch(new URL(name, server.url), { method: "HEAD" });
    assert.equal(r.headers.get("content-type"), type, name);
    await r.body?.cancel();
  }
});

Deno.test("CORS: a preflight is answered, and every error carries the headers", async () => {
  const f = await folder();
  try {
    await using server = serve({
      root: f.root,
      faults: [{ match: "/fail.m4s", status: 503, retryAfter: 2 }],
    });
    const pre = await fetch(new URL("v/seg-1.m4s", server.url), {
      method: "OPTIONS",
      headers: {
        origin: "https://player.example",
        "access-control-request-method": "GET",
        "access-control-request-headers": "range",
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), "*");
    assert.equal(pre.headers.get("access-control-allow-methods"), "GET, HEAD, OPTIONS");
    assert.equal(pre.headers.get("access-control-allow-headers"), "range");
    assert.ok(Number(pre.headers.get("access-control-max-age")) > 0);
    await pre.body?.cancel();

    for (
      const [path, method, status] of [
        ["nope.m4s", "GET", 404],
        ["fail.m4s", "GET", 503],
        ["manifest.mpd", "POST", 405],
      ] as const
    ) {
      const r = await fetch(new URL(path, server.url), { method });
      assert.equal(r.status, status, path);
      cors(r, `${status}`);
      await r.body?.cancel();
    }
    const failed = await fetch(new URL("fail.m4s", server.url));
    assert.equal(failed.headers.get("retry-after"), "2");
    await failed.body?.cancel();
  } finally {
    await f.done();
  }
});

Deno.test("the time endpoint, the Date header and an index only when asked", async () => {
  const now = Date.parse("2026-12-04T10:00:00.250Z");
  const f = await folder();
  try {
    await using plain = serve({ root: f.root, now: () => now, clockOffsetMs: -60_000 });
    const time = await fetch(new URL(".streamkit/time", plain.url));
    assert.equal(await time.text(), "2026-12-04T09:59:00.250Z");
    const head = await fetch(new URL("manifest.mpd", plain.url), { method: "HEAD" });
    assert.equal(head.headers.get("date"), "Fri, 04 Dec 2026 09:59:00 GMT");
    await head.body?.cancel();
    const root = await fetch(plain.url);
    assert.equal(root.status, 404);
    await root.body?.cancel();

    await using indexed = serve({ root: f.root, index: true });
    assert.equal(await (await fetch(indexed.url)).text(), "manifest.mpd\nv/seg-1.m4s\n");
  } finally {
    await f.done();
  }
});

Deno.test("traversal: .., encoded and hostile names never reach outside the folder", async () => {
  const f = await folder();
  try {
    await Deno.mkdir(join(f.root, "deep", "a", "b"), { recursive: true });
    await using server = serve({ root: f.root });
    // The references of hostile_test.ts, asked for raw under /deep/a/b/, and plain climbs.
    const hostile = [
      "../../../../etc/passwd",
      "/etc/shadow",
      "%2e%2e/%2e%2e/%2e%2e/up.m4s",
      "..%2f..%2f..%2fenc.m4s",
      "%2e%2e%5c%2e%2e%5cwin.m4s",
      "..\\..\\back.m4s",
      "nul%00byte.m4s",
      `${"x".repeat(400)}.m4s`,
      "CON",
      "aux.m4s",
      "trailing.dot.",
      "sub/..%2f..%2f..%2fdeeper.m4s",
      "seg.m4s?../../q=1",
    ];
    const targets = [
      ...hostile.map((h) => (h.startsWith("/") ? h : `/deep/a/b/${h}`)),
      "/../secret.txt",
      "/..%2fsecret.txt",
      "/%2e%2e/secret.txt",
      "/%2e%2e%2fsecret.txt",
      "/v/..%2f..%2fsecret.txt",
      "/v%2f..%2f..%2fsecret.txt",
      "/manifest.mpd%00.m4s",
      "/%E0%A4%A",
    ];
    for (const target of targets) {
      const r = await raw(server.port, target);
      assert.ok([400, 404].includes(r.status), `${target}: ${r.status}`);
      assert.ok(!r.body.includes("SECRET") && !r.body.includes("root:"), target);
    }
  } finally {
    await f.done();
  }
});

Deno.test("symbolic links: followed inside the folder, never out of it", async () => {
  const f = await folder();
  try {
    await Deno.symlink(join(f.root, "v", "seg-1.m4s"), join(f.root, "inside.m4s"));
    await Deno.symlink(join(f.parent, "secret.txt"), join(f.root, "out.txt"));
    await Deno.symlink(f.parent, join(f.root, "up"));
    await using server = serve({ root: f.root });
    const inside = await fetch(new URL("inside.m4s", server.url));
    assert.equal(inside.status, 200);
    assert.ok(bytesEqual(await inside.bytes(), MEDIA));
    for (const path of ["out.txt", "up/secret.txt"]) {
      const r = await fetch(new URL(path, server.url));
      assert.equal(r.status, 404, path);
      assert.ok(!(await r.text()).includes("SECRET"), path);
    }
  } finally {
    await f.done();
  }
});

Deno.test("streamkit's own .streamkit/ folder is never served as files", async () => {
  const f = await folder();
  try {
    await Deno.mkdir(join(f.root, ".streamkit", "partial"), { recursive: true });
    await Deno.writeTextFile(join(f.root, ".streamkit", "partial", "x"), "partial");
    await using server = serve({ root: f.root });
    const r = await fetch(new URL(".streamkit/partial/x", server.url));
    assert.equal(r.status, 404);
    await r.body?.cancel();
  } finally {
    await f.done();
  }
});

Deno.test("a served fixture is byte-identical to the files, HEAD and ranged reads included", async () => {
  const root = join(FIXTURES, "hls-master-fmp4");
  await using server: Server = serve({ root });
  for (
    const path of ["master.m3u8", "180p/prog.m3u8", "180p/init_0.mp4", "audio_fra/seg_002.m4s"]
  ) {
    const file = await Deno.readFile(join(root, path));
    const r = await fetch(new URL(path, server.url));
    assert.ok(bytesEqual(await r.bytes(), file), path);
    const mid = Math.floor(file.length / 2);
    const half = await fetch(new URL(path, server.url), { headers: { range: `bytes=${mid}-` } });
    assert.ok(bytesEqual(await half.bytes(), file.slice(mid)), path);
  }
});
