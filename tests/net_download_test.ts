/**
 * The downloader against every fault the test server can inject: each ends either in a
 * byte-identical file or in a reported failure — never in a wrong file under its final name.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { downloadItem, type DownloadOutcome } from "../src/net/download.ts";
import { DEFAULT_HTTP, type HttpOptions } from "../src/net/http.ts";
import { type FaultRule, startServer } from "./server.ts";
import { bytesEqual, FIXTURES } from "./cli_helpers.ts";

const ROOT = join(FIXTURES, "reference", "dash-avc-aac");
const NAME = "chunk-stream0-00001.m4s";
const HTTP: HttpOptions = { ...DEFAULT_HTTP, retries: 3, retryDelayMs: 5, timeoutMs: 2000 };

async function fetchOne(
  faults: FaultRule[],
  options: { http?: Partial<HttpOptions>; part?: number; url?: (base: string) => string } = {},
): Promise<
  {
    outcome: DownloadOutcome;
    file?: Uint8Array;
    requests: { range: string | null; status: number }[];
  }
> {
  await using server = startServer({ root: ROOT, faults });
  const out = await Deno.makeTempDir();
  try {
    const expected = await Deno.readFile(join(ROOT, NAME));
    if (options.part !== undefined) {
      await Deno.writeFile(join(out, "x.m4s.part"), expected.subarray(0, options.part));
    }
    const url = options.url ? options.url(server.url) : `${server.url}${NAME}`;
    const outcome = await downloadItem({ url, path: "x.m4s", kind: "media" }, {
      outDir: out,
      http: { ...HTTP, ...options.http },
      verify: false,
    });
    const file = await Deno.readFile(join(out, "x.m4s")).catch(() => undefined);
    if (file) {
      assert.ok(bytesEqual(file, expected), `a file under its final name is whole and right`);
    }
    return {
      outcome,
      file,
      requests: server.requests.map((q) => ({ range: q.range, status: q.status })),
    };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

Deno.test("gzip Content-Encoding (Content-Length = compressed size) is decoded, not saved compressed", async () => {
  for (const extra of [{}, { chunked: true }]) {
    const r = await fetchOne([{ match: "*.m4s", gzip: true, ...extra }]);
    assert.equal(r.outcome.status, "downloaded");
    assert.ok(r.file);
  }
});

Deno.test("a gzip body cut short is retried, never saved", async () => {
  const r = await fetchOne([{
    match: "*.m4s",
    gzip: true,
    hit: { first: 2 },
    resetAfterBytes: 3000,
  }]);
  assert.equal(r.outcome.status, "downloaded");
  assert.equal(r.outcome.retries, 2);
  const bad = await fetchOne([{ match: "*.m4s", gzip: true, resetAfterBytes: 3000 }]);
  assert.equal(bad.outcome.status, "failed");
  assert.equal(bad.file, undefined);
});

Deno.test("a body shorter than its Content-Length, or reset, resumes with Range", async () => {
  for (const fault of [{ shortBody: 20000 }, { resetAfterBytes: 20000 }]) {
    const r = await fetchOne([{ match: "*.m4s", hit: { first: 1 }, ...fault }]);
    assert.equal(r.outcome.status, "downloaded");
    assert.equal(r.outcome.resumedFrom, 20000);
    assert.deepEqual(r.requests.map((q) => q.range), [null, "bytes=20000-"]);
  }
});

Deno.test("a stalled body fails the attempt after --timeout and is retried", async () => {
  const r = await fetchOne(
    [{ match: "*.m4s", hit: { first: 1 }, stallMs: 5000, stallAfterBytes: 4096 }],
    { http: { timeoutMs: 300 } },
  );
  assert.equal(r.outcome.status, "downloaded");
  assert.equal(r.outcome.retries, 1);
  const never = await fetchOne([{ match: "*.m4s", stallMs: 5000 }], {
    http: { timeoutMs: 200, retries: 1 },
  });
  assert.equal(never.outcome.status, "failed");
  assert.match(never.outcome.message!, /stalled|no response within/);
});

Deno.test("a server that ignores Range gets the whole file again, not an appended copy", async () => {
  const r = await fetchOne([{ match: "*.m4s", ignoreRange: true }], { part: 30000 });
  assert.equal(r.outcome.status, "downloaded");
  assert.deepEqual(r.requests.map((q) => [q.range, q.status]), [["bytes=30000-", 200]]);
});

Deno.test("a .part that is already complete is finished on a 416", async () => {
  const size = (await Deno.stat(join(ROOT, NAME))).size;
  const r = await fetchOne([], { part: size });
  assert.equal(r.outcome.status, "downloaded");
  assert.deepEqual(r.requests.map((q) => q.status), [416]);
});

Deno.test("redirects (301/302/307, relative and to another origin) are followed", async () => {
  await using other = startServer({ root: ROOT });
  for (const status of [301, 302, 307] as const) {
    const rel = await fetchOne(
      [{ match: "/moved/*", redirect: { status, location: `/${NAME}` } }],
      {
        url: (base) => `${base}moved/${NAME}`,
      },
    );
    assert.equal(rel.outcome.status, "downloaded", `${status}`);
    const abs = await fetchOne([{
      match: "/moved/*",
      redirect: { status, location: `${other.url}${NAME}` },
    }], {
      url: (base) => `${base}moved/${NAME}`,
    });
    assert.equal(abs.outcome.status, "downloaded", `${status} to another origin`);
  }
});

Deno.test("statuses: 503/429/500/408 are retried, 404/403 fail at once", async () => {
  for (const status of [503, 429, 500, 408]) {
    const r = await fetchOne([{ match: "*.m4s", hit: { first: 2 }, status, retryAfter: 0 }]);
    assert.equal(r.outcome.status, "downloaded", `${status}`);
    assert.equal(r.outcome.retries, 2);
  }
  for (const status of [404, 403]) {
    const r = await fetchOne([{ match: "*.m4s", status }]);
    assert.equal(r.outcome.status, "failed");
    assert.match(r.outcome.message!, new RegExp(`HTTP ${status}`));
    assert.equal(r.requests.length, 1, "not retried");
  }
  const exhausted = await fetchOne([{ match: "*.m4s", status: 503 }], { http: { retries: 2 } });
  assert.equal(exhausted.outcome.status, "failed");
  assert.equal(exhausted.requests.length, 3);
});
