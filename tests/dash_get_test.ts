/**
 * `streamkit dash get` end to end: the real CLI against the loopback server serving real
 * ffmpeg-made DASH streams.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer } from "./server.ts";
import { FIXTURES, listFiles, runCli, sameBytes, scratchDir } from "./cli_helpers.ts";

const REF = join(FIXTURES, "reference");
const AVC = join(REF, "dash-avc-aac");

/** The files of the reference stream (everything but the manifest). */
async function mediaFiles(dir: string): Promise<string[]> {
  return (await listFiles(dir)).filter((f) => !f.endsWith(".mpd"));
}

Deno.test("dash get mirrors the reference stream byte for byte", async () => {
  await using server = startServer({ root: REF });
  const out = await Deno.makeTempDir();
  try {
    const r = await runCli([
      "dash",
      "get",
      `${server.url}dash-avc-aac/manifest.mpd`,
      "-o",
      out,
      "-q",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const expected = await listFiles(AVC);
    assert.deepEqual(await listFiles(out), expected);
    for (const f of expected) assert.ok(await sameBytes(join(AVC, f), join(out, f)), f);
    assert.match(
      r.stdout,
      /18 files and 1 manifest saved in .* \(18 downloaded now, 0 already there, 0 failed\)/,
    );
    // Every segment was requested exactly once, whole.
    for (const f of await mediaFiles(AVC)) {
      assert.equal(server.count(`/dash-avc-aac/${f}`, "GET"), 1, f);
    }
    assert.ok(server.requests.every((q) => q.range === null));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dash get: a rerun skips complete files without a request", async () => {
  await using server = startServer({ root: REF });
  const out = await Deno.makeTempDir();
  try {
    const url = `${server.url}dash-avc-aac/manifest.mpd`;
    assert.equal((await runCli(["dash", "get", url, "-o", out, "-q"])).code, 0);
    server.resetLog();
    const r = await runCli(["dash", "get", url, "-o", out, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.files, 18);
    assert.equal(summary.present, 18);
    assert.equal(summary.done, 0);
    assert.deepEqual(server.requests.map((q) => q.path), ["/dash-avc-aac/manifest.mpd"]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dash get --dry-run prints every URL and path and writes nothing", async () => {
  await using server = startServer({ root: REF });
  const out = join(await scratchDir(), "not-created");
  const url = `${server.url}dash-avc-aac/manifest.mpd`;
  const r = await runCli(["dash", "get", url, "-o", out, "--dry-run"]);
  assert.equal(r.code, 0, r.stderr);
  for (const f of await mediaFiles(AVC)) {
    assert.ok(r.stdout.includes(`${f}\t${server.url}dash-avc-aac/${f}`), f);
  }
  await assert.rejects(Deno.stat(out));
  assert.equal(server.count(/\.m4s$/), 0);
  const j = await runCli(["dash", "get", url, "--dry-run", "--json"]);
  const plan = JSON.parse(j.stdout);
  assert.equal(plan.items.length, 18);
  assert.equal(plan.manifests[0].path, "manifest.mpd");
});

Deno.test("dash get sends -H headers with every request", async () => {
  await using server = startServer({ root: REF });
  const out = await Deno.makeTempDir();
  try {
    const r = await runCli([
      "dash",
      "get",
      `${server.url}dash-avc-aac/manifest.mpd`,
      "-o",
      out,
      "-q",
      "-H",
      "X-Token: abc 123",
      "--header",
      "Referer: https://example.test/",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(server.requests.length >= 19);
    for (const q of server.requests) {
      assert.equal(q.headers["x-token"], "abc 123");
      assert.equal(q.headers["referer"], "https://example.test/");
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dash get follows a redirected manifest and resolves segments against the final URL", async () => {
  await using server = startServer({
    root: REF,
    faults: [{
      match: "/moved/manifest.mpd",
      redirect: { status: 302, location: "/dash-avc-aac/manifest.mpd" },
    }],
  });
  const out = await Deno.makeTempDir();
  try {
    const r = await runCli(["dash", "get", `${server.url}moved/manifest.mpd`, "-o", out, "-q"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await listFiles(out), await listFiles(AVC));
    assert.equal(server.count(/^\/moved\/.*\.m4s$/), 0);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dash get: a permanent 404 fails that file only, exit 1; the rerun fetches only it", async () => {
  await using server = startServer({
    root: REF,
    faults: [{ match: "chunk-stream1-00002.m4s", status: 404 }],
  });
  const out = await Deno.makeTempDir();
  try {
    const url = `${server.url}dash-avc-aac/manifest.mpd`;
    const r = await runCli(["dash", "get", url, "-o", out, "-q", "--retry-delay", "0.01"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /17 downloaded now, 0 already there, 1 failed/);
    assert.match(r.stdout, /chunk-stream1-00002\.m4s {2}HTTP 404/);
    assert.equal(server.count("/dash-avc-aac/chunk-stream1-00002.m4s"), 1, "a 404 is not retried");
    await assert.rejects(Deno.stat(join(out, "chunk-stream1-00002.m4s")));
    server.clearFaults();
    server.resetLog();
    const again = await runCli(["dash", "get", url, "-o", out, "-q"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(server.requests.map((q) => q.path).sort(), [
      "/dash-avc-aac/chunk-stream1-00002.m4s",
      "/dash-avc-aac/manifest.mpd",
    ]);
    assert.ok(
      await sameBytes(join(AVC, "chunk-stream1-00002.m4s"), join(out, "chunk-stream1-00002.m4s")),
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dash get retries 503 (honouring Retry-After) and resets, and counts the retries", async () => {
  await using server = startServer({
    root: REF,
    faults: [
      { match: "*-00001.m4s", hit: "oncePerPath", status: 503, retryAfter: 0 },
      { match: "*-00002.m4s", hit: "oncePerPath", resetAfterBytes: 1000 },
      { match: "*-00003.m4s", hit: "oncePerPath", shortBody: 500 },
    ],
  });
  const out = await Deno.makeTempDir();
  try {
    const r = await runCli([
      "dash",
      "get",
      `${server.url}dash-avc-aac/manifest.mpd`,
      "-o",
      out,
      "--json",
      "-q",
      "--retry-delay",
      "0.01",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.retries, 12);
    assert.equal(s.failed, 0);
    for (const f of await listFiles(AVC)) assert.ok(await sameBytes(join(AVC, f), join(out, f)), f);
    // The broken bodies resumed from where they stopped.
    const resumed = server.requests.filter((q) => q.range !== null).map((q) => q.range);
    assert.ok(resumed.includes("bytes=1000-"), resumed.join(","));
    assert.ok(resumed.includes("bytes=500-"), resumed.join(","));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dash get resumes an interrupted file with Range and If-Range", async () => {
  await using server = startServer({
    root: REF,
    faults: [{ match: "chunk-stream0-00001.m4s", hit: { first: 1 }, resetAfterBytes: 12345 }],
  });
  const out = await Deno.makeTempDir();
  try {
    const name = "chunk-stream0-00001.m4s";
    const url = `${server.url}dash-avc-aac/manifest.mpd`;
    const first = await runCli(["dash", "get", url, "-o", out, "-q", "--retries", "0"]);
    assert.equal(first.code, 1, first.stderr);
    assert.ok(!(await listFiles(out)).includes(name), "no final name for a broken body");
    server.resetLog();
    const r = await runCli(["dash", "get", url, "-o", out, "-q"]);
    assert.equal(r.code, 0, r.stderr);
    const asked = server.requests.filter((q) => q.path.endsWith(name));
    assert.deepEqual(asked.map((q) => q.range), ["bytes=12345-"]);
    assert.match(asked[0].headers["if-range"] ?? "", /^"/, "the ETag of the first answer");
    assert.ok(await sameBytes(join(AVC, name), join(out, name)));
    assert.ok(!(await listFiles(out)).some((f) => f.startsWith(".streamkit/")), "nothing left");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dash get --verify refetches a file whose size changed on the server", async () => {
  const root = await Deno.makeTempDir();
  const out = await Deno.makeTempDir();
  try {
    for (const f of await listFiles(AVC)) await Deno.copyFile(join(AVC, f), join(root, f));
    await using server = startServer({ root });
    const url = `${server.url}manifest.mpd`;
    assert.equal((await runCli(["dash", "get", url, "-o", out, "-q"])).code, 0);
    const name = "chunk-stream2-00004.m4s";
    await Deno.writeFile(join(root, name), new Uint8Array(300).fill(7));
    server.resetLog();
    const plain = await runCli(["dash", "get", url, "-o", out, "-q"]);
    assert.equal(plain.code, 0);
    assert.equal(server.count(`/${name}`), 0, "without --verify a complete file is trusted");
    const r = await runCli(["dash", "get", url, "-o", out, "--verify", "--json", "-q"]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.done, 1);
    assert.equal(s.present, 17);
    assert.ok(await sameBytes(join(root, name), join(out, name)));
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dash get reads a local MPD with --base-url", async () => {
  await using server = startServer({ root: REF });
  const out = await Deno.makeTempDir();
  try {
    const r = await runCli([
      "dash",
      "get",
      join(AVC, "manifest.mpd"),
      "--base-url",
      `${server.url}dash-avc-aac/`,
      "-o",
      out,
      "-q",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await listFiles(out), await listFiles(AVC));
    const noBase = await runCli(["dash", "get", join(AVC, "manifest.mpd"), "-o", out, "-q"]);
    assert.equal(noBase.code, 2);
    assert.match(
      noBase.stderr,
      /unsupported scheme "file:"; a local MPD's relative references need --base-url/,
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dash get reads a local MPD whose absolute BaseURL says where the media are", async () => {
  await using server = startServer({ root: REF });
  const dir = await Deno.makeTempDir();
  const out = await Deno.makeTempDir();
  try {
    const original = (await Deno.readTextFile(join(AVC, "manifest.mpd"))).replace(
      "<Period",
      `<BaseURL>${server.url}dash-avc-aac/</BaseURL>\n\t<Period`,
    );
    await Deno.writeTextFile(join(dir, "local.mpd"), original);
    const r = await runCli(["dash", "get", join(dir, "local.mpd"), "-o", out, "-q"]);
    assert.equal(r.code, 0, r.stderr);
    // Laid out from the BaseURL's folder, as if fetched from there; the BaseURL now points home.
    const media = await mediaFiles(AVC);
    assert.deepEqual(await listFiles(out), [...media, "local.mpd", "local.mpd.orig"].sort());
    for (const f of media) assert.ok(await sameBytes(join(AVC, f), join(out, f)), f);
    const saved = await Deno.readTextFile(join(out, "local.mpd"));
    assert.equal(saved, original.replace(`${server.url}dash-avc-aac/`, "./"));
    assert.equal(await Deno.readTextFile(join(out, "local.mpd.orig")), original);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});
