/**
 * The downloader against every fault the test server can inject: each ends either in a
 * byte-identical file or in a reported failure — never in a wrong file under its final name.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { downloadFile, type DownloadOutcome } from "../src/net/download.ts";
import { DEFAULT_HTTP, type HttpOptions } from "../src/net/http.ts";
import { type FaultRule, startServer } from "./server.ts";
import { bytesEqual, FIXTURES } from "./cli_helpers.ts";

const ROOT = join(FIXTURES, "reference", "dash-avc-aac");
const NAME = "chunk-stream0-00001.m4s";
const HTTP: HttpOptions = { ...DEFAULT_HTTP, retries: 3, retryDelayMs: 5, timeoutMs: 2000 };

/** A partial file left by an earlier run: its bytes, and the validator it was saved with. */
interface Leftover {
  /** How many of the resource's bytes it holds (or these bytes). */
  bytes: number | Uint8Array;
  /** The validator sidecar's content; by default the server's own ETag for the file. */
  validator?: Record<string, unknown> | "none";
}

async function fetchOne(
  faults: FaultRule[],
  options: { http?: Partial<HttpOptions>; part?: Leftover; url?: (base: string) => string } = {},
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
    const url = options.url ? options.url(server.url) : `${server.url}${NAME}`;
    const target = {
      final: join(out, "x.m4s"),
      partial: join(out, "x.partial"),
      validator: join(out, "x.validator"),
    };
    const part = options.part;
    if (part !== undefined) {
      const bytes = typeof part.bytes === "number" ? expected.subarray(0, part.bytes) : part.bytes;
      await Deno.writeFile(target.partial, bytes);
      if (part.validator !== "none") {
        const head = await fetch(`${server.url}${NAME}`, { method: "HEAD" });
        await head.body?.cancel();
        server.resetLog();
        const v = part.validator ?? { url, etag: head.headers.get("etag") };
        await Deno.writeTextFile(target.validator, JSON.stringify(v));
      }
    }
    const outcome = await downloadFile(url, target, { http: { ...HTTP, ...options.http } });
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
    assert.equal(r.outcome.status, "done");
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
  assert.equal(r.outcome.status, "done");
  assert.equal(r.outcome.retries, 2);
  const bad = await fetchOne([{ match: "*.m4s", gzip: true, resetAfterBytes: 3000 }]);
  assert.equal(bad.outcome.status, "failed");
  assert.equal(bad.file, undefined);
});

Deno.test("a body shorter than its Content-Length, or reset, resumes with Range", async () => {
  for (const fault of [{ shortBody: 20000 }, { resetAfterBytes: 20000 }]) {
    const r = await fetchOne([{ match: "*.m4s", hit: { first: 1 }, ...fault }]);
    assert.equal(r.outcome.status, "done");
    assert.equal(r.outcome.resumedFrom, 20000);
    assert.deepEqual(r.requests.map((q) => q.range), [null, "bytes=20000-"]);
  }
});

Deno.test("a stalled body fails the attempt after --timeout and is retried", async () => {
  const r = await fetchOne(
    [{ match: "*.m4s", hit: { first: 1 }, stallMs: 5000, stallAfterBytes: 4096 }],
    { http: { timeoutMs: 300 } },
  );
  assert.equal(r.outcome.status, "done");
  assert.equal(r.outcome.retries, 1);
  const never = await fetchOne([{ match: "*.m4s", stallMs: 5000 }], {
    http: { timeoutMs: 200, retries: 1 },
  });
  assert.equal(never.outcome.status, "failed");
  assert.match(never.outcome.message!, /stalled|no response within/);
});

Deno.test("a server that ignores Range gets the whole file again, not an appended copy", async () => {
  const r = await fetchOne([{ match: "*.m4s", ignoreRange: true }], { part: { bytes: 30000 } });
  assert.equal(r.outcome.status, "done");
  assert.deepEqual(r.requests.map((q) => [q.range, q.status]), [["bytes=30000-", 200]]);
});

Deno.test("a .part that is already complete is finished on a 416", async () => {
  const size = (await Deno.stat(join(ROOT, NAME))).size;
  const r = await fetchOne([], { part: { bytes: size } });
  assert.equal(r.outcome.status, "done");
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
    assert.equal(rel.outcome.status, "done", `${status}`);
    const abs = await fetchOne([{
      match: "/moved/*",
      redirect: { status, location: `${other.url}${NAME}` },
    }], {
      url: (base) => `${base}moved/${NAME}`,
    });
    assert.equal(abs.outcome.status, "done", `${status} to another origin`);
  }
});

