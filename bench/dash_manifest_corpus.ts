/**
 * The saved-copy run over public test manifests (issue 15): every MPD under the given folder
 * (the test manifests of players, parsers and packagers, read in place) is served on
 * loopback with placeholder bytes for every URL it names, mirrored with `dash get`, and its
 * saved copy checked offline — by the self-check `dash get` runs, again with
 * `checkSavedDash` on the output folder, and by a second, independent parser (videojs's
 * mpd-parser must find in the copy every saved resource it finds in the original). The
 * script prints, per source (the first folder level under DIR), how many manifests there
 * were, how many are live or refused, how many were mirrored, and how many saved copies
 * resolve; then every one that does not, with the check's messages.
 *
 * Each absolute origin a manifest names (`https://cdn.example`) is served by a loopback
 * server of its own (`http://127.0.0.1:<port>`): the manifest is served with those origins
 * replaced, and otherwise as written, two folders deep so `../` references stay on the host.
 * A manifest that would need more than `--max-resources` downloads is planned only: its
 * saved text is checked without files.
 *
 * Run: `deno run -A bench/dash_manifest_corpus.ts [--json FILE] [--max-resources N] DIR`
 *
 * @module
 */
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse as mpdParserParse } from "mpd-parser";
import { checkSavedDash, checkSavedText } from "../src/dash/copy_check.ts";
import { localUrl, PLANNING_ROOT } from "../src/dash/local_ref.ts";
import { mpdDocument } from "../src/dash/mpd.ts";
import { planDash } from "../src/dash/plan.ts";
import { main } from "../src/cli.ts";
import { errorMessage } from "../src/errors.ts";
import { memoryIo } from "../src/ui/io.ts";

/** What became of one manifest. */
type Outcome =
  | "unreadable" // not an MPD streamkit can read at all
  | "live" // MPD@type="dynamic": the live recorder's business, not run here
  | "refused" // dash get would exit 2: nothing usable
  | "resolves" // mirrored (or planned), and the saved copy resolves
  | "unresolved"; // mirrored (or planned), and the saved copy does not resolve

/** One manifest's result. */
interface Result {
  file: string;
  source: string;
  outcome: Outcome;
  /** Downloaded (false: planned only). */
  mirrored?: boolean;
  /** Resources planned. */
  resources?: number;
  /** Parts that could not be used (exit 1). */
  failedParts?: number;
  /** `dash get`'s exit code. */
  code?: number;
  /** Whether the saved text differs from the original. */
  rewritten?: boolean;
  /** The self-check's messages (from `dash get`), and the independent check's. */
  messages?: string[];
  /** Why it was refused or unreadable. */
  reason?: string;
  /** The second opinion of videojs's mpd-parser: resources compared, and those that differ. */
  mpdParser?: { compared: number; differ: string[]; error?: string };
}

interface TheirPlaylist {
  attributes?: { NAME?: string };
  segments?: { resolvedUri?: string; map?: { resolvedUri?: string } }[];
}

/** videojs's mpd-parser's view of a manifest: Representation id → init and media URIs. */
function theirs(text: string, manifestUri: string): Map<string, string[]> {
  const parsed = mpdParserParse(text, { manifestUri }) as unknown as {
    playlists?: TheirPlaylist[];
    mediaGroups?: Record<string, Record<string, Record<string, { playlists?: TheirPlaylist[] }>>>;
  };
  const lists: TheirPlaylist[] = [...(parsed.playlists ?? [])];
  for (const type of Object.values(parsed.mediaGroups ?? {})) {
    for (const group of Object.values(type)) {
      for (const r of Object.values(group)) lists.push(...(r.playlists ?? []));
    }
  }
  const out = new Map<string, string[]>();
  for (const p of lists) {
    const uris: string[] = [];
    for (const s of p.segments ?? []) {
      if (s.map?.resolvedUri) uris.push(s.map.resolvedUri);
      if (s.resolvedUri) uris.push(s.resolvedUri);
    }
    const name = p.attributes?.NAME ?? "";
    out.set(name, [...(out.get(name) ?? []), ...uris]);
  }
  return out;
}

