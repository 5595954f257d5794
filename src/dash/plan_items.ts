/**
 * The items of a DASH plan, generated as the run takes them: each URL once (the first
 * resource that names it), with every byte range the manifest addresses in it, its path
 * from the layout. While planning, each resource is seen once ({@link DashItems.start}) and
 * only what cannot be generated again is kept: which resources repeat a URL seen before (a
 * template's segments never do), and the ranges. A 100,000-segment template thus costs its
 * template and a count, not 100,000 objects with strings.
 *
 * @module
 */
import { hash64, HashTable64 } from "../mirror/hash_table.ts";
import {
  type ByteRange,
  lazyItems,
  type PlanItem,
  type PlanItems,
  type ResourceKind,
} from "../mirror/plan.ts";
import type { Representation } from "./mpd_model.ts";
import type { Segment, SegmentKind } from "./segments.ts";
import type { PlacedSegment } from "./plan.ts";

const KIND: Record<SegmentKind, ResourceKind> = {
  init: "init",
  index: "index",
  media: "media",
  bitstreamSwitching: "init",
};

/** One Representation's part of the items. */
interface Part {
  rep: Representation;
  segments: Iterable<PlacedSegment>;
  /** Positions (ascending) of resources whose URL an earlier resource already names. */
  repeats: number[];
}

/**
 * Collects the items of a plan while its Representations are placed, then gives them as a
 * lazy source ({@link DashItems.items}).
 *
 * @example
 * ```ts
 * import { parseMpd } from "./mpd.ts";
 * import { dashLayout, placeLazily } from "./plan.ts";
 * const url = "https://cdn.example/vod/manifest.mpd";
 * const mpd = parseMpd(await Deno.readTextFile("manifest.mpd"), url);
 * const { layout } = dashLayout(url);
 * const items = new DashItems();
 * for (const rep of mpd.representations) {
 *   const see = items.start(rep);
 *   items.add(placeLazily(rep, url, layout, {}, see));
 * }
 * for (const item of items.items()) console.log(item.url, item.path);
 * ```
 */
export class DashItems {
  #seen = new HashTable64();
  #parts: Part[] = [];
  #ranges = new Map<string, ByteRange[]>();
  #files = new Map<string, number>();
  #count = 0;
  #pending: Part | undefined;

  /**
   * Starts a Representation: returns the function to call with each of its resources, in
   * order, once it is known to be mirrored (as {@link placeLazily} calls it).
   */
  start(rep: Representation): (seg: Segment, index: number) => void {
    const part: Part = { rep, segments: [], repeats: [] };
    this.#pending = part;
    return (seg, index) => {
      if (seg.range) {
        const list = this.#ranges.get(seg.url);
        if (list) list.push(seg.range);
        else this.#ranges.set(seg.url, [seg.range]);
      }
      if (!this.#seen.add(hash64(seg.url))) part.repeats.push(index);
      else {
        this.#count++;
        this.#files.set(rep.id, (this.#files.get(rep.id) ?? 0) + 1);
      }
    };
  }

  /** Adds the Representation last started, now placed, with its resources. */
  add(placed: { rep: Representation; segments: Iterable<PlacedSegment> }): void {
    const part = this.#pending;
    if (part === undefined || part.rep !== placed.rep) {
      throw new Error("DashItems.add: the Representation was not started");
    }
    this.#pending = undefined;
    part.segments = placed.segments;
    this.#parts.push(part);
  }

  /** How many items there are. */
  get count(): number {
    return this.#count;
  }

  /** How many items belong to each track id. */
  filesOf(id: string): number {
    return this.#files.get(id) ?? 0;
  }

  /** The items, in plan order, generated each time they are gone through. */
  items(): PlanItems {
    const parts = this.#parts;
    const ranges = this.#ranges;
    return lazyItems(this.count, function* (): Generator<PlanItem> {
      for (const { rep, segments, repeats } of parts) {
        let next = 0;
        let index = 0;
        for (const seg of segments) {
          if (next < repeats.length && repeats[next] === index++) {
            next++;
            continue;
          }
          const item: PlanItem = {
            url: seg.url,
            path: seg.path,
            kind: KIND[seg.kind],
            track: rep.id,
          };
          const r = ranges.get(seg.url);
          if (r !== undefined) item.ranges = r;
          yield item;
        }
      }
    });
  }
}
