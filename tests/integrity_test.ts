/**
 * Nothing lost, damage never success (issue 13), through the real CLI: every local name has
 * one owner (no download's temporary file, saved original or dump output can take a
 * resource's name), a symlink planted in the output folder is never written through, a
 * closed stdout pipe ends the run quietly, and a changed resource is never spliced.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { listFiles, REPO, runCli, sameBytes, scratchDir } from "./cli_helpers.ts";
import { startServer } from "./server.ts";

/** An MPD whose one Representation is a SegmentList of `names`. */
function listMpd(names: string[], base?: string): string {
  const urls = names.map((n) => `<SegmentURL media="${n}"/>`).join("");
  return `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S">
${base ? `<BaseURL>${base}</BaseURL>` : ""}<Period><AdaptationSet mimeType="video/mp4">
<Representation id="r" bandwidth="1000"><SegmentList duration="2">${urls}</SegmentList>
</Representation></AdaptationSet></Period></MPD>
`;
}

Deno.test("a resource named like another's temporary file: both land whole, and a rerun fetches nothing", async () => {
  const root = await scratchDir();
  await using server = startServer({
    root,
    routes: {
      "/v/a.m4s.part": "the resource named a.m4s.part",
      "/v/a.m4s": "the resource named a.m4s",
    },
  });
  server.setRoute("/v/m.mpd", listMpd(["a.m4s.part", "a.m4s"]));
  const out = await scratchDir();
  const url = `${server.url}v/m.mpd`;
  const r = await runCli(["dash", "get", url, "-o", out, "-t", "1", "--json", "-q"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).done, 2);
  assert.equal(await Deno.readTextFile(join(out, "a.m4s.part")), "the resource named a.m4s.part");
  assert.equal(await Deno.readTextFile(join(out, "a.m4s")), "the resource named a.m4s");
  server.resetLog();
  const again = await runCli(["dash", "get", url, "-o", out, "-t", "1", "--json", "-q"]);
  assert.equal(JSON.parse(again.stdout).present, 2);
  assert.equal(server.count("/v/a.m4s*"), 0, "nothing fetched again");
});

Deno.test("a segment named like the saved original of a rewritten manifest is downloaded, not mistaken for it", async () => {
  const root = await scratchDir();
  await using server = startServer({ root, routes: { "/v/m.mpd.orig": "a segment's bytes" } });
  // An absolute BaseURL makes the saved copy a rewrite, whose original is kept as m.mpd.orig.
  const mpd = listMpd(["m.mpd.orig"], `${server.url}v/`);
  server.setRoute("/v/m.mpd", mpd);
  const out = await scratchDir();
  const r = await runCli(["dash", "get", `${server.url}v/m.mpd`, "-o", out, "--json", "-q"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).done, 1);
  assert.equal(server.count("/v/m.mpd.orig"), 1, "the segment was fetched");
  assert.equal(await Deno.readTextFile(join(out, "m.mpd.orig")), mpd, "the original is kept");
  const files = await listFiles(out);
  const segment = files.filter((f) => f !== "m.mpd.orig" && f !== "m.mpd");
  assert.equal(segment.length, 1, files.join(" "));
  assert.equal(await Deno.readTextFile(join(out, segment[0])), "a segment's bytes");
});

