/**
 * Credentials stay with the hosts the user meant (issue 22): two loopback origins on
 * different addresses (127.0.0.1 and 127.0.0.2); manifests on the first name media, variants
 * and keys on the second, and redirects cross between them. The second origin's request log
 * shows no credential unless `--header-host` names it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { HeaderScope } from "../src/net/credentials.ts";
import { runCli, scratchDir } from "./cli_helpers.ts";
import { type RecordedRequest, startServer, type TestServer } from "./server.ts";

const AUTH = ["-H", "Authorization: Bearer secret-token", "-H", "Cookie: session=s3cr3t"];

/** Whether a request carried either credential. */
function credentialed(q: RecordedRequest): boolean {
  return q.headers["authorization"] !== undefined || q.headers["cookie"] !== undefined;
}

/** Two origins: `a` (127.0.0.1) holds the manifests, `b` (127.0.0.2) the media. */
async function origins(): Promise<{ a: TestServer; b: TestServer; root: string }> {
  const root = await scratchDir();
  await Deno.mkdir(join(root, "m"));
  for (const n of ["init.mp4", "s1.m4s", "s2.m4s", "k.key", "r.m4s"]) {
    await Deno.writeTextFile(join(root, "m", n), `bytes of ${n}`);
  }
  const b = startServer({ root, hostname: "127.0.0.2" });
  const a = startServer({
    root,
    faults: [
      // A segment on the first origin that moved to the second.
      { match: "/moved/r.m4s", redirect: { status: 302, location: `${b.url}m/r.m4s` } },
    ],
  });
  // A segment on the second origin that moved back to the first.
  b.setFaults([{ match: "/back/s2.m4s", redirect: { status: 302, location: `${a.url}m/s2.m4s` } }]);
  const mpd = `<MPD type="static" mediaPresentationDuration="PT6S"><Period>
<AdaptationSet mimeType="video/mp4"><Representation id="v" bandwidth="1"><SegmentList duration="2">
<Initialization sourceURL="${b.url}m/init.mp4"/>
<SegmentURL media="${b.url}m/s1.m4s"/><SegmentURL media="${b.url}back/s2.m4s"/>
<SegmentURL media="${a.url}moved/r.m4s"/>
</SegmentList></Representation></AdaptationSet></Period></MPD>`;
  a.setRoute("/m.mpd", mpd);
  a.setRoute(
    "/master.m3u8",
    `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n${b.url}v/prog.m3u8\n`,
  );
  b.setRoute(
    "/v/prog.m3u8",
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
      `#EXT-X-KEY:METHOD=AES-128,URI="${b.url}m/k.key"\n` +
      `#EXTINF:2,\n${b.url}m/s1.m4s\n#EXTINF:2,\n${a.url}moved/r.m4s\n#EXT-X-ENDLIST\n`,
  );
  return { a, b, root };
}

Deno.test("HeaderScope: the typed origin, named hosts on any or one port, or everywhere", () => {
  const scope = new HeaderScope("https://a.example/vod/m.mpd", ["cdn.example", "x.example:8443"]);
  assert.ok(scope.allows(new URL("https://a.example/seg.m4s")));
  assert.ok(scope.allows(new URL("https://a.example:443/seg.m4s")));
  assert.ok(!scope.allows(new URL("http://a.example/seg.m4s")), "another scheme");
  assert.ok(!scope.allows(new URL("https://a.example:8443/seg.m4s")), "another port");
  assert.ok(scope.allows(new URL("http://cdn.example:8080/x")));
  assert.ok(scope.allows(new URL("https://x.example:8443/x")));
  assert.ok(!scope.allows(new URL("https://x.example/x")));
  assert.ok(!scope.allows(new URL("https://a.example.evil/x")));
  assert.ok(new HeaderScope(undefined, ["*"]).allows(new URL("http://anything/")));
  assert.ok(!new HeaderScope(undefined).allows(new URL("http://anything/")));
  assert.throws(() => new HeaderScope(undefined, ["a/b"]), /not HOST, HOST:PORT or \*/);
});