/** A URL in one spelling (mpd-parser does not normalise as the URL standard does). */
function normal(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/**
 * A second opinion from an independent parser (videojs's mpd-parser): each resource it finds
 * in the original manifest that `dash get` saved must be among what it finds, for the same
 * Representation, in the saved copy. (It reads some things otherwise — no SegmentBase without the sidx, a BaseURL as an
 * init segment, other segment counts; what it finds that streamkit did not download is not
 * compared.) Representations that were not mirrored are left out.
 */
function mpdParserCheck(
  original: string,
  originalUrl: string,
  saved: string,
  out: string,
  manifestPath: string,
  pathOf: Map<string, string>,
  skip: Set<string>,
): { compared: number; differ: string[]; error?: string } {
  let before, after;
  try {
    before = theirs(original, originalUrl);
    after = theirs(saved, pathToFileURL(join(out, manifestPath)).href);
  } catch (err) {
    return { compared: 0, differ: [], error: errorMessage(err) };
  }
  let compared = 0;
  const differ: string[] = [];
  for (const [name, uris] of before) {
    if (skip.has(name)) continue;
    // Where mpd-parser lands in the copy (as a set: it counts some segments otherwise than
    // streamkit does, e.g. twice across Periods, which shifts positions but not files).
    const landed = new Set((after.get(name) ?? []).map((c) => {
      try {
        return fileURLToPath(normal(c));
      } catch {
        return c;
      }
    }));
    for (const u of new Set(uris)) {
      const path = pathOf.get(normal(u));
      if (path === undefined) continue;
      compared++;
      if (!landed.has(join(out, path))) {
        differ.push(`${name}: ${u}, saved as ${path}, is not what it reads in the copy`);
      }
    }
  }
  return { compared, differ };
}

/** Files whose first bytes look like an MPD (a root `MPD` element), under `dir`. */
async function manifests(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.isFile) {
        const st = await Deno.stat(p);
        if (st.size > 4 * 1024 * 1024) continue;
        const head = new TextDecoder().decode((await Deno.readFile(p)).slice(0, 4096))
          .replace(/^\uFEFF/, "")
          .replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, "").trimStart();
        if (/^<(?:[\w.-]+:)?MPD[\s>/]/.test(head)) out.push(p);
      }
    }
  };
  await walk(dir);
  return out.sort();
}

/** A loopback origin that answers every GET with placeholder bytes (or a route). */
function origin(routes: Map<string, string>): { url: string; close: () => Promise<void> } {
  const body = new TextEncoder().encode("placeholder media bytes\n".repeat(43));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    const text = routes.get(path);
    if (text !== undefined) {
      return new Response(text, { headers: { "content-type": "application/dash+xml" } });
    }
    return new Response(req.method === "HEAD" ? null : body, {
      headers: { "content-length": String(body.length), "content-type": "video/mp4" },
    });
  });
  const addr = server.addr as Deno.NetAddr;
  return { url: `http://127.0.0.1:${addr.port}`, close: () => server.shutdown() };
}

