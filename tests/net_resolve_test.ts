import assert from "node:assert/strict";
import { resolveUrl } from "../src/net/resolve.ts";
import { prng } from "./random.ts";

const BASES = [
  "http://127.0.0.1:8000/vod/media.m3u8",
  "https://user:pw@cdn.example:8443/a/b/index.m3u8?token=x/y#frag",
  "https://cdn.example/live/",
  "https://cdn.example",
  "HTTPS://CDN.Example/A/%7Euser/x.m3u8",
  "file:///srv/out/hls/720p/index.m3u8",
  "file:///C:/out/index.m3u8",
  "data:application/vnd.apple.mpegurl,#EXTM3U",
  "skd://key-server/asset",
  "blob:https://cdn.example/1234",
];

/** References a playlist may hold: plain paths and everything that must not be joined. */
const FIXED = [
  "seg-1.ts",
  "video/720p/seg-00001.m4s",
  "a:b.ts",
  "C:/x.ts",
  "/abs/seg.ts",
  "//other.host/seg.ts",
  "./seg.ts",
  "../seg.ts",
  "a/../b.ts",
  "a/./b.ts",
  "..",
  ".",
  "...",
  ".hidden",
  "a..b",
  "seg.ts?x=1",
  "seg.ts#t=1",
  "seg%20one.ts",
  "seg one.ts",
  "seg\\one.ts",
  "séance.ts",
  "seg{1}.ts",
  "seg^1.ts",
  "it's(1)!$&*+,;=@~_-.ts",
  "a/",
  "a//b",
];

Deno.test("resolveUrl answers what new URL(ref, base).href does", () => {
  // random references over an alphabet heavy in the characters that matter
  const alphabet = "ab/.:?#%\\ é@~'()!$&*+,;=-_{}^`|\"<>[]";
  const rnd = prng(7);
  const rand = (n: number) => Math.floor(rnd() * n);
  const refs = [...FIXED];
  for (let i = 0; i < 4000; i++) {
    let s = "";
    const len = 1 + rand(8);
    for (let k = 0; k < len; k++) s += alphabet[rand(alphabet.length)];
    refs.push(s);
  }
  for (const base of BASES) {
    for (const ref of refs) {
      let want: string | Error;
      try {
        want = new URL(ref, base).href;
      } catch (err) {
        want = err as Error;
      }
      if (want instanceof Error) {
        assert.throws(() => resolveUrl(ref, base), TypeError, `${ref} against ${base}`);
        continue;
      }
      assert.equal(resolveUrl(ref, base), want, `${ref} against ${base}`);
    }
  }
});

Deno.test("resolveUrl joins a plain path to the playlist's folder without a URL object", () => {
  const base = "https://cdn.example/live/index.m3u8?token=1";
  resolveUrl("first.ts", base); // the folder of the base is worked out once
  const RealURL = globalThis.URL;
  let made = 0;
  globalThis.URL = class extends RealURL {
    constructor(url: string | URL, base?: string | URL) {
      super(url, base);
      made++;
    }
  };
  try {
    assert.equal(resolveUrl("v/seg-2.ts", base), "https://cdn.example/live/v/seg-2.ts");
    assert.equal(made, 0);
    assert.equal(resolveUrl("../seg-2.ts", base), "https://cdn.example/seg-2.ts");
    assert.equal(made, 1);
  } finally {
    globalThis.URL = RealURL;
  }
});
