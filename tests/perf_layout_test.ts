/**
 * The layout at scale: it remembers claimed paths as hashes (not strings) and keeps its
 * guarantees — same URL, same path; two URLs never one path, case-insensitively; no folder is
 * a file; derived names and reserved manifests stay out of every URL's way — over 100,000
 * URLs; and its parser-free reading of plain URLs gives what the URL parser gives.
 */
import assert from "node:assert/strict";
import { Layout, sanitizeComponent } from "../src/mirror/layout.ts";
import { PathClaims } from "../src/mirror/claims.ts";
import { hash64, HashTable64 } from "../src/mirror/hash_table.ts";

const MANIFEST = "http://127.0.0.1:8080/vod/a/manifest.mpd";

Deno.test("a plain URL is taken apart as the URL parser would (the parser is bypassed)", () => {
  // A fragment sends a URL through the parser; the same URL without it takes the plain path.
  const urls = [
    "seg-1.m4s",
    "v1/seg-1.m4s",
    "v1//seg-1.m4s",
    "v1/seg-1.m4s?token=a&b=c/d?e%41",
    "v1/",
    "",
    "?q=1",
    "a/./b.m4s",
    "a/../b.m4s",
    "./b.m4s",
    "../b.m4s",
    "a/.m4s",
    "a/..m4s",
    "a%2e%2e/b.m4s",
    "%2e%2e/b.m4s",
    "a%20b/c.m4s",
    "a b/c.m4s",
    "a'b/c.m4s",
    "a\\b/c.m4s",
    "é/c.m4s",
    "a:b@c;d=e,f!g$h&i(j)k*l+m~n/o.m4s",
    "CON/nul.txt",
    "x.m4s.",
    "q?a'b",
    "q?a b",
    'q?a"b',
    'a"b.m4s',
    "a{b}.m4s",
    "a^b|c`d.m4s",
    `${"x".repeat(300)}.m4s`,
    "A.M4S",
  ];
  for (const options of [{}, { prefix: "hls" }, { prefix: "hls", extension: ".m3u8" }]) {
    const plain = new Layout(MANIFEST);
    const parsed = new Layout(MANIFEST);
    for (const rel of urls) {
      const url = `http://127.0.0.1:8080/vod/a/${rel}`;
      assert.equal(plain.pathFor(url, options), parsed.pathFor(`${url}#f`, options), url);
      assert.equal(plain.peek(url), parsed.peek(`${url}#f`), url);
    }
  }
});

Deno.test("100,000 URLs: unique paths, stable answers, nothing remembered as text", () => {
  const layout = new Layout(MANIFEST);
  const N = 100_000;
  const seen = new Set<string>();
  for (let n = 1; n <= N; n++) {
    const path = layout.pathFor(`http://127.0.0.1:8080/vod/a/v${n % 4}/seg-${n}.m4s?t=${n}`);
    assert.equal(path, `v${n % 4}/seg-${n}.m4s`);
    seen.add(path.toLowerCase());
  }
  assert.equal(seen.size, N);
  // Asking again gives the same answers; no URL was kept as text (only the claims).
  for (let n = 1; n <= N; n += 997) {
    const url = `http://127.0.0.1:8080/vod/a/v${n % 4}/seg-${n}.m4s?t=${n}`;
    assert.equal(layout.pathFor(url), `v${n % 4}/seg-${n}.m4s`);
  }
  // N files and 4 folders are remembered, as hashes: no string per URL.
  assert.equal(layout.remembered, N + 4);
});

Deno.test("URLs that compete for a name still never share a file, among 100,000 others", () => {
  const layout = new Layout(MANIFEST);
  layout.reserve("manifest.mpd", MANIFEST);
  const dump = layout.derivedName("0", [".m4s", ".dump", ".hex"]);
  const paths = new Map<string, string>();
  const add = (url: string) => {
    const p = layout.pathFor(url);
    const owner = paths.get(p.toLowerCase());
    assert.ok(owner === undefined || owner === url, `${url} and ${owner} both got ${p}`);
    paths.set(p.toLowerCase(), url);
    return p;
  };
  for (let n = 0; n < 100_000; n++) add(`http://127.0.0.1:8080/vod/a/seg-${n}.m4s`);
  const rivals = [
    "http://127.0.0.1:8080/vod/a/seg-7.m4s?v=2", // same name, other query
    "http://127.0.0.1:8080/vod/a/SEG-7.m4s", // same name, other case
    "http://127.0.0.1:8080/vod/a/seg%2D7.m4s", // same name, escaped
    "http://127.0.0.1:8080/vod/a/manifest.mpd.orig", // the manifest's original
    `http://127.0.0.1:8080/vod/a/${dump}.dump`, // a derived name
    "http://127.0.0.1:8080/vod/a/seg-8.m4s/inner.m4s", // under a file
  ];
  const got = rivals.map(add);
  for (const p of got) {
    assert.ok(!/^seg-[78]\.m4s$/i.test(p), p);
    assert.notEqual(p, "manifest.mpd.orig");
    assert.notEqual(p, `${dump}.dump`);
  }
  // Each rival keeps its own answer, and the first URLs keep theirs.
  assert.deepEqual(rivals.map((u) => layout.pathFor(u)), got);
  assert.equal(layout.pathFor("http://127.0.0.1:8080/vod/a/seg-7.m4s"), "seg-7.m4s");
  // A file's name is never a folder of another, nor the other way round.
  const folder = add("http://127.0.0.1:8080/vod/a/seg-9.m4s");
  assert.equal(folder, "seg-9.m4s");
  const under = add("http://127.0.0.1:8080/vod/a/deep/x.m4s");
  const asFile = add("http://127.0.0.1:8080/vod/a/deep");
  assert.equal(under, "deep/x.m4s");
  assert.notEqual(asFile.toLowerCase(), "deep");
});

