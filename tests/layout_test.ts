import assert from "node:assert/strict";
import {
  Layout,
  manifestFileName,
  relativeRef,
  resolveInside,
  sanitizeComponent,
} from "../src/mirror/layout.ts";

const ROOT = "http://127.0.0.1:8080/vod/a/manifest.mpd";

Deno.test("URLs under the manifest's folder keep their relative path; queries are dropped", () => {
  const l = new Layout(ROOT);
  assert.equal(l.pathFor("http://127.0.0.1:8080/vod/a/seg-1.m4s?token=abc"), "seg-1.m4s");
  assert.equal(l.pathFor("http://127.0.0.1:8080/vod/a/v1/seg-1.m4s"), "v1/seg-1.m4s");
  assert.equal(l.pathFor("http://127.0.0.1:8080/vod/a/a%20b/c.m4s"), "a b/c.m4s");
  // Asking again gives the same answer.
  assert.equal(l.pathFor("http://127.0.0.1:8080/vod/a/seg-1.m4s?token=abc"), "seg-1.m4s");
});

Deno.test("other hosts, ports, schemes and parent folders go under _ext/", () => {
  const l = new Layout(ROOT);
  assert.equal(
    l.pathFor("http://127.0.0.1:8080/vod/b/x.m4s"),
    "_ext/http_127.0.0.1_8080/vod/b/x.m4s",
  );
  assert.equal(
    l.pathFor("http://127.0.0.1:9090/vod/a/x.m4s"),
    "_ext/http_127.0.0.1_9090/vod/a/x.m4s",
  );
  assert.equal(l.pathFor("https://cdn.example/x.m4s"), "_ext/https_cdn.example/x.m4s");
});

Deno.test("two different URLs never share a file", () => {
  const l = new Layout(ROOT);
  const urls = [
    "http://127.0.0.1:8080/vod/a/s.m4s?v=1",
    "http://127.0.0.1:8080/vod/a/s.m4s?v=2",
    "http://127.0.0.1:8080/vod/a/S.m4s",
    "http://127.0.0.1:8080/vod/a/s%3Fv=1.m4s",
    "http://127.0.0.1:8080/vod/a/dir",
    "http://127.0.0.1:8080/vod/a/dir/inner.m4s",
    "http://127.0.0.1:8080/vod/a/x/",
    "http://127.0.0.1:8080/vod/a/x/_index",
  ];
  const paths = urls.map((u) => l.pathFor(u));
  assert.equal(new Set(paths.map((p) => p.toLowerCase())).size, urls.length, paths.join(" "));
  // No file is also a folder of another file.
  for (const p of paths) {
    for (const q of paths) {
      if (p !== q) assert.ok(!q.toLowerCase().startsWith(`${p.toLowerCase()}/`));
    }
  }
});

Deno.test("hostile names stay inside the output directory", () => {
  const l = new Layout(ROOT);
  const hostile = [
    "http://127.0.0.1:8080/vod/a/../../../../etc/passwd",
    "http://127.0.0.1:8080/vod/a/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "http://127.0.0.1:8080/vod/a/..%2f..%2f..%2fetc%2fpasswd",
    "http://127.0.0.1:8080/vod/a/%2e%2e%5c%2e%2e%5cwin.ini",
    "http://127.0.0.1:8080/vod/a/a%00b.m4s",
    "http://127.0.0.1:8080/vod/a/CON",
    "http://127.0.0.1:8080/vod/a/nul.txt",
    "http://127.0.0.1:8080/vod/a/trailing.",
    `http://127.0.0.1:8080/vod/a/${"x".repeat(5000)}.m4s`,
    "http://127.0.0.1:8080//etc/passwd",
  ];
  const out = "/tmp/streamkit-layout-test-out";
  for (const u of hostile) {
    const p = l.pathFor(u);
    assert.ok(!p.startsWith("/"), p);
    for (const part of p.split("/")) {
      assert.notEqual(part, "..");
      assert.notEqual(part, ".");
      // deno-lint-ignore no-control-regex
      assert.ok(!/[\x00-\x1f\\:*?"<>|]/.test(part), part);
      assert.ok(new TextEncoder().encode(part).length <= 200, `${part.length}`);
      assert.ok(!/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(part), part);
    }
    assert.ok(resolveInside(out, p).startsWith(`${out}/`));
  }
});

Deno.test("sanitizeComponent is idempotent", () => {
  for (
    const name of [
      "..",
      ".",
      "",
      "a:b",
      "CON.txt",
      "x. ",
      "x".repeat(300) + ".m4s",
      "é".repeat(150),
    ]
  ) {
    const once = sanitizeComponent(name);
    assert.equal(sanitizeComponent(once), once, name);
  }
});

Deno.test("resolveInside refuses escapes", () => {
  assert.throws(() => resolveInside("/tmp/out", "../x"), /outside the output directory/);
  assert.throws(() => resolveInside("/tmp/out", "/etc/passwd"), /outside the output directory/);
  assert.equal(resolveInside("/tmp/out", "a/b"), "/tmp/out/a/b");
});

Deno.test("relativeRef and manifestFileName", () => {
  assert.equal(relativeRef("master.m3u8", "hls/v 1/seg_1.ts"), "hls/v 1/seg_1.ts");
  assert.equal(relativeRef("master.m3u8", "hls/audio=96000,x.ts"), "hls/audio=96000,x.ts");
  assert.equal(relativeRef("v1/prog.m3u8", "hls/v1/seg.ts"), "../hls/v1/seg.ts");
  assert.equal(relativeRef("", "_ext/http_h/x/"), "_ext/http_h/x/");
  assert.equal(relativeRef("_ext/http_h/x/", ""), "../../../");
  assert.equal(relativeRef("a.mpd", ""), "./");
  assert.equal(manifestFileName("http://h/x/stream.mpd?t=1", "manifest.mpd"), "stream.mpd");
  assert.equal(manifestFileName("http://h/x/", "manifest.mpd"), "manifest.mpd");
});
