import assert from "node:assert/strict";
import { join } from "node:path";
import { contentTypeFor, type FaultRule, startServer, type TestServer } from "./server.ts";

// Deno 2.9 turns the sanitizers off by default; this server must not leak timers, files,
// connections or pending ops, so every test here runs with both on.
Deno.test.sanitizer({ ops: true, resources: true });

// ---------------------------------------------------------------------------------------
// Helpers

/** Deterministic, non-repeating-looking test bytes. */
function pattern(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const MEDIA = pattern(300_000);
const MPD = "<?xml version='1.0'?>\n<MPD>" + "<!-- padding -->".repeat(200) + "</MPD>\n";

/** A temp fixture directory with a few files; removed by the returned cleanup. */
async function fixture(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "server_test_" });
  await Deno.mkdir(join(root, "video", "deep"), { recursive: true });
  await Deno.writeFile(join(root, "video", "seg-1.m4s"), MEDIA);
  await Deno.writeFile(join(root, "video", "seg-2.m4s"), pattern(1000, 2));
  await Deno.writeFile(join(root, "video", "deep", "seg-3.m4s"), pattern(500, 3));
  await Deno.writeTextFile(join(root, "stream.mpd"), MPD);
  await Deno.writeFile(join(root, "empty.bin"), new Uint8Array(0));
  await Deno.writeFile(join(root, "name with space.ts"), pattern(10, 4));
  return root;
}

/** Starts a server on a fresh fixture and runs `body`, then closes and cleans up. */
async function withServer(
  options: { faults?: FaultRule[]; latencyMs?: number; routes?: Record<string, string> },
  body: (server: TestServer, root: string) => Promise<void>,
): Promise<void> {
  const root = await fixture();
  const server = startServer({ root, ...options });
  try {
    await body(server, root);
  } finally {
    await server.close();
    await Deno.remove(root, { recursive: true });
  }
}

