import assert from "node:assert/strict";
import { join } from "node:path";
import { eachLine, eachLineOfFile } from "../src/hls/lines.ts";

Deno.test("eachLineOfFile cuts a file's lines as eachLine cuts its text, whatever the chunk", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const texts = [
      "",
      "#EXTM3U",
      "#EXTM3U\n",
      "\uFEFF#EXTM3U\r\n#EXTINF:1,\r\nséance-1.ts\r\n#EXTINF:1,\nб/2.ts\r",
      "a\r\r\nb\n\n\nc",
      "€€€\n😀\r\n".repeat(40) + "tail",
      Array.from({ length: 300 }, (_, i) => `#EXTINF:1,\r\nseg-${i}.ts`).join("\r\n") + "\n",
    ];
    texts.forEach((text, t) => {
      const path = join(dir, `p${t}.m3u8`);
      Deno.writeTextFileSync(path, text);
      const want = [...eachLine(Deno.readTextFileSync(path))];
      // chunks of 1 to 7 bytes split every \r\n and every multi-byte character somewhere
      for (const chunk of [1, 2, 3, 5, 7, 64, 1 << 16]) {
        assert.deepEqual([...eachLineOfFile(path, chunk)], want, `text ${t}, chunk ${chunk}`);
      }
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("eachLineOfFile closes its file when the reader stops early", () => {
  const dir = Deno.makeTempDirSync();
  const close = Deno.FsFile.prototype.close;
  let closed = 0;
  Deno.FsFile.prototype.close = function () {
    closed++;
    return close.call(this);
  };
  try {
    const path = join(dir, "p.m3u8");
    Deno.writeTextFileSync(path, "#EXTM3U\na\nb\n");
    for (const line of eachLineOfFile(path)) {
      assert.equal(closed, 0);
      if (line.number === 2) break;
    }
    assert.equal(closed, 1);
    assert.equal([...eachLineOfFile(path)].length, 4);
    assert.equal(closed, 2);
  } finally {
    Deno.FsFile.prototype.close = close;
    Deno.removeSync(dir, { recursive: true });
  }
});