const ABSOLUTE = /\bhttps?:\/\/[^\s"'<>/]+/gi;

/** Serves one manifest, runs `dash get` on it and checks the saved copy. */
async function runOne(
  file: string,
  source: string,
  index: number,
  maxResources: number,
  work: string,
): Promise<Result> {
  const text = await Deno.readTextFile(file);
  const result: Result = { file, source, outcome: "unreadable" };
  try {
    if (mpdDocument(text, "http://127.0.0.1/x.mpd").type === "dynamic") {
      return { ...result, outcome: "live" };
    }
  } catch (err) {
    return { ...result, reason: errorMessage(err).split("\n")[0] };
  }
  // One loopback server per origin the manifest names, and one for the manifest itself.
  const routes = new Map<string, string>();
  const main0 = origin(routes);
  const others = new Map<string, ReturnType<typeof origin>>();
  const served = text.replace(ABSOLUTE, (o) => {
    const key = o.toLowerCase();
    if (!others.has(key)) others.set(key, origin(new Map()));
    return others.get(key)!.url;
  });
  const name = file.slice(file.lastIndexOf("/") + 1);
  const path = `/m/${index}/a/b/${name}`;
  routes.set(path, served);
  const url = `${main0.url}${path.split("/").map(encodeURIComponent).join("/")}`;
  const out = join(work, String(index));
  try {
    let planned;
    try {
      planned = planDash(served, url);
    } catch (err) {
      return { ...result, outcome: "refused", reason: errorMessage(err).split("\n")[0] };
    }
    result.resources = planned.plan.items.length;
    result.failedParts = planned.plan.failures?.length ?? 0;
    result.rewritten = planned.plan.manifests[0].original !== undefined;
    if (planned.plan.items.length > maxResources) {
      const manifest = localUrl(PLANNING_ROOT, planned.saved.manifestPath);
      const issues = checkSavedText(
        planned.plan.manifests[0].text,
        manifest,
        PLANNING_ROOT,
        planned.saved.expect,
      );
      const messages = issues.map((i) => i.message);
      return {
        ...result,
        mirrored: false,
        messages,
        outcome: messages.length ? "unresolved" : "resolves",
      };
    }
    const io = memoryIo({ cwd: work, env: { NO_COLOR: "1" } });
    const args = ["dash", "get", url, "-o", out, "--json", "-q", "-t", "16", "--retries", "0"];
    result.code = await main([...args, "--timeout", "5"], io);
    result.mirrored = true;
    let unresolved: string[] = [];
    try {
      unresolved = JSON.parse(io.stdoutText()).unresolved ?? [];
    } catch {
      return { ...result, outcome: "refused", reason: io.stderrText().split("\n")[0] };
    }
    const independent = await checkSavedDash(out, planned.saved);
    const savedText = await Deno.readTextFile(join(out, planned.saved.manifestPath));
    const skip = new Set(
      planned.mpd.representations.filter((r) => !planned.placed.some((p) => p.rep === r)).map((r) =>
        r.id
      ),
    );
    for (const p of planned.mpd.problems) {
      for (const m of p.where.matchAll(/\(id=([^)]*)\)/g)) skip.add(m[1]);
    }
    result.mpdParser = mpdParserCheck(
      served,
      url,
      savedText,
      out,
      planned.saved.manifestPath,
      new Map([...planned.plan.items].map((i) => [normal(i.url), i.path])),
      skip,
    );
    const messages = [
      ...new Set([...unresolved, ...independent]),
      ...result.mpdParser.differ.map((d) => `mpd-parser: ${d}`),
    ];
    return { ...result, messages, outcome: messages.length ? "unresolved" : "resolves" };
  } finally {
    await main0.close();
    for (const o of others.values()) await o.close();
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
}

/** The Markdown table of the results, per source and in total. */
function table(results: Result[]): string {
  const sources = [...new Set(results.map((r) => r.source))];
  const row = (name: string, rs: Result[]) => {
    const n = (o: Outcome) => rs.filter((r) => r.outcome === o).length;
    const checked = n("resolves") + n("unresolved");
    return `| ${name} | ${rs.length} | ${n("live")} | ${n("unreadable") + n("refused")} | ` +
      `${rs.filter((r) => r.mirrored).length} | ${
        rs.filter((r) => r.mirrored === false).length
      } | ` +
      `${rs.filter((r) => r.rewritten).length} | ${n("resolves")} / ${checked} |`;
  };
  return [
    "| source | MPDs | live (not run) | unusable | mirrored | planned only | rewritten | saved copy resolves |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...sources.map((s) => row(s, results.filter((r) => r.source === s))),
    row("**total**", results),
  ].join("\n");
}

async function run(args: string[]): Promise<number> {
  let json: string | undefined;
  let maxResources = 3000;
  const dirs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--json") json = args[++i];
    else if (args[i] === "--max-resources") maxResources = Number(args[++i]);
    else dirs.push(args[i]);
  }
  if (dirs.length !== 1) {
    console.error("usage: deno run -A bench/dash_manifest_corpus.ts [--json FILE] DIR");
    return 2;
  }
  const dir = dirs[0];
  const files = await manifests(dir);
  const work = await Deno.makeTempDir({ prefix: "streamkit-corpus-" });
  const results: Result[] = [];
  try {
    for (const [i, file] of files.entries()) {
      const source = relative(dir, file).split("/")[0];
      const r = await runOne(file, source, i, maxResources, work);
      results.push(r);
      const mark = r.outcome === "unresolved" ? "!!" : "  ";
      console.error(
        `${mark} ${String(i + 1).padStart(3)}/${files.length} ${r.outcome.padEnd(10)} ${
          relative(dir, file)
        }`,
      );
    }
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
  console.log(`# dash get over ${files.length} public test manifests (${dir})\n`);
  console.log(table(results));
  const bad = results.filter((r) => r.outcome === "unresolved");
  console.log(`\nsaved copies that do not resolve: ${bad.length}`);
  for (const r of bad) {
    console.log(`\n- ${relative(dir, r.file)}`);
    for (const m of r.messages ?? []) console.log(`  - ${m}`);
  }
  const read = results.filter((r) => (r.mpdParser?.compared ?? 0) > 0);
  console.log(
    `\nmpd-parser (videojs), a second parser, on ${read.length} of the ` +
      `${results.filter((r) => r.mirrored).length} mirrored copies: ` +
      `${read.reduce((n, r) => n + r.mpdParser!.compared, 0)} saved resources compared ` +
      `between the original and the copy, ` +
      `${read.reduce((n, r) => n + r.mpdParser!.differ.length, 0)} differ`,
  );
  const refused = results.filter((r) => r.outcome === "refused" || r.outcome === "unreadable");
  if (refused.length) {
    console.log(`\nnot mirrored (exit 2), with the reason:`);
    for (const r of refused) console.log(`- ${relative(dir, r.file)}: ${r.reason}`);
  }
  const partial = results.filter((r) => (r.failedParts ?? 0) > 0);
  if (partial.length) {
    console.log(`\nmirrored without some parts (exit 1; the rest resolves or is listed above):`);
    for (const r of partial) console.log(`- ${relative(dir, r.file)}: ${r.failedParts} part(s)`);
  }
  if (json) await Deno.writeTextFile(json, JSON.stringify(results, null, 2) + "\n");
  return bad.length > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await run(Deno.args));