/** Reads a response body chunk by chunk: the bytes received, and the error if any. */
async function drain(response: Response): Promise<{ bytes: Uint8Array; error: unknown }> {
  const parts: Uint8Array[] = [];
  let error: unknown = null;
  try {
    for await (const part of response.body!) parts.push(part);
  } catch (e) {
    error = e;
  }
  return { bytes: concat(parts), error };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Sends one raw HTTP/1.1 request (bypassing fetch's URL normalisation and decoding) and
 * returns the status, headers and undecoded body. The server closes the connection.
 */
async function raw(
  port: number,
  target: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Uint8Array }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const lines = [`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Connection: close"];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
  const parts: Uint8Array[] = [];
  for await (const part of conn.readable) parts.push(part);
  const all = concat(parts);
  let split = -1;
  for (let i = 0; i + 3 < all.length; i++) {
    if (all[i] === 13 && all[i + 1] === 10 && all[i + 2] === 13 && all[i + 3] === 10) {
      split = i;
      break;
    }
  }
  assert.notEqual(split, -1, "no end of headers in the raw response");
  const head = new TextDecoder().decode(all.subarray(0, split)).split("\r\n");
  const out = new Headers();
  for (const line of head.slice(1)) {
    const colon = line.indexOf(":");
    out.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { status: Number(head[0].split(" ")[1]), headers: out, body: all.subarray(split + 4) };
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const get = (server: TestServer, path: string, init?: RequestInit) =>
  fetch(new URL(path, server.url), init);

// ---------------------------------------------------------------------------------------
// Plain serving

Deno.test("GET serves the file with length, type and range support", async () => {
  await withServer({}, async (server) => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
    const response = await get(server, "video/seg-1.m4s");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-length"), String(MEDIA.length));
    assert.equal(response.headers.get("content-type"), "video/iso.segment");
    assert.equal(response.headers.get("accept-ranges"), "bytes");
    assert.equal(response.headers.get("content-encoding"), null);
    assert.deepEqual(await response.bytes(), MEDIA);

    const mpd = await get(server, "stream.mpd");
    assert.equal(mpd.headers.get("content-type"), "application/dash+xml");
    assert.equal(await mpd.text(), MPD);

    const spaced = await get(server, "name%20with%20space.ts");
    assert.equal(spaced.headers.get("content-type"), "video/mp2t");
    assert.deepEqual(await spaced.bytes(), pattern(10, 4));

    const empty = await get(server, "empty.bin");
    assert.equal(empty.headers.get("content-length"), "0");
    assert.equal((await empty.bytes()).length, 0);
  });
});

Deno.test("HEAD answers the headers of GET without a body", async () => {
  await withServer({}, async (server) => {
    const response = await get(server, "video/seg-1.m4s", { method: "HEAD" });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-length"), String(MEDIA.length));
    assert.equal(response.headers.get("content-type"), "video/iso.segment");
    assert.equal((await response.bytes()).length, 0);

    const ranged = await get(server, "video/seg-1.m4s", {
      method: "HEAD",
      headers: { range: "bytes=10-19" },
    });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get("content-range"), `bytes 10-19/${MEDIA.length}`);
    assert.equal(ranged.headers.get("content-length"), "10");
    await ranged.body?.cancel();
    assert.equal(server.count("/video/seg-1.m4s", "HEAD"), 2);
  });
});

Deno.test("Range: exact slices, suffixes, open ends, clamping, 416, and ignored forms", async () => {
  await withServer({}, async (server) => {
    const size = MEDIA.length;
    const cases: [string, number, number][] = [
      ["bytes=0-0", 0, 0],
      ["bytes=100-199", 100, 199],
      ["bytes=65530-200000", 65530, 200000],
      ["bytes=299990-", 299990, size - 1],
      ["bytes=-10", size - 10, size - 1],
      ["bytes=-999999", 0, size - 1],
      ["bytes=299000-999999", 299000, size - 1],
      ["bytes = 5 - 9", 5, 9],
    ];
    for (const [range, start, end] of cases) {
      const response = await get(server, "video/seg-1.m4s", { headers: { range } });
      assert.equal(response.status, 206, range);
      assert.equal(response.headers.get("content-range"), `bytes ${start}-${end}/${size}`, range);
      assert.equal(response.headers.get("content-length"), String(end - start + 1), range);
      assert.deepEqual(await response.bytes(), MEDIA.slice(start, end + 1), range);
    }
    for (const range of [`bytes=${size}-`, `bytes=${size}-${size + 10}`, "bytes=-0"]) {
      const response = await get(server, "video/seg-1.m4s", { headers: { range } });
      assert.equal(response.status, 416, range);
      assert.equal(response.headers.get("content-range"), `bytes */${size}`, range);
      await response.body?.cancel();
    }
    const emptyFile = await get(server, "empty.bin", { headers: { range: "bytes=0-" } });
    assert.equal(emptyFile.status, 416);
    assert.equal(emptyFile.headers.get("content-range"), "bytes */0");
    await emptyFile.body?.cancel();
    for (const range of ["bytes=0-1,5-6", "bytes=9-3", "items=0-5", "bytes=abc", "bytes=-"]) {
      const response = await get(server, "video/seg-1.m4s", { headers: { range } });
      assert.equal(response.status, 200, range);
      assert.equal(response.headers.get("content-range"), null, range);
      assert.deepEqual(await response.bytes(), MEDIA, range);
    }
  });
});

Deno.test("missing files, directories, other methods and unsafe paths are refused", async () => {
  await withServer({}, async (server, root) => {
    // A file just outside root, which no request may reach.
    const outside = join(root, "..", `outside-${server.port}.txt`);
    await Deno.writeTextFile(outside, "secret");
    try {
      for (const path of ["nope.m4s", "video/", "video", ""]) {
        const response = await get(server, path);
        assert.equal(response.status, 404, path);
        await response.body?.cancel();
      }
      const post = await get(server, "stream.mpd", { method: "POST", body: "x" });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get("allow"), "GET, HEAD, OPTIONS");
      await post.body?.cancel();

      const name = `outside-${server.port}.txt`;
      for (
        const target of [
          `/../${name}`,
          `/video/../../${name}`,
          `/..%2f${name}`,
          `/%2e%2e%2f${name}`,
          `/video/..%2F..%2F${name}`,
          `/video%2f..%2f..%2f${name}`,
          `/stream.mpd%00.m4s`,
          `/%E0%A4%A`,
        ]
      ) {
        const response = await raw(server.port, target);
        assert.notEqual(response.status, 200, target);
        assert.ok([400, 404].includes(response.status), `${target}: ${response.status}`);
        assert.ok(!new TextDecoder().decode(response.body).includes("secret"), target);
      }
    } finally {
      await Deno.remove(outside);
    }
  });
});

Deno.test("content types follow the extension", () => {
  const expected: Record<string, string> = {
    "a.mpd": "application/dash+xml",
    "a.m3u8": "application/vnd.apple.mpegurl",
    "a.M4S": "video/iso.segment",
    "a.cmfv": "video/mp4",
    "a.cmfa": "audio/mp4",
    "a.m3u": "application/vnd.apple.mpegurl",
    "a.ttml": "application/ttml+xml",
    "a.webvtt": "text/vtt",
    "a.mp3": "audio/mpeg",
    "a.ec3": "audio/eac3",
    "a.mp4": "video/mp4",
    "a.ts": "video/mp2t",
    "a.key": "application/octet-stream",
    "a.webm": "video/webm",
    "a.vtt": "text/vtt",
    "a.m4a": "audio/mp4",
    "a.aac": "audio/aac",
    "noext": "application/octet-stream",
  };
  for (const [name, type] of Object.entries(expected)) assert.equal(contentTypeFor(name), type);
});

Deno.test("the query string is ignored for lookup and recorded with everything else", async () => {
  const seen: string[] = [];
  const root = await fixture();
  const server = startServer({ root, onRequest: (r) => seen.push(`${r.status} ${r.path}`) });
  try {
    const response = await get(server, "video/seg-2.m4s?token=abc&x=1", {
      headers: { range: "bytes=0-9", "x-test": "yes" },
    });
    assert.equal(response.status, 206);
    assert.deepEqual(await response.bytes(), pattern(1000, 2).slice(0, 10));
    await (await get(server, "name%20with%20space.ts")).bytes();
    await (await get(server, "missing")).body?.cancel();

    const [first, second, third] = server.requests;
    assert.equal(server.requests.length, 3);
    assert.equal(first.method, "GET");
    assert.equal(first.path, "/video/seg-2.m4s");
    assert.equal(first.query, "token=abc&x=1");
    assert.equal(first.range, "bytes=0-9");
    assert.equal(first.status, 206);
    assert.equal(first.headers["x-test"], "yes");
    assert.equal(first.headers["host"], `127.0.0.1:${server.port}`);
    assert.deepEqual(first.faults, []);
    assert.equal(second.path, "/name with space.ts");
    assert.equal(second.query, "");
    assert.equal(second.range, null);
    assert.equal(third.status, 404);
    assert.deepEqual(seen, ["206 /video/seg-2.m4s", "200 /name with space.ts", "404 /missing"]);

    assert.equal(server.count(), 3);
    assert.equal(server.count("/video/seg-2.m4s"), 1);
    assert.equal(server.count("*.m4s"), 1);
    assert.equal(server.count(/\.ts$/), 1);
    assert.equal(server.count((p) => p.startsWith("/missing")), 1);
    assert.equal(server.count(undefined, "HEAD"), 0);
    assert.deepEqual(server.countByPath(), {
      "/video/seg-2.m4s": 1,
      "/name with space.ts": 1,
      "/missing": 1,
    });
    server.resetLog();
    assert.equal(server.count(), 0);
    assert.deepEqual(server.requests, []);
  } finally {
    await server.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("record: false keeps no log but still reports each request", async () => {
  const root = await fixture();
  const seen: number[] = [];
  const server = startServer({ root, record: false, onRequest: (r) => seen.push(r.status) });
  try {
    await (await get(server, "stream.mpd")).bytes();
    await (await get(server, "missing")).body?.cancel();
    assert.deepEqual(seen, [200, 404]);
    assert.equal(server.count(), 0);
    assert.deepEqual(server.requests, []);
  } finally {
    await server.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("in-memory routes are served like files, before files, and can change", async () => {
  await withServer(
    { routes: { "/live.mpd": "<MPD/>", "stream.mpd": "shadow" } },
    async (server) => {
      const live = await get(server, "live.mpd");
      assert.equal(live.headers.get("content-type"), "application/dash+xml");
      assert.equal(live.headers.get("content-length"), "6");
      assert.equal(await live.text(), "<MPD/>");
      assert.equal(await (await get(server, "stream.mpd")).text(), "shadow");

      const bytes = pattern(5000, 9);
      server.setRoute("gen/a.m4s", bytes);
      const slice = await get(server, "gen/a.m4s?q=1", { headers: { range: "bytes=4000-" } });
      assert.equal(slice.status, 206);
      assert.deepEqual(await slice.bytes(), bytes.slice(4000));

      server.setRoute("/stream.mpd", undefined);
      assert.equal(await (await get(server, "stream.mpd")).text(), MPD);
    },
  );
});

Deno.test("files changed on disk between requests are served as they are now", async () => {
  await withServer({}, async (server, root) => {
    const first = await get(server, "video/seg-2.m4s");
    assert.equal(first.headers.get("content-length"), "1000");
    await first.bytes();
    const changed = pattern(1234, 77);
    await Deno.writeFile(join(root, "video", "seg-2.m4s"), changed);
    const second = await get(server, "video/seg-2.m4s");
    assert.equal(second.headers.get("content-length"), "1234");
    assert.deepEqual(await second.bytes(), changed);
    await Deno.remove(join(root, "video", "seg-2.m4s"));
    const gone = await get(server, "video/seg-2.m4s");
    assert.equal(gone.status, 404);
    await gone.body?.cancel();
  });
});

// ---------------------------------------------------------------------------------------
// Fault selection

Deno.test("globs, RegExps and predicates select paths", async () => {
  const hits = async (match: FaultRule["match"]) => {
    const result: string[] = [];
    await withServer({ faults: [{ match, status: 418 }] }, async (server) => {
      for (const path of ["stream.mpd", "video/seg-1.m4s", "video/deep/seg-3.m4s"]) {
        const response = await get(server, path, { method: "HEAD" });
        await response.body?.cancel();
        if (response.status === 418) result.push(path);
      }
    });
    return result;
  };
  assert.deepEqual(await hits("*.m4s"), ["video/seg-1.m4s", "video/deep/seg-3.m4s"]);
  assert.deepEqual(await hits("seg-?.m4s"), ["video/seg-1.m4s", "video/deep/seg-3.m4s"]);
  assert.deepEqual(await hits("/video/*"), ["video/seg-1.m4s"]);
  assert.deepEqual(await hits("video/*"), ["video/seg-1.m4s"]);
  assert.deepEqual(await hits("/video/**"), ["video/seg-1.m4s", "video/deep/seg-3.m4s"]);
  assert.deepEqual(await hits("/video/**/seg-3.m4s"), ["video/deep/seg-3.m4s"]);
  assert.deepEqual(await hits("/stream.mpd"), ["stream.mpd"]);
  assert.deepEqual(await hits("stream.mpd"), ["stream.mpd"]);
  assert.deepEqual(await hits("/*.mpd"), ["stream.mpd"]);
  assert.deepEqual(await hits("/*.m4s"), []);
  assert.deepEqual(await hits(/deep/), ["video/deep/seg-3.m4s"]);
  assert.deepEqual(await hits(/x/g), []);
  assert.deepEqual(await hits((p) => p.length < 12), ["stream.mpd"]);
});

Deno.test("hit selectors: all, first N, every Nth, once per path, first N per path", async () => {
  const statuses = async (rule: FaultRule, paths: string[]) => {
    const out: number[] = [];
    await withServer({ faults: [rule] }, async (server) => {
      for (const path of paths) {
        const response = await get(server, path);
        await response.body?.cancel();
        out.push(response.status);
      }
    });
    return out;
  };
  const same = Array(7).fill("video/seg-2.m4s");
  assert.deepEqual(
    await statuses({ match: "*.m4s", status: 500 }, same),
    [500, 500, 500, 500, 500, 500, 500],
  );
  assert.deepEqual(
    await statuses({ match: "*.m4s", hit: { first: 2 }, status: 500 }, same),
    [500, 500, 200, 200, 200, 200, 200],
  );
  assert.deepEqual(
    await statuses({ match: "*.m4s", hit: { every: 3 }, status: 500 }, same),
    [200, 200, 500, 200, 200, 500, 200],
  );
  // Requests the rule does not match do not count towards "every".
  assert.deepEqual(
    await statuses({ match: "*.m4s", hit: { every: 2 }, status: 500 }, [
      "video/seg-1.m4s",
      "stream.mpd",
      "video/seg-2.m4s",
      "stream.mpd",
      "video/seg-1.m4s",
      "video/seg-2.m4s",
    ]),
    [200, 200, 500, 200, 200, 500],
  );
  const mixed = ["video/seg-1.m4s", "video/seg-2.m4s", "video/seg-1.m4s", "video/seg-2.m4s"];
  assert.deepEqual(
    await statuses({ match: "*.m4s", hit: "oncePerPath", status: 503 }, mixed),
    [503, 503, 200, 200],
  );
  assert.deepEqual(
    await statuses({ match: "*.m4s", hit: { firstPerPath: 2 }, status: 503 }, [
      ...mixed,
      ...mixed,
    ]),
    [503, 503, 503, 503, 200, 200, 200, 200],
  );
});

Deno.test("rules filter by method, combine, and the earlier rule wins a field", async () => {
  await withServer({
    faults: [
      { match: "*.m4s", method: "HEAD", status: 403 },
      { match: "/video/seg-1.m4s", status: 500, retryAfter: 7 },
      { match: "*.m4s", status: 404, retryAfter: 1 },
    ],
  }, async (server) => {
    const head = await get(server, "video/seg-2.m4s", { method: "HEAD" });
    assert.equal(head.status, 403);
    assert.equal(head.headers.get("retry-after"), "1");
    const seg1 = await get(server, "video/seg-1.m4s");
    assert.equal(seg1.status, 500);
    assert.equal(seg1.headers.get("retry-after"), "7");
    await seg1.body?.cancel();
    const seg2 = await get(server, "video/seg-2.m4s");
    assert.equal(seg2.status, 404);
    await seg2.body?.cancel();
    const mpd = await get(server, "stream.mpd");
    assert.equal(mpd.status, 200);
    await mpd.body?.cancel();
  });
});

Deno.test("faults can be replaced and cleared at run time, counting anew", async () => {
  await withServer({ faults: [{ match: "*.mpd", hit: { first: 1 }, status: 500 }] }, async (s) => {
    const status = async () => {
      const response = await get(s, "stream.mpd");
      await response.body?.cancel();
      return response.status;
    };
    assert.deepEqual([await status(), await status()], [500, 200]);
    s.setFaults([{ match: "*.mpd", hit: { first: 1 }, status: 503 }]);
    assert.deepEqual([await status(), await status()], [503, 200]);
    s.setFaults([{ match: "*.mpd", status: 429, retryAfter: 2 }]);
    assert.equal(await status(), 429);
    s.clearFaults();
    assert.equal(await status(), 200);
    assert.deepEqual(s.requests.map((r) => r.status), [500, 200, 503, 200, 429, 200]);
    assert.deepEqual(s.requests.map((r) => r.faults.join()), [
      "status",
      "",
      "status",
      "",
      "status",
      "",
    ]);
  });
});

// ---------------------------------------------------------------------------------------
// Fault modes

Deno.test("status faults answer with the status, a body and Retry-After when asked", async () => {
  await withServer({}, async (server) => {
    for (const [status, retryAfter] of [[500], [503, 5], [503], [429, 3], [404], [403], [408]]) {
      server.setFaults([{ match: "*.m4s", status, retryAfter }]);
      const response = await get(server, "video/seg-1.m4s");
      assert.equal(response.status, status);
      assert.equal(
        response.headers.get("retry-after"),
        retryAfter === undefined ? null : String(retryAfter),
      );
      assert.match(await response.text(), new RegExp(`^${status} `));
      const head = await get(server, "video/seg-1.m4s", { method: "HEAD" });
      assert.equal(head.status, status);
      await head.body?.cancel();
    }
  });
});

Deno.test("latency delays the answer; the server-wide default is replaced per rule", async () => {
  await withServer({
    latencyMs: 60_000,
    faults: [{ match: "*.mpd", latencyMs: 0 }, { match: "seg-2.m4s", latencyMs: 20 }],
  }, async (server) => {
    // Far longer than the timeout: the response cannot arrive in time.
    await assert.rejects(
      get(server, "video/seg-1.m4s", { signal: AbortSignal.timeout(200) }),
      (e: Error) => e.name === "TimeoutError",
    );
    assert.equal(await (await get(server, "stream.mpd")).text(), MPD);
    assert.deepEqual(await (await get(server, "video/seg-2.m4s")).bytes(), pattern(1000, 2));
    const byPath = Object.fromEntries(server.requests.map((r) => [r.path, r.faults]));
    assert.deepEqual(byPath["/video/seg-2.m4s"], ["latency"]);
  });
});

Deno.test("resetAfterBytes: exactly n bytes arrive, then reading the body fails", async () => {
  await withServer({}, async (server) => {
    for (const n of [0, 1, 4096, 65536 + 17, MEDIA.length - 1]) {
      server.setFaults([{ match: "*.m4s", resetAfterBytes: n }]);
      const response = await get(server, "video/seg-1.m4s");
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-length"), String(MEDIA.length));
      const { bytes, error } = await drain(response);
      assert.ok(error instanceof TypeError, `n=${n}: ${error}`);
      assert.deepEqual(bytes, MEDIA.slice(0, n));
    }
    // Also without a Content-Length: the client must still see an error, not a clean end.
    server.setFaults([{ match: "*.m4s", resetAfterBytes: 1000, chunked: true }]);
    const chunked = await drain(await get(server, "video/seg-1.m4s"));
    assert.ok(chunked.error instanceof TypeError);
    assert.deepEqual(chunked.bytes, MEDIA.slice(0, 1000));
    // And on a range.
    server.setFaults([{ match: "*.m4s", resetAfterBytes: 10 }]);
    const ranged = await get(server, "video/seg-1.m4s", { headers: { range: "bytes=100-" } });
    assert.equal(ranged.status, 206);
    const partial = await drain(ranged);
    assert.ok(partial.error instanceof TypeError);
    assert.deepEqual(partial.bytes, MEDIA.slice(100, 110));
    assert.deepEqual(server.requests.at(-1)?.faults, ["reset"]);
  });
});

Deno.test("resetAfterFraction: half the body (of a range too), then the connection breaks", async () => {
  await withServer({ faults: [{ match: "*.m4s", resetAfterFraction: 0.5 }] }, async (server) => {
    const whole = await drain(await get(server, "video/seg-2.m4s"));
    assert.ok(whole.error instanceof TypeError);
    assert.deepEqual(whole.bytes, pattern(1000, 2).slice(0, 500));
    const ranged = await drain(
      await get(server, "video/seg-2.m4s", { headers: { range: "bytes=100-299" } }),
    );
    assert.ok(ranged.error instanceof TypeError);
    assert.deepEqual(ranged.bytes, pattern(1000, 2).slice(100, 200));
    assert.deepEqual(server.requests.map((r) => [r.faults, r.bytes]), [
      [["reset"], 500],
      [["reset"], 100],
    ]);
  });
});

Deno.test("throttleKbps: the body still arrives whole, and the fault is recorded", async () => {
  const root = await fixture();
  // 40 kbit/s: 5000 bytes a second, sent in pieces of 250.
  const server = startServer({ root, faults: [{ match: "*.m4s", throttleKbps: 40 }] });
  try {
    const response = await get(server, "video/seg-2.m4s");
    const parts: Uint8Array[] = [];
    for await (const part of response.body!) parts.push(part);
    assert.ok(parts.length > 1, `${parts.length} pieces`);
    assert.deepEqual(concat(parts), pattern(1000, 2));
    const [record] = server.requests;
    assert.deepEqual(record.faults, ["throttle"]);
    assert.equal(record.bytes, 1000);
  } finally {
    await server.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("shortBody: the full Content-Length is declared, fewer bytes come, fetch fails", async () => {
  await withServer({}, async (server) => {
    for (const n of [0, 123, 200_000]) {
      server.setFaults([{ match: "*.m4s", shortBody: n }]);
      const response = await get(server, "video/seg-1.m4s");
      assert.equal(response.headers.get("content-length"), String(MEDIA.length));
      const { bytes, error } = await drain(response);
      assert.ok(error instanceof TypeError, `n=${n}: ${error}`);
      assert.deepEqual(bytes, MEDIA.slice(0, n));
    }
    // A short body longer than the file changes nothing.
    server.setFaults([{ match: "*.m4s", shortBody: 10_000 }]);
    const whole = await drain(await get(server, "video/seg-2.m4s"));
    assert.equal(whole.error, null);
    assert.deepEqual(whole.bytes, pattern(1000, 2));
  });
});

Deno.test("chunked: no Content-Length, the whole body arrives", async () => {
  await withServer({ faults: [{ match: "*.m4s", chunked: true }] }, async (server) => {
    const response = await get(server, "video/seg-1.m4s");
    assert.equal(response.headers.get("content-length"), null);
    assert.equal(response.headers.get("transfer-encoding"), "chunked");
    assert.deepEqual(await response.bytes(), MEDIA);
    const head = await get(server, "video/seg-1.m4s", { method: "HEAD" });
    assert.equal(head.headers.get("content-length"), null);
    await head.body?.cancel();
    const ranged = await get(server, "video/seg-1.m4s", { headers: { range: "bytes=5-9" } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get("content-length"), null);
    assert.deepEqual(await ranged.bytes(), MEDIA.slice(5, 10));
  });
});

Deno.test("gzip: Content-Length is the compressed size and fetch decodes the original", async () => {
  await withServer({ faults: [{ match: "*.mpd", gzip: true }] }, async (server) => {
    const response = await get(server, "stream.mpd");
    assert.equal(response.headers.get("content-encoding"), "gzip");
    const declared = Number(response.headers.get("content-length"));
    assert.ok(declared > 0 && declared < MPD.length, `compressed length ${declared}`);
    assert.equal(await response.text(), MPD);

    // On the wire: exactly `declared` bytes of valid gzip that inflate to the file.
    const wire = await raw(server.port, "/stream.mpd", { "accept-encoding": "gzip" });
    assert.equal(wire.headers.get("content-length"), String(declared));
    assert.equal(wire.body.length, declared);
    assert.equal(new TextDecoder().decode(await gunzip(new Uint8Array(wire.body))), MPD);

    const head = await get(server, "stream.mpd", { method: "HEAD" });
    assert.equal(head.headers.get("content-length"), String(declared));
    await head.body?.cancel();

    // Incompressible media, a range, and gzip without a length.
    server.setFaults([{ match: "*.m4s", gzip: true }]);
    const media = await get(server, "video/seg-1.m4s");
    assert.ok(Number(media.headers.get("content-length")) > MEDIA.length);
    assert.deepEqual(await media.bytes(), MEDIA);
    // A Range request makes fetch ask for `identity` and leave the body encoded; the
    // server (misbehaving on purpose) compresses the selected bytes anyway.
    const ranged = await get(server, "video/seg-1.m4s", { headers: { range: "bytes=1000-1999" } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get("content-encoding"), "gzip");
    assert.equal(ranged.headers.get("content-range"), `bytes 1000-1999/${MEDIA.length}`);
    assert.deepEqual(await gunzip(await ranged.bytes()), MEDIA.slice(1000, 2000));
    server.setFaults([{ match: "*.m4s", gzip: true, chunked: true }]);
    const chunked = await get(server, "video/seg-1.m4s");
    assert.equal(chunked.headers.get("content-length"), null);
    assert.equal(chunked.headers.get("content-encoding"), "gzip");
    assert.deepEqual(await chunked.bytes(), MEDIA);
  });
});

Deno.test("gzip with a reset: the client fails to read the body", async () => {
  await withServer({
    faults: [{ match: "*.m4s", gzip: true, resetAfterBytes: 2000 }],
  }, async (server) => {
    const { error } = await drain(await get(server, "video/seg-1.m4s"));
    assert.ok(error instanceof TypeError);
  });
});

Deno.test("redirects: every status, relative and absolute, a folder to another origin", async () => {
  const otherRoot = await Deno.makeTempDir({ prefix: "server_test_other_" });
  await Deno.mkdir(join(otherRoot, "video"));
  const elsewhere = pattern(777, 42);
  await Deno.writeFile(join(otherRoot, "video", "seg-1.m4s"), elsewhere);
  const other = startServer({ root: otherRoot });
  try {
    await withServer({}, async (server) => {
      assert.notEqual(server.port, other.port);
      for (const status of [301, 302, 303, 307, 308] as const) {
        server.setFaults([{ match: "/old.mpd", redirect: { status, location: "stream.mpd" } }]);
        const manual = await get(server, "old.mpd", { redirect: "manual" });
        assert.equal(manual.status, status);
        assert.equal(manual.headers.get("location"), "stream.mpd");
        await manual.body?.cancel();
        const followed = await get(server, "old.mpd");
        assert.equal(followed.status, 200);
        assert.equal(followed.url, new URL("stream.mpd", server.url).href);
        assert.equal(await followed.text(), MPD);
      }
      server.setFaults([{
        match: "/video/**",
        hit: "oncePerPath",
        redirect: {
          status: 302,
          location: (path, url) => new URL(path.slice(1) + url.search, other.url).href,
        },
      }]);
      const moved = await get(server, "video/seg-1.m4s?k=v");
      assert.equal(moved.url, new URL("video/seg-1.m4s?k=v", other.url).href);
      assert.deepEqual(await moved.bytes(), elsewhere);
      assert.equal(other.requests[0].query, "k=v");
      assert.deepEqual(server.requests.at(-1)?.faults, ["redirect"]);
      // Once per path: the second request is served here.
      assert.deepEqual(await (await get(server, "video/seg-1.m4s")).bytes(), MEDIA);
    });
  } finally {
    await other.close();
    await Deno.remove(otherRoot, { recursive: true });
  }
});

Deno.test("stall: headers come, then nothing, and a client timeout fires", async () => {
  await withServer({
    faults: [{ match: "*.m4s", stallMs: 60_000, stallAfterBytes: 1000 }],
  }, async (server) => {
    const response = await get(server, "video/seg-1.m4s", { signal: AbortSignal.timeout(300) });
    assert.equal(response.status, 200);
    const { bytes, error } = await drain(response);
    assert.ok(error instanceof DOMException && error.name === "TimeoutError", String(error));
    assert.deepEqual(bytes, MEDIA.slice(0, 1000));

    server.setFaults([{ match: "*.m4s", stallMs: 60_000 }]);
    const nothing = await get(server, "video/seg-2.m4s", { signal: AbortSignal.timeout(200) });
    const empty = await drain(nothing);
    assert.ok(empty.error instanceof DOMException && empty.error.name === "TimeoutError");
    assert.equal(empty.bytes.length, 0);

    // A short stall ends and the rest of the body follows.
    server.setFaults([{ match: "*.m4s", stallMs: 30, stallAfterBytes: 100_000 }]);
    assert.deepEqual(await (await get(server, "video/seg-1.m4s")).bytes(), MEDIA);
    assert.deepEqual(server.requests.at(-1)?.faults, ["stall"]);
  });
});

Deno.test("ignoreRange: 200 with the whole body even when a range was asked", async () => {
  await withServer({ faults: [{ match: "*.m4s", ignoreRange: true }] }, async (server) => {
    const response = await get(server, "video/seg-1.m4s", { headers: { range: "bytes=10-" } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-range"), null);
    assert.equal(response.headers.get("accept-ranges"), null);
    assert.equal(response.headers.get("content-length"), String(MEDIA.length));
    assert.deepEqual(await response.bytes(), MEDIA);
    const ok = await get(server, "stream.mpd", { headers: { range: "bytes=0-4" } });
    assert.equal(ok.status, 206);
    assert.equal(await ok.text(), MPD.slice(0, 5));
  });
});

// ---------------------------------------------------------------------------------------
// Lifecycle

/** Resolves to "timer" after ms unless `promise` settles first; clears its timer. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | "timer"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"timer">((resolve) => timer = setTimeout(() => resolve("timer"), ms));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("close() returns promptly with stalled, delayed and unread responses in flight", async () => {
  const root = await fixture();
  const big = pattern(8 * 1024 * 1024, 5);
  await Deno.writeFile(join(root, "big.mp4"), big);
  const server = startServer({
    root,
    faults: [
      { match: "seg-1.m4s", stallMs: 600_000, stallAfterBytes: 10 },
      { match: "*.mpd", latencyMs: 600_000 },
    ],
  });
  try {
    const stalled = await get(server, "video/seg-1.m4s");
    const reader = stalled.body!.getReader();
    assert.equal((await reader.read()).value?.length, 10);
    const pendingRead = reader.read();
    const delayed = get(server, "stream.mpd").then((r) => r.text());
    // Both fail while close() runs, before the assertions below await them: handle them now
    // so the rejections are not reported as unhandled in between.
    pendingRead.catch(() => {});
    delayed.catch(() => {});
    // A big body the client does not read: the server is held back by backpressure.
    const unread = await get(server, "big.mp4");
    assert.equal(unread.status, 200);
    while (server.count("/stream.mpd") === 0) await new Promise((r) => setTimeout(r, 5));

    // Generous bound: without aborting in-flight responses close() would take 10 minutes.
    assert.equal(await within(server.close(), 10_000), undefined);
    await assert.rejects(pendingRead, TypeError);
    await assert.rejects(delayed);
    await assert.rejects(unread.bytes());
    await server.close(); // twice is fine
    await assert.rejects(get(server, "stream.mpd"), TypeError);
  } finally {
    await server.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("several servers run side by side and `await using` closes them", async () => {
  const root = await fixture();
  try {
    const ports = new Set<number>();
    {
      await using a = startServer({ root });
      await using b = startServer({ root });
      await using c = startServer({ root, faults: [{ match: "*", status: 503 }] });
      for (const s of [a, b, c]) ports.add(s.port);
      assert.equal(ports.size, 3);
      const bodies = await Promise.all(
        [a, b].map(async (s) => (await get(s, "stream.mpd")).text()),
      );
      assert.deepEqual(bodies, [MPD, MPD]);
      const failing = await get(c, "stream.mpd");
      assert.equal(failing.status, 503);
      await failing.body?.cancel();
      assert.deepEqual([a.count(), b.count(), c.count()], [1, 1, 1]);
    }
    for (const port of ports) {
      await assert.rejects(fetch(`http://127.0.0.1:${port}/stream.mpd`), TypeError);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("many concurrent requests with intermittent faults are all logged", async () => {
  await withServer({
    faults: [
      { match: "*.m4s", hit: { every: 7 }, status: 503, retryAfter: 0 },
      { match: "*.m4s", hit: { every: 11 }, resetAfterBytes: 100 },
    ],
  }, async (server) => {
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const response = await get(server, `video/seg-2.m4s?i=${i}`);
        const { bytes, error } = await drain(response);
        return { status: response.status, ok: error === null && bytes.length === 1000 };
      }),
    );
    assert.equal(server.count("*.m4s"), 200);
    assert.equal(results.filter((r) => r.status === 503).length, Math.floor(200 / 7));
    // Every 77th request is both: the earlier rule (503) wins.
    const resets = Math.floor(200 / 11) - Math.floor(200 / 77);
    assert.equal(results.filter((r) => r.status === 200 && !r.ok).length, resets);
    assert.equal(results.filter((r) => r.ok).length, 200 - Math.floor(200 / 7) - resets);
  });
});

