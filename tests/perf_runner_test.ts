/**
 * The runner's cost stays flat as the plan grows (issue 20), as behaviour — never as time:
 * items are taken from a lazy source one at a time as workers free up; per-track counts the
 * planner gives are used without going through the items again; the output folder is read
 * once per folder; a long manifest is written piece by piece; a small file costs no validator
 * sidecar; a stalled transfer is still named.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { executePlan } from "../src/mirror/run.ts";
import { OutputDir, prepareOutputDir } from "../src/mirror/output.ts";
import { Layout } from "../src/mirror/layout.ts";
import { lazyItems, type PlanItem, type RunnablePlan } from "../src/mirror/plan.ts";
import { StallWatch } from "../src/mirror/fetch_item.ts";
import { downloadFile } from "../src/net/download.ts";
import { DEFAULT_HTTP, type HttpOptions } from "../src/net/http.ts";
import { runEach } from "../src/net/pool.ts";
import type { RunEvent } from "../src/events.ts";
import { startServer } from "./server.ts";

const HTTP: HttpOptions = { ...DEFAULT_HTTP, retries: 1, retryDelayMs: 5, timeoutMs: 5000 };

/** `count` small files served from memory: `s/<n>.bin`, each `n` repeated a few times. */
function routes(count: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let n = 1; n <= count; n++) out[`s/${n}.bin`] = `${n}`.repeat(1 + (n % 7));
  return out;
}

Deno.test("runEach takes items one at a time as lanes free up, and never more than asked", async () => {
  let taken = 0;
  let running = 0;
  let most = 0;
  function* items() {
    for (let i = 0; i < 500; i++) {
      taken++;
      // A lazy source is read only as far as the lanes have room.
      assert.ok(taken - done <= 4 + 1, `${taken} taken, ${done} done`);
      yield i;
    }
  }
  let done = 0;
  const started = await runEach(items(), 4, async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 0));
    running--;
    done++;
  });
  assert.equal(started, 500);
  assert.equal(done, 500);
  assert.equal(most, 4);
});

Deno.test("runEach stops taking items on abort and on the first error, and closes the source", async () => {
  let closed = 0;
  function* items() {
    try {
      for (let i = 0;; i++) yield i;
    } finally {
      closed++;
    }
  }
  const controller = new AbortController();
  const started = await runEach(items(), 3, async (i) => {
    if (i === 10) controller.abort();
    await new Promise((r) => setTimeout(r, 0));
  }, controller.signal);
  assert.ok(started >= 11 && started <= 13, `${started}`);
  assert.equal(closed, 1);
  await assert.rejects(
    runEach(items(), 2, async (i) => {
      await Promise.resolve();
      if (i === 5) throw new Error("boom");
    }),
    /boom/,
  );
  assert.equal(closed, 2);
});

Deno.test("executePlan runs a lazy plan: items generated as workers take them, counts from the planner", async () => {
  const count = 300;
  await using server = startServer({ root: await Deno.makeTempDir(), routes: routes(count) });
  const out = await prepareOutputDir(await Deno.makeTempDir());
  const layout = new Layout(`${server.url}manifest.mpd`);
  let passes = 0;
  let generated = 0;
  let finished = 0;
  let mostAhead = 0;
  const items = lazyItems(count, function* (): Generator<PlanItem> {
    passes++;
    for (let n = 1; n <= count; n++) {
      generated++;
      mostAhead = Math.max(mostAhead, generated - finished);
      const url = `${server.url}s/${n}.bin`;
      yield { url, path: layout.pathFor(url), kind: "media", track: n % 2 ? "odd" : "even" };
    }
  });
  const plan: RunnablePlan = {
    tracks: [{ id: "odd", files: count / 2 }, { id: "even", files: count / 2 }],
    manifests: [{
      url: `${server.url}manifest.mpd`,
      path: "manifest.mpd",
      text: () => ["<MPD>", "</MPD>\n"],
    }],
    items,
    notes: [],
  };
  const events: RunEvent[] = [];
  const report = await executePlan(plan, { out, threads: 8, verify: false, http: HTTP }, (e) => {
    if (e.event === "file") finished++;
    if (e.event === "plan" || e.event === "end") events.push(e);
  });
  try {
    assert.equal(report.totals.done, count);
    assert.equal(passes, 1, "the items were gone through once: the counts came from the plan");
    assert.ok(mostAhead <= 8 + 1, `${mostAhead} items were made ahead of the downloads`);
    const planEvent = events[0] as Extract<RunEvent, { event: "plan" }>;
    assert.deepEqual(planEvent.tracks.map((t) => [t.id, t.files]), [["odd", 150], ["even", 150]]);
    assert.equal(planEvent.files, count);
    assert.equal(await Deno.readTextFile(join(out.root, "manifest.mpd")), "<MPD></MPD>\n");
    for (const n of [1, 150, count]) {
      assert.equal(await Deno.readTextFile(join(out.root, `s/${n}.bin`)), `${n}`.repeat(1 + n % 7));
    }
    // Without counts from the planner, the runner counts them in one more pass.
    passes = 0;
    generated = finished = 0;
    const again = await executePlan(
      { ...plan, tracks: [{ id: "odd" }, { id: "even" }] },
      { out: new OutputDir(out.root), threads: 8, verify: false, http: HTTP },
    );
    assert.equal(again.totals.present, count);
    assert.equal(passes, 2);
  } finally {
    await Deno.remove(out.root, { recursive: true });
  }
});