Deno.test("a leftover whose resource changed on the server is restarted, not spliced", async () => {
  const root = await scratchDir();
  const body1 = "A".repeat(100_000);
  const body2 = "B".repeat(100_000);
  await Deno.mkdir(join(root, "v"));
  await Deno.writeTextFile(join(root, "v", "s.m4s"), body1);
  await Deno.writeTextFile(join(root, "v", "m.mpd"), listMpd(["s.m4s"]));
  await using server = startServer({
    root,
    faults: [{ match: "s.m4s", hit: { first: 1 }, resetAfterBytes: 40_000 }],
  });
  const out = await scratchDir();
  const url = `${server.url}v/m.mpd`;
  const first = await runCli(["dash", "get", url, "-o", out, "-q", "--retries", "0"]);
  assert.equal(first.code, 1);
  // The resource changes (a new ETag); the rerun must not append its tail to the old head.
  await Deno.writeTextFile(join(root, "v", "s.m4s"), body2);
  server.resetLog();
  const r = await runCli(["dash", "get", url, "-o", out, "-q"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await Deno.readTextFile(join(out, "s.m4s")), body2);
  const asked = server.requests.filter((q) => q.path === "/v/s.m4s");
  assert.deepEqual(asked.map((q) => [q.range, q.status]), [["bytes=40000-", 200]]);
});

Deno.test("a 206 with a partial body to a plain GET fails the file; nothing lands", async () => {
  const root = await scratchDir();
  await Deno.mkdir(join(root, "v"));
  await Deno.writeTextFile(join(root, "v", "s.m4s"), "C".repeat(50_000));
  await Deno.writeTextFile(join(root, "v", "m.mpd"), listMpd(["s.m4s"]));
  await using server = startServer({ root, faults: [{ match: "s.m4s", partialAnswer: 1000 }] });
  const out = await scratchDir();
  const r = await runCli([
    "dash",
    "get",
    `${server.url}v/m.mpd`,
    "-o",
    out,
    "-q",
    "--retries",
    "1",
    "--retry-delay",
    "0.01",
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /206 Partial Content/);
  assert.ok(!(await listFiles(out)).includes("s.m4s"));
});

Deno.test("a symlink planted in the output folder is never written through", async () => {
  const root = await scratchDir();
  await Deno.mkdir(join(root, "v", "sub"), { recursive: true });
  await Deno.writeTextFile(join(root, "v", "sub", "s.m4s"), "segment in a folder");
  await Deno.writeTextFile(join(root, "v", "t.m4s"), "segment at the top");
  await Deno.writeTextFile(join(root, "v", "m.mpd"), listMpd(["sub/s.m4s", "t.m4s"]));
  await using server = startServer({ root });
  const elsewhere = await scratchDir();
  await Deno.writeTextFile(join(elsewhere, "precious"), "do not touch");
  const out = await scratchDir();
  // A folder the mirror needs is a link out of it; a final name is a link to a file outside.
  await Deno.symlink(elsewhere, join(out, "sub"));
  await Deno.symlink(join(elsewhere, "precious"), join(out, "t.m4s"));
  const r = await runCli(["dash", "get", `${server.url}v/m.mpd`, "-o", out, "-q"]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /symbolic link/);
  assert.deepEqual((await listFiles(elsewhere)).sort(), ["precious"], "nothing written there");
  assert.equal(await Deno.readTextFile(join(elsewhere, "precious")), "do not touch");
  // The link at the final name was replaced by the file itself.
  assert.equal((await Deno.lstat(join(out, "t.m4s"))).isSymlink, false);
  assert.equal(await Deno.readTextFile(join(out, "t.m4s")), "segment at the top");
});

Deno.test("dash dump of a saved MPD with hostile ids writes nothing outside its folder", async () => {
  const parent = await scratchDir();
  const dir = join(parent, "mirror");
  await Deno.mkdir(dir);
  const init = join(dir, "init.mp4");
  await Deno.copyFile(
    join(import.meta.dirname!, "fixtures/reference/dash-avc-aac/init-stream0.m4s"),
    init,
  );
  const ids = ["../../escape", "/abs", "..", "a/../../b"];
  const reps = ids.map((id) =>
    `<Representation id="${id}" bandwidth="1"><SegmentList duration="2">` +
    `<Initialization sourceURL="init.mp4"/></SegmentList></Representation>`
  ).join("");
  await Deno.writeTextFile(
    join(dir, "m.mpd"),
    `<MPD type="static" mediaPresentationDuration="PT2S"><Period>` +
      `<AdaptationSet mimeType="video/mp4">${reps}</AdaptationSet></Period></MPD>`,
  );
  const r = await runCli(["dash", "dump", "-d", dir, "--engine", "builtin", "-q"]);
  assert.equal(r.code, 0, r.stderr);
  const all = await listFiles(parent);
  assert.deepEqual(all, all.filter((f) => f.startsWith("mirror/")), all.join(" "));
  const written = (await listFiles(dir)).filter((f) => f !== "m.mpd" && f !== "init.mp4");
  assert.equal(written.length, ids.length * 3, written.join(" "));
});

Deno.test("a dash dump output name that a segment has is not overwritten", async () => {
  const dir = await scratchDir();
  const seg = await Deno.readFile(
    join(import.meta.dirname!, "fixtures/reference/dash-avc-aac/init-stream0.m4s"),
  );
  // The Representation "v" has a segment called v.m4s: the outputs go elsewhere.
  await Deno.writeFile(join(dir, "v.m4s"), seg);
  await Deno.writeTextFile(
    join(dir, "m.mpd"),
    `<MPD type="static" mediaPresentationDuration="PT2S"><Period>` +
      `<AdaptationSet mimeType="video/mp4"><Representation id="v" bandwidth="1">` +
      `<SegmentList duration="2"><Initialization sourceURL="v.m4s"/></SegmentList>` +
      `</Representation></AdaptationSet></Period></MPD>`,
  );
  const r = await runCli(["dash", "dump", "-d", dir, "--engine", "builtin", "--json", "-q"]);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout).representations[0];
  assert.notEqual(rep.name, "v");
  assert.ok(await sameBytes(join(dir, "v.m4s"), join(dir, `${rep.name}.m4s`)));
  assert.deepEqual(await Deno.readFile(join(dir, "v.m4s")), seg, "the segment is intact");
});

Deno.test("a closed stdout pipe ends the run quietly with exit 0", async () => {
  const root = await scratchDir();
  const names = Array.from({ length: 400 }, (_, i) => `segment-with-a-long-name-${i}.m4s`);
  await using server = startServer({ root, routes: { "/v/m.mpd": listMpd(names) } });
  const url = `${server.url}v/m.mpd`;
  // In process: standard output closes after 100 bytes.
  const { memoryIo } = await import("../src/ui/io.ts");
  const { main } = await import("../src/cli.ts");
  const io = memoryIo({ stdoutLimit: 100 });
  assert.equal(await main(["dash", "get", url, "--dry-run", "--json"], io), 0);
  assert.equal(io.stderrText(), "");
  // And as a real process whose reader goes away (`| head -c 100`).
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(REPO, "main.ts"), "dash", "get", url, "--dry-run", "--json"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read();
  await reader.cancel();
  const status = await child.status;
  const stderr = await new Response(child.stderr).text();
  assert.equal(status.code, 0, stderr);
  assert.equal(stderr, "");
});
