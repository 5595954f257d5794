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

Deno.test({
  name: "eachLineOfFile closes its file when the reader stops early",
  ignore: Deno.build.os !== "linux", // open files are counted in /proc/self/fd
}, () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "p.m3u8");
    Deno.writeTextFileSync(path, "#EXTM3U\na\nb\n");
    const opened = () => [...Deno.readDirSync("/proc/self/fd")].length;
    const n = opened();
    for (const line of eachLineOfFile(path)) {
      assert.equal(opened(), n + 1);
      if (line.number === 2) break;
    }
    assert.equal(opened(), n);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
