/**
 * Reads every resource a check needs — initialization segments first (every media segment's
 * timing needs its track's `trex` defaults), then everything else, at most `threads` at once —
 * and inspects each as it streams in: MP4 through the box walker, MPEG-TS packet by packet,
 * anything else for its presence and length. A resource several items share (byte ranges of
 * one file) is read once.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import { HttpError } from "../net/http.ts";
import { runPool } from "../net/pool.ts";
import { collectMp4Facts, type InitFacts, type Mp4Facts } from "./mp4_facts.ts";
import {
  type ReadContext,
  readResource,
  ResourceError,
  type Window,
  type WindowSource,
} from "./reader.ts";
import { scanTs, type TsFacts } from "./ts_facts.ts";

/** What an item is expected to be (or `any`). */
export type Format = "mp4" | "ts" | "webm" | "text" | "audio" | "encrypted" | "key" | "any";

/** The words for each format, in messages. */
const FORMAT_WORDS: Record<string, string> = {
  mp4: "MP4",
  ts: "MPEG-TS",
  webm: "WebM",
  text: "text",
  audio: "packed audio",
  html: "an HTML page",
  other: "of an unknown format",
};

/** One resource (or byte range of one) to read. */
export interface Item {
  /** The track it belongs to (its id). */
  track: string;
  /** Its absolute URL. */
  url: string;
  /** The bytes of it (`{ start: 0 }`: all of it). */
  window: Window;
  /** Its name in problems: the reference as written, and its byte range. */
  name: string;
  /** What it is for. */
  role: "init" | "index" | "media" | "key";
  /** The format the manifest implies. */
  expect: Format;
  /** The initialization segment its fragments use ({@link initKey}). */
  init?: string;
}

/** What reading an item found. */
export interface ItemResult {
  /** Why it could not be read (HTTP status, no such file), when it could not. */
  missing?: string;
  /** The format its first bytes show. */
  format?: string;
  /** Damage found: each a sentence. */
  damage: string[];
  /** MP4 facts, for MP4 items. */
  mp4?: Mp4Facts;
  /** Transport stream facts, for MPEG-TS items. */
  ts?: TsFacts;
}

/** The key of an initialization segment: its URL and byte range. */
export function initKey(url: string, window: Window): string {
  return `${url}#${window.start}-${window.end ?? ""}`;
}

/** Boxes an MP4 file or segment starts with. */
const MP4_FIRST_BOXES = new Set([
  "ftyp",
  "styp",
  "moov",
  "moof",
  "sidx",
  "ssix",
  "emsg",
  "prft",
  "free",
  "skip",
  "mdat",
  "uuid",
  "wide",
  "pdin",
  "meta",
  "mfra",
]);

/** Names a resource's format from its first bytes. */
export function sniff(head: Uint8Array): string {
  if (head.length === 0) return "empty";
  const text = new TextDecoder().decode(head).replace(/^\uFEFF/, "");
  if (head[0] === 0x47 && (head.length < 189 || head[188] === 0x47)) return "ts";
  // Matroska / WebM: the EBML header (initialization), or a Cluster, Segment or Cues element.
  const id = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  if ([0x1a45dfa3, 0x1f43b675, 0x18538067, 0x1c53bb6b].includes(id)) return "webm";
  if (text.startsWith("WEBVTT")) return "text";
  // Packed audio: an ID3 tag, or the sync word of ADTS / MPEG audio, or of AC-3 and E-AC-3.
  if (text.startsWith("ID3") || (head[0] === 0xff && (head[1] & 0xe0) === 0xe0)) return "audio";
  if (head[0] === 0x0b && head[1] === 0x77) return "audio";
  if (/^\s*<(!doctype\s+html|html)/i.test(text)) return "html";
  if (/^\s*</.test(text)) return "text";
  if (head.length >= 8) {
    const size = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
    const type = String.fromCharCode(...head.subarray(4, 8));
    if (MP4_FIRST_BOXES.has(type) || (/^[a-z0-9]{4}$/.test(type) && size >= 8)) return "mp4";
  }
  return "other";
}