for (const [cmd, manifest] of [["dash", "m.mpd"], ["hls", "master.m3u8"]] as const) {
  Deno.test(`${cmd} get: -H headers go to the origin typed only, redirect hops included`, async () => {
    const { a, b } = await origins();
    await using _a = a;
    await using _b = b;
    const out = await scratchDir();
    const r = await runCli([cmd, "get", `${a.url}${manifest}`, "-o", out, "-q", ...AUTH]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(b.requests.length >= 3, "the second origin was used");
    assert.deepEqual(b.requests.filter(credentialed).map((q) => q.path), []);
    // Every request to the first origin carried them, the hop back from b included.
    assert.ok(a.requests.length >= 2);
    assert.deepEqual(a.requests.filter((q) => !credentialed(q)).map((q) => q.path), []);
    if (cmd === "dash") assert.equal(a.count("/m/s2.m4s"), 1, "b's redirect back to a");
  });

  Deno.test(`${cmd} get: --header-host names the second origin (any port, or one port)`, async () => {
    for (const host of ["127.0.0.2", "PORT"]) {
      const { a, b } = await origins();
      await using _a = a;
      await using _b = b;
      const out = await scratchDir();
      const named = host === "PORT" ? `127.0.0.2:${b.port}` : host;
      const r = await runCli([
        cmd,
        "get",
        `${a.url}${manifest}`,
        "-o",
        out,
        "-q",
        ...AUTH,
        "--header-host",
        named,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(b.requests.filter((q) => !credentialed(q)).map((q) => q.path), [], named);
    }
  });
}

Deno.test("--header-host '*' sends the headers everywhere, with a one-line warning", async () => {
  const { a, b } = await origins();
  await using _a = a;
  await using _b = b;
  const out = await scratchDir();
  const r = await runCli([
    "dash",
    "get",
    `${a.url}m.mpd`,
    "-o",
    out,
    "-q",
    ...AUTH,
    "--header-host",
    "*",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(b.requests.filter((q) => !credentialed(q)).map((q) => q.path), []);
  assert.equal(r.stderr.trim().split("\n").filter((l) => /warning/.test(l)).length, 1, r.stderr);
});

Deno.test("a 401/403 from a host the headers were withheld from says which host, and the fix", async () => {
  const { a, b } = await origins();
  await using _a = a;
  await using _b = b;
  b.setFaults([{ match: "/m/s1.m4s", status: 403 }]);
  const out = await scratchDir();
  const r = await runCli(["dash", "get", `${a.url}m.mpd`, "-o", out, ...AUTH]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /HTTP 403 .* not sent to 127\.0\.0\.2:\d+.*--header-host 127\.0\.0\.2/);
});

Deno.test("--dry-run --json says per item whether the headers would be sent", async () => {
  const { a, b } = await origins();
  await using _a = a;
  await using _b = b;
  const r = await runCli(["dash", "get", `${a.url}m.mpd`, "--dry-run", "--json", ...AUTH]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  const sent = Object.fromEntries(
    plan.items.map((i: { url: string; headers: boolean }) => [new URL(i.url).host, i.headers]),
  );
  assert.deepEqual(sent, { [new URL(b.url).host]: false, [new URL(a.url).host]: true });
  assert.equal(plan.manifests[0].headers, true);
  assert.equal(b.requests.length, 0, "a dry run fetches no media");
});

Deno.test("a local manifest: the headers go to the --base-url origin only", async () => {
  const { a, b } = await origins();
  await using _a = a;
  await using _b = b;
  const dir = await scratchDir();
  const text = await (await fetch(`${a.url}m.mpd`)).text();
  a.resetLog();
  await Deno.writeTextFile(join(dir, "m.mpd"), text);
  const out = await scratchDir();
  const r = await runCli([
    "dash",
    "get",
    join(dir, "m.mpd"),
    "--base-url",
    a.url,
    "-o",
    out,
    "-q",
    ...AUTH,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(b.requests.filter(credentialed).map((q) => q.path), []);
  assert.ok(a.requests.length > 0 && a.requests.every(credentialed));
});