Deno.test("the output folder is read once per folder: sizes of what is there, nothing else", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "v"));
    for (let n = 0; n < 2000; n++) {
      await Deno.writeTextFile(join(root, "v", `f-${n}.bin`), "x".repeat(n % 13));
    }
    await Deno.mkdir(join(root, "v", "sub.bin"));
    await Deno.symlink(join(root, "v", "f-1.bin"), join(root, "v", "link.bin"));
    const out = new OutputDir(root);
    for (let n = 0; n < 2000; n++) assert.equal(out.sizeOf(`v/f-${n}.bin`), n % 13);
    assert.equal(out.sizeOf("v/sub.bin"), undefined, "a folder is not a file");
    assert.equal(out.sizeOf("v/link.bin"), undefined, "a symlink does not count");
    assert.equal(out.sizeOf("v/f-2000.bin"), undefined);
    assert.equal(out.sizeOf("w/f-1.bin"), undefined, "a folder that is not there");
    // What the listing saw is what counts: a file made later in the run is not "already there".
    await Deno.writeTextFile(join(root, "v", "late.bin"), "late");
    assert.equal(out.sizeOf("v/late.bin"), undefined);
    // Paths resolve as resolveInside would, and never leave the folder.
    assert.equal(out.abs("v/f-1.bin"), join(root, "v", "f-1.bin"));
    assert.throws(() => out.abs("../x"), /outside the output directory/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("writeText writes a text given in pieces exactly, across its encoding buffer", async () => {
  const root = await Deno.makeTempDir();
  try {
    const out = new OutputDir(root);
    const pieces = ["é".repeat(40_000), "😀".repeat(20_000), "", "a", "\n".repeat(70_000), "€"];
    out.writeText("m.m3u8", pieces);
    assert.equal(await Deno.readTextFile(join(root, "m.m3u8")), pieces.join(""));
    out.writeText(
      "m.m3u8",
      (function* () {
        for (let i = 0; i < 10_000; i++) yield `#EXTINF:1,\nseg-${i}.ts\n`;
      })(),
    );
    const text = await Deno.readTextFile(join(root, "m.m3u8"));
    assert.equal(text.split("\n").length, 20_001);
    assert.ok(text.endsWith("seg-9999.ts\n"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a small file lands with one create and one rename: no validator sidecar is written", async () => {
  const big = "y".repeat(700_000);
  await using server = startServer({
    root: await Deno.makeTempDir(),
    routes: { "small.bin": "small body", "big.bin": big },
    faults: [{ match: "/big.bin", stallAfterBytes: 300_000, stallMs: 400 }],
  });
  const dir = await Deno.makeTempDir();
  try {
    const target = (name: string) => ({
      final: join(dir, name),
      partial: join(dir, `${name}.part`),
      validator: join(dir, `${name}.validator`),
    });
    const seen: string[] = [];
    const watch = setInterval(() => {
      try {
        Deno.statSync(join(dir, "big.bin.validator"));
        seen.push("validator");
      } catch {
        // not (yet, or any more)
      }
    }, 50);
    try {
      // Its validator would go into a folder that does not exist: writing it would fail.
      const smallTarget = { ...target("small.bin"), validator: join(dir, "none", "v") };
      const small = await downloadFile(`${server.url}small.bin`, smallTarget, {
        http: HTTP,
        partialSize: 0,
        validatorExists: false,
      });
      assert.equal(small.status, "done");
      assert.equal(await Deno.readTextFile(join(dir, "small.bin")), "small body");
      // The big one's partial bytes wait on disk (the stall): its validator is there with them.
      const bigOutcome = await downloadFile(`${server.url}big.bin`, target("big.bin"), {
        http: HTTP,
        partialSize: 0,
        validatorExists: false,
      });
      assert.equal(bigOutcome.status, "done");
    } finally {
      clearInterval(watch);
    }
    assert.ok(seen.length > 0, "the validator was on disk while partial bytes were");
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort(), [
      "big.bin",
      "small.bin",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a stall is still reported with the coarse stall clock", async () => {
  const stalls: RunEvent[] = [];
  const watch = new StallWatch(300, (e) => stalls.push(e));
  try {
    watch.alive("a.m4s", "v");
    watch.alive("b.m4s", "v");
    const keepAlive = setInterval(() => watch.alive("b.m4s", "v"), 100);
    await new Promise((r) => setTimeout(r, 1200));
    clearInterval(keepAlive);
    assert.deepEqual(stalls.map((e) => "path" in e && e.path), ["a.m4s"]);
  } finally {
    watch.stop();
  }
});