/** Reads one item's bytes from its window and inspects them. */
async function inspect(item: Item, src: WindowSource, init?: InitFacts): Promise<ItemResult> {
  const damage: string[] = [];
  const at = (offset: number) => item.window.start + offset;
  const head = (await src.read(0, 189)).slice();
  let format = sniff(head);
  const result: ItemResult = { format, damage };
  if (format === "empty") {
    damage.push(
      item.window.end !== undefined ? "its byte range is past the end of the file" : "it is empty",
    );
    return result;
  }
  if (item.expect === "encrypted" || item.expect === "key") {
    format = result.format = item.expect;
    const size = await src.drain();
    if (item.expect === "key" && size !== 16) {
      damage.push(`an AES-128 key is 16 bytes; this one is ${size}`);
    }
    if (item.expect === "encrypted" && size % 16 !== 0) {
      damage.push(`${size} bytes is not a whole number of AES-128 blocks (16 bytes)`);
    }
  } else if (item.expect !== "any" && format !== item.expect) {
    damage.push(`it is ${FORMAT_WORDS[format] ?? format}, not ${FORMAT_WORDS[item.expect]}`);
  } else if (format === "mp4") {
    result.mp4 = await collectMp4Facts(src, init);
    for (const p of result.mp4.problems) damage.push(`${p.message} (at byte ${at(p.offset)})`);
  } else if (format === "ts") {
    result.ts = await scanTs(src);
    for (const p of result.ts.problems) {
      damage.push(p.message.replace(/byte (\d+)/g, (_, n) => `byte ${at(Number(n))}`));
    }
    if (!result.ts.hasPmt) damage.push("no PAT/PMT: the program's streams are not described");
  }
  // Every byte must arrive, those no box or packet was read for (an mdat's) too.
  const there = await src.drain();
  if (src.expected !== undefined && there < src.expected) {
    damage.push(
      `only ${there} of the ${src.expected} bytes of its range ` +
        `(${item.window.start}-${item.window.end}) are there`,
    );
  }
  return result;
}

/** Options of {@link readItems}. */
export interface ReadItemsOptions {
  /** Resources read at once. */
  threads: number;
  /** Told when each item is done. */
  onDone?: (item: Item, result: ItemResult) => void;
}

/**
 * Reads and inspects every item: initialization segments first, then the rest grouped by URL
 * (one read per resource). A resource that cannot be read gives each of its items `missing`.
 *
 * @example
 * ```ts
 * import { DEFAULT_HTTP } from "../net/http.ts";
 * const items: Item[] = [{
 *   track: "0", url: "https://cdn.example/v/seg-1.m4s", window: { start: 0 },
 *   name: "seg-1.m4s", role: "media", expect: "mp4",
 * }];
 * const { results } = await readItems(items, { http: DEFAULT_HTTP, allowFiles: false }, {
 *   threads: 4,
 * });
 * results.get(items[0])?.missing;
 * ```
 */
export async function readItems(
  items: readonly Item[],
  ctx: ReadContext,
  options: ReadItemsOptions,
): Promise<{ results: Map<Item, ItemResult>; inits: Map<string, InitFacts> }> {
  const results = new Map<Item, ItemResult>();
  const inits = new Map<string, InitFacts>();
  const signal = ctx.http.signal;
  const read = async (group: Item[], withInit: boolean) => {
    let got: ItemResult[];
    try {
      got = await readResource(
        group[0].url,
        group.map((i) => i.window),
        ctx,
        (index, src) =>
          inspect(group[index], src, withInit ? inits.get(group[index].init ?? "") : undefined),
      );
    } catch (err) {
      if (signal?.aborted) throw err;
      if (!(err instanceof ResourceError) && !(err instanceof HttpError)) throw err;
      got = group.map(() => ({ missing: errorMessage(err), damage: [] }));
    }
    group.forEach((item, i) => {
      results.set(item, got[i]);
      options.onDone?.(item, got[i]);
    });
  };
  // Initialization segments first, each once.
  const initGroups = new Map<string, Item[]>();
  for (const item of items) {
    if (item.role !== "init") continue;
    const key = initKey(item.url, item.window);
    const list = initGroups.get(key);
    if (list) list.push(item);
    else initGroups.set(key, [item]);
  }
  const firsts = [...initGroups.values()].map((g) => [g[0]]);
  await runPool(firsts, options.threads, (g) => read(g, false), signal);
  if (signal?.aborted) throw signal.reason;
  for (const [key, group] of initGroups) {
    const r = results.get(group[0])!;
    for (const item of group.slice(1)) results.set(item, r);
    if (r.mp4?.init) inits.set(key, r.mp4.init);
  }
  // Then everything else, one read per URL.
  const byUrl = new Map<string, Item[]>();
  for (const item of items) {
    if (item.role === "init") continue;
    const list = byUrl.get(item.url);
    if (list) list.push(item);
    else byUrl.set(item.url, [item]);
  }
  await runPool([...byUrl.values()], options.threads, (g) => read(g, true), signal);
  if (signal?.aborted) throw signal.reason;
  return { results, inits };
}
