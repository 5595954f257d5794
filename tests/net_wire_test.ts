/**
 * The downloader against servers that break HTTP itself, answered byte by byte from a raw
 * TCP socket on loopback: a chunked body that ends without its last chunk, a Content-Length
 * the body does not reach, a 206 whose body is longer than its Content-Range. None of them
 * may land under the final name.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { downloadFile } from "../src/net/download.ts";
import { DEFAULT_HTTP, type HttpOptions } from "../src/net/http.ts";

const HTTP: HttpOptions = { ...DEFAULT_HTTP, retries: 1, retryDelayMs: 5, timeoutMs: 2000 };
const enc = new TextEncoder();

/** A server that answers every connection with `answer(requestText)` and closes it. */
function rawServer(answer: (request: string) => Uint8Array): { url: string; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    for await (const conn of listener) {
      (async () => {
        const buf = new Uint8Array(8192);
        const n = await conn.read(buf).catch(() => null);
        const req = new TextDecoder().decode(buf.subarray(0, n ?? 0));
        try {
          await conn.write(answer(req));
        } catch {
          // the client went away
        }
        conn.close();
      })();
    }
  })().catch(() => {});
  const port = (listener.addr as Deno.NetAddr).port;
  return { url: `http://127.0.0.1:${port}/x.m4s`, close: () => listener.close() };
}

async function tryDownload(answer: (request: string) => Uint8Array) {
  const server = rawServer(answer);
  const dir = await Deno.makeTempDir();
  try {
    const target = {
      final: join(dir, "x.m4s"),
      partial: join(dir, "x.partial"),
      validator: join(dir, "x.validator"),
    };
    const outcome = await downloadFile(server.url, target, { http: HTTP });
    const landed = await Deno.stat(target.final).then(() => true, () => false);
    return { outcome, landed };
  } finally {
    server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a chunked body that ends without its last chunk never lands", async () => {
  const r = await tryDownload(() =>
    enc.encode(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
        "a\r\n0123456789\r\n",
    )
  );
  assert.equal(r.outcome.status, "failed");
  assert.equal(r.landed, false);
});

Deno.test("a body shorter than its Content-Length never lands", async () => {
  const r = await tryDownload(() =>
    enc.encode(
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n" + "x".repeat(60),
    )
  );
  assert.equal(r.outcome.status, "failed");
  assert.match(r.outcome.message!, /connection broken|body ended/);
  assert.equal(r.landed, false);
});

Deno.test("a 206 body longer than its Content-Range never lands", async () => {
  const r = await tryDownload((req) => {
    if (!/^range:/im.test(req)) {
      // First answer: the whole resource cut off, with a validator, so a resume follows.
      return enc.encode(
        'HTTP/1.1 200 OK\r\nContent-Length: 200\r\nETag: "v1"\r\nConnection: close\r\n\r\n' +
          "a".repeat(50),
      );
    }
    return enc.encode(
      "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 50-99/200\r\n" +
        'Content-Length: 150\r\nETag: "v1"\r\nConnection: close\r\n\r\n' + "b".repeat(150),
    );
  });
  assert.equal(r.outcome.status, "failed");
  assert.match(r.outcome.message!, /longer than the 50 bytes declared/);
  assert.equal(r.landed, false);
});

Deno.test("fetchText decodes a character whose bytes arrive in two chunks", async () => {
  const { fetchText } = await import("../src/net/http.ts");
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    const conn = await listener.accept();
    await conn.read(new Uint8Array(8192));
    // "é" is C3 A9: its first byte ends one chunk, its second starts the next.
    await conn.write(enc.encode(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
        "d\r\n#EXTM3U\n# caf\r\n",
    ));
    await conn.write(new Uint8Array([0x31, 0x0d, 0x0a, 0xc3, 0x0d, 0x0a]));
    await new Promise((r) => setTimeout(r, 50));
    await conn.write(new Uint8Array([0x32, 0x0d, 0x0a, 0xa9, 0x0a, 0x0d, 0x0a]));
    await conn.write(enc.encode("0\r\n\r\n"));
    conn.close();
  })();
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    const got = await fetchText(`http://127.0.0.1:${port}/p.m3u8`, HTTP);
    assert.equal(got.text, "#EXTM3U\n# café\n");
  } finally {
    await serving;
    listener.close();
  }
});