Deno.test("statuses: 503/429/500/408 are retried, 404/403 fail at once", async () => {
  for (const status of [503, 429, 500, 408]) {
    const r = await fetchOne([{ match: "*.m4s", hit: { first: 2 }, status, retryAfter: 0 }]);
    assert.equal(r.outcome.status, "done", `${status}`);
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

Deno.test("a partial file resumes with If-Range and the validator the first response gave", async () => {
  const r = await fetchOne([], { part: { bytes: 30000 } });
  assert.equal(r.outcome.status, "done");
  assert.equal(r.outcome.resumedFrom, 30000);
  assert.deepEqual(r.requests.map((q) => [q.range, q.status]), [["bytes=30000-", 206]]);
});

Deno.test("a partial file of a resource that changed since is not spliced: it starts again", async () => {
  // The leftover holds other bytes, saved under a validator the server no longer has.
  const other = new Uint8Array(30000).fill(0x55);
  const r = await fetchOne([], {
    part: { bytes: other, validator: { url: "", etag: '"an-old-version"' } },
    url: (base) => `${base}${NAME}`,
  });
  assert.equal(r.outcome.status, "done");
  assert.equal(r.outcome.resumedFrom, undefined);
  assert.ok(r.file, "the whole resource, not a splice");
  // With the validator of the right URL but an old ETag, If-Range makes the server send all.
  const stale = await fetchOne([], {
    part: { bytes: other, validator: "none" },
  });
  assert.equal(stale.outcome.status, "done");
  assert.deepEqual(stale.requests.map((q) => [q.range, q.status]), [[null, 200]]);
});

Deno.test("a partial file whose validator no longer matches gets a full 200 through If-Range", async () => {
  await using server = startServer({ root: ROOT });
  const out = await Deno.makeTempDir();
  try {
    const url = `${server.url}${NAME}`;
    const target = {
      final: join(out, "x.m4s"),
      partial: join(out, "x.partial"),
      validator: join(out, "x.validator"),
    };
    await Deno.writeFile(target.partial, new Uint8Array(30000).fill(0x55));
    await Deno.writeTextFile(target.validator, JSON.stringify({ url, etag: '"gone"' }));
    const outcome = await downloadFile(url, target, { http: HTTP });
    assert.equal(outcome.status, "done");
    assert.match(outcome.message ?? "", /changed/);
    assert.deepEqual(server.requests.map((q) => [q.range, q.headers["if-range"], q.status]), [
      ["bytes=30000-", '"gone"', 200],
    ]);
    assert.ok(bytesEqual(await Deno.readFile(target.final), await Deno.readFile(join(ROOT, NAME))));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("a partial file without a validator is never resumed (nothing proves its bytes)", async () => {
  const r = await fetchOne([], { part: { bytes: 30000, validator: "none" } });
  assert.equal(r.outcome.status, "done");
  assert.deepEqual(r.requests.map((q) => q.range), [null]);
});

Deno.test("a server without validators: an interrupted body restarts instead of resuming", async () => {
  const r = await fetchOne([
    { match: "*.m4s", noValidators: true },
    { match: "*.m4s", hit: { first: 1 }, resetAfterBytes: 20000 },
  ]);
  assert.equal(r.outcome.status, "done");
  assert.deepEqual(r.requests.map((q) => q.range), [null, null]);
});

Deno.test("a 206 with a partial body to a plain GET never lands as the whole file", async () => {
  const r = await fetchOne([{ match: "*.m4s", partialAnswer: 5000 }], { http: { retries: 2 } });
  assert.equal(r.outcome.status, "failed");
  assert.match(r.outcome.message!, /206 Partial Content .* whole resource/);
  assert.equal(r.file, undefined);
  const once = await fetchOne([{ match: "*.m4s", partialAnswer: 5000, hit: { first: 1 } }]);
  assert.equal(once.outcome.status, "done", "a later whole answer is taken");
});

Deno.test("a chunked body cut short is not saved as the whole file", async () => {
  const r = await fetchOne([{ match: "*.m4s", chunked: true, resetAfterBytes: 20000 }], {
    http: { retries: 1 },
  });
  assert.equal(r.outcome.status, "failed");
  assert.equal(r.file, undefined);
});

Deno.test("Retry-After is the least wait, with jitter on top: told 'at once', retries spread", async () => {
  const { MAX_RETRY_WAIT_MS, retryDelay } = await import("../src/net/retry.ts");
  const waits = Array.from({ length: 200 }, () => retryDelay(1, 10, 0));
  assert.ok(waits.every((w) => w >= 0 && w <= 5), "within half the first backoff");
  // Clients told to come back at once must not all come back at the same instant.
  assert.ok(new Set(waits).size > 100, "spread, not in lockstep");
  for (let attempt = 1; attempt <= 4; attempt++) {
    const w = retryDelay(attempt, 100, 2000);
    assert.ok(w >= 2000 && w <= 2000 + 50 * 2 ** (attempt - 1), `${w} ms`);
  }
  assert.equal(retryDelay(1, 100, 10 * MAX_RETRY_WAIT_MS), MAX_RETRY_WAIT_MS);
  const backoff = retryDelay(3, 100);
  assert.ok(backoff >= 200 && backoff <= 400, `${backoff} ms`);
});

Deno.test("the validator is gone before the file takes its final name: a kill between leaves none behind", async () => {
  const rename = Deno.renameSync;
  // whether the validator beside it was still on disk at each rename to the final name
  const validatorThere: boolean[] = [];
  Deno.renameSync = (from: string | URL, to: string | URL) => {
    if (String(to).endsWith("x.m4s")) {
      validatorThere.push(exists(join(dirname(String(to)), "x.validator")));
    }
    rename(from, to);
  };
  try {
    // resumed: the validator is on disk from the start, and removed once the file is whole
    const r = await fetchOne([], { part: { bytes: 30000 } });
    assert.equal(r.outcome.status, "done");
    assert.equal(r.outcome.resumedFrom, 30000);
  } finally {
    Deno.renameSync = rename;
  }
  assert.deepEqual(validatorThere, [false]);
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