Deno.test("the claims table tells owners apart and grows without losing any", () => {
  const claims = new PathClaims();
  const owners = Array.from({ length: 50_000 }, (_, i) => hash64(`https://h/${i}`));
  owners.forEach((o, i) => claims.claim(`d${i % 7}/f-${i}`, o));
  owners.forEach((o, i) => {
    assert.ok(claims.free(`d${i % 7}/f-${i}`, o));
    assert.ok(!claims.free(`d${i % 7}/f-${i}`, owners[(i + 1) % owners.length]));
  });
  for (let d = 0; d < 7; d++) {
    assert.ok(claims.isFolder(hash64(`d${d}`)));
    assert.ok(!claims.free(`d${d}`, owners[0]));
  }
  assert.ok(!claims.free("d1/f-1/x", hash64("other")));
  assert.equal(claims.size, 50_000 + 7);
});

Deno.test("the hash table agrees with a Map over 100,000 keys: values, sets, growth", () => {
  const table = new HashTable64(1);
  const set = new HashTable64();
  const oracle = new Map<string, number>();
  for (let i = 0; i < 100_000; i++) {
    const key = `https://cdn.example/v/seg-${i % 70_000}.m4s`;
    const value = i % 3 === 0 ? -i - 1 : i;
    const fresh = !oracle.has(key);
    assert.equal(set.add(hash64(key)), fresh);
    if (fresh) {
      assert.equal(table.set(hash64(key), [value]), true);
      oracle.set(key, value);
    }
  }
  assert.equal(table.size, oracle.size);
  assert.equal(set.size, oracle.size);
  for (const [key, value] of oracle) {
    assert.equal(table.get(hash64(key))! | 0, value, key);
    assert.ok(set.has(hash64(key)));
  }
  assert.equal(table.get(hash64("https://cdn.example/absent")), undefined);
  // The one key whose hash is all zero still has a slot of its own.
  assert.equal(set.add({ hi: 0, lo: 0 }), true);
  assert.equal(set.has({ hi: 0, lo: 0 }), true);
});

Deno.test("sanitizeComponent's shortcut for plain names agrees with the full rules", () => {
  for (const name of ["seg-1.m4s", "a.b.c", "_x", "x~1", "con", "Con.txt", "a.", "a ", "a'b"]) {
    const expected = sanitizeComponent(`${name}\u0000`).slice(0, -1);
    // The NUL forces the full rules; it becomes "_" and is cut off again.
    if (!/^(con|prn|aux|nul)/i.test(name) && !/[. ]$/.test(name)) {
      assert.equal(sanitizeComponent(name), expected, name);
    }
    assert.equal(sanitizeComponent(sanitizeComponent(name)), sanitizeComponent(name), name);
  }
});

Deno.test("the layout's SHA-256 gives node:crypto's digests (temporary names stay the same)", async () => {
  const { createHash } = await import("node:crypto");
  const { sha256Hex } = await import("../src/mirror/sha256.ts");
  const texts = ["", "abc", "é€😀", "seg/s-12345.bin"];
  for (let n = 0; n < 300; n++) texts.push("x".repeat(n), `${"é".repeat(n % 90)}/${n}`);
  for (const t of texts) {
    assert.equal(sha256Hex(t), createHash("sha256").update(t).digest("hex"), `length ${t.length}`);
  }
});

Deno.test("relativeRef's shortcut agrees with the path module's answer", async () => {
  const { relativeRef } = await import("../src/mirror/layout.ts");
  const { posix } = await import("node:path");
  const full = (from: string, to: string) => {
    const fromDir = from === "" || from.endsWith("/")
      ? from.replace(/\/$/, "") || "."
      : posix.dirname(from);
    const isDir = to.endsWith("/") || to === "";
    let rel = posix.relative(fromDir === "." ? "" : fromDir, to === "" ? "." : to);
    if (isDir) rel = rel === "" ? "./" : `${rel}/`;
    return rel;
  };
  const paths = [
    "master.m3u8",
    "hls/a.ts",
    "hls/v1/seg-1.ts",
    "v1/prog.m3u8",
    "v1/sub/x.m3u8",
    "v10/a.ts",
    "v1",
    "_ext/http_h/x/y.ts",
    "hls/",
    "",
    "a b/c,d=e.ts",
  ];
  for (const from of paths) {
    for (const to of paths) {
      if (from.endsWith("/") && to === "") continue;
      assert.equal(relativeRef(from, to), full(from, to), `${from} → ${to}`);
    }
  }
});