// ---------------------------------------------------------------------------------------
// As a program

Deno.test("runs as a program: prints the URL first, serves, logs requests with --log", async () => {
  const root = await fixture();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      `--allow-read=${root}`,
      new URL("./server.ts", import.meta.url).pathname,
      "--root",
      root,
      "--latency=1",
      "--log",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).values();
    let first = "";
    while (!first.includes("\n")) {
      const next = await lines.next();
      assert.ok(!next.done, "the server ended before printing its URL");
      first += next.value;
    }
    const url = first.split("\n")[0];
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const response = await fetch(new URL("video/seg-1.m4s", url), {
      headers: { range: "bytes=0-99" },
    });
    assert.equal(response.status, 206);
    assert.deepEqual(await response.bytes(), MEDIA.slice(0, 100));
    await lines.return?.();
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    const stderr = new TextDecoder().decode(
      new Uint8Array(await new Response(child.stderr).arrayBuffer()),
    );
    assert.match(stderr, /206 GET \/video\/seg-1\.m4s bytes=0-99/);
    assert.equal(status.success, false);
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("as a program: bad usage exits 2", async () => {
  for (const args of [[], ["--root"], ["--port", "x", "--root", "."], ["--nope"]]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-read",
        new URL("./server.ts", import.meta.url).pathname,
        ...args,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 2, args.join(" "));
    assert.match(new TextDecoder().decode(out.stderr), /usage:/);
  }
});

Deno.test("startServer refuses a root that is not a directory", async () => {
  const root = await fixture();
  try {
    assert.throws(() => startServer({ root: join(root, "stream.mpd") }), /not a directory/);
    assert.throws(() => startServer({ root: join(root, "absent") }), Deno.errors.NotFound);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
