/**
 * A parsed MPD → the DownloadPlan of `dash get`: every initialization, index and media
 * resource of every Representation, each URL once, placed by the layout; and the manifest
 * to save, rewritten where offline playback needs it.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { Layout, manifestFileName } from "../mirror/layout.ts";
import type { DownloadPlan, PlanItem, ResourceKind } from "../mirror/plan.ts";
import { type Mpd, parseMpd } from "./mpd.ts";
import { rewriteBaseUrls } from "./rewrite.ts";
import { representationSegments, type SegmentKind } from "./segments.ts";

const KIND: Record<SegmentKind, ResourceKind> = {
  init: "init",
  index: "index",
  media: "media",
  bitstreamSwitching: "init",
};

/** Options of {@link planDash}. */
export interface DashPlanOptions {
  /** URL schemes resources may use. @default ["http:", "https:"] */
  schemes?: string[];
}

/** A plan, and the MPD it came from. */
export interface DashPlan {
  /** What to write and fetch. */
  plan: DownloadPlan;
  /** The parsed manifest. */
  mpd: Mpd;
  /** The layout that placed every file (and can place more). */
  layout: Layout;
}

/**
 * Plans the mirror of an MPD.
 *
 * @param text the MPD as fetched
 * @param manifestUrl its final URL (after redirects); relative references resolve against
 *   it, and its folder is the root of the output layout
 *
 * @example
 * ```ts
 * const { plan } = planDash(text, "https://cdn.example/vod/manifest.mpd");
 * for (const item of plan.items) console.log(item.url, "→", item.path);
 * ```
 */
export function planDash(
  text: string,
  manifestUrl: string,
  options: DashPlanOptions = {},
): DashPlan {
  const schemes = options.schemes ?? ["http:", "https:"];
  const mpd = parseMpd(text, manifestUrl);
  if (mpd.type === "dynamic") {
    throw new InputError(
      'MPD@type="dynamic" (a live stream); streamkit mirrors static (VOD) MPDs only for now',
      manifestUrl,
    );
  }
  const layout = new Layout(manifestUrl);
  let manifestPath = manifestFileName(manifestUrl, "manifest.mpd");
  if (!/\.mpd$/i.test(manifestPath)) manifestPath += ".mpd";
  layout.reserve(manifestPath, manifestUrl);
  const byUrl = new Map<string, PlanItem>();
  for (const rep of mpd.representations) {
    for (const seg of representationSegments(rep, { source: manifestUrl })) {
      const scheme = new URL(seg.url).protocol;
      if (!schemes.includes(scheme)) {
        throw new InputError(
          `${seg.kind} segment URL ${seg.url} uses the unsupported scheme "${scheme}"`,
          `${manifestUrl}: ${rep.where}`,
        );
      }
      let item = byUrl.get(seg.url);
      if (!item) {
        item = { url: seg.url, path: layout.pathFor(seg.url), kind: KIND[seg.kind], owner: rep.id };
        byUrl.set(seg.url, item);
      }
      if (seg.range) (item.ranges ??= []).push(seg.range);
    }
  }
  const rewritten = rewriteBaseUrls(text, mpd.baseUrls, layout);
  return {
    mpd,
    layout,
    plan: {
      manifests: [{
        url: manifestUrl,
        path: manifestPath,
        text: rewritten.text,
        original: rewritten.changed ? text : undefined,
      }],
      items: [...byUrl.values()],
      notes: mpd.notes,
    },
  };
}
