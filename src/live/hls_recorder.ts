/**
 * Records a live HLS stream (RFC 8216): every media playlist the master names — variants,
 * renditions, I-frame playlists — is reloaded as section 6.3.4 says (a target duration after
 * the last load began when it changed, half of one when it did not), each distinct revision
 * is kept, and each new segment (by Media Sequence Number, across the sliding window and
 * discontinuities) is fetched with its key and map, from the start point on (the live edge,
 * aligned across playlists by program date-time when every playlist has one; or with
 * `--from-start` the first segment of the playlist) until each playlist has
 * `EXT-X-ENDLIST`, the recording covers `--duration`, or Ctrl-C. Segments that slid out of
 * the playlist before a reload saw them are gaps.
 *
 * Held in memory: each playlist's last revision and the segments in flight; what was saved
 * goes to the record, from which `hls_vod.ts` writes the VOD playlists at the end.
 *
 * @module
 */
import { errorMessage, InputError } from "../errors.ts";
import { MEDIA_DIR } from "../hls/plan.ts";
import type { HlsPlan } from "../hls/plan.ts";
import { type KeyTag, type MediaPlaylist, parsePlaylist } from "../hls/playlist.ts";
import type { SavedManifest } from "../mirror/plan.ts";
import { fetchText, HttpError, MAX_MANIFEST_BYTES } from "../net/http.ts";
import { programDateTimes, segmentEntry, type SegmentPaths } from "./hls_segments.ts";
import type { PlaylistHeader } from "./hls_vod.ts";
import type { LiveSession } from "./session.ts";

/** How long a playlist may fail to load before it is given up, at least. */
const GIVE_UP_MS = 60_000;
/**
 * A live playlist that has not changed for this many target durations (and at least
 * {@link STUCK_MIN_MS}) is stuck: the stream has stopped (ExoPlayer's rule, 3.5).
 */
const STUCK_TARGETS = 3.5;
/** The least time without a change before a playlist counts as stuck. */
const STUCK_MIN_MS = 15_000;
/** Maps and keys remembered per playlist as already fetched (they rarely change). */
const RECENT_RESOURCES = 64;

/** Header lines a saved VOD playlist keeps as served. */
const KEPT_HEADER = /^#EXT-X-(INDEPENDENT-SEGMENTS|I-FRAMES-ONLY|IMAGES-ONLY|DEFINE:)/;

/** One media playlist as the recorder follows it. */
interface Followed {
  /** Its saved path (also its track id in events). */
  path: string;
  /** The URL it is reloaded from. */
  url: string;
  /** The master's variables, for `IMPORT`. */
  imports: Record<string, string>;
  /** The last revision read. */
  playlist: MediaPlaylist;
  /** The next Media Sequence Number to take. */
  nextMsn: number;
  /** Seconds of media taken. */
  covered: number;
  /** Local time of the next reload. */
  nextLoadAt: number;
  /** When the loads began to fail. */
  failingSince?: number;
  /** Local time of the last load that changed the playlist. */
  changedAt: number;
  /** Maps and keys already fetched (recent ones). */
  resources: Set<string>;
  /** Why it is no longer followed. */
  done?: "ended" | "duration" | "failed";
}

/** What the VOD playlists are written from (besides the record). */
export interface HlsRecordingInfo {
  /** The media playlists' headers, as last served. */
  headers: PlaylistHeader[];
  /** The master as served, rewritten for the local copies (when the stream has one). */
  master?: SavedManifest;
}

/** The whole text of a parsed playlist. */
function textOf(p: MediaPlaylist): string {
  return p.lines.map((l) => l.text + l.eol).join("");
}

/** The URL asking an origin for the whole playlist, not a delta update. */
function withoutSkip(url: string): string {
  const u = new URL(url);
  u.searchParams.set("_HLS_skip", "NO");
  return u.href;
}

/** See the module documentation. */
export class HlsRecorder {
  #s: LiveSession;
  #plan: HlsPlan;
  #followed: Followed[] = [];

  /**
   * @param session the recording
   * @param plan the plan of the stream as first fetched (`planHls` with `allowLive`)
   */
  constructor(session: LiveSession, plan: HlsPlan) {
    this.#s = session;
    this.#plan = plan;
  }

  /** Records until every playlist has ended, `--duration` is reached, or Ctrl-C. */
  async run(): Promise<HlsRecordingInfo> {
    const s = this.#s;
    const plan = this.#plan;
    const top = plan.playlists[0];
    const byUrl = new Map(plan.plan.manifests.map((m) => [m.url, m]));
    const now = s.origin.local.now();
    const master = top.type === "master" ? byUrl.get(top.url) : undefined;
    if (top.type === "master" && master) {
      s.revisions.keep(master.path, master.original ?? master.text, s.origin.now());
    }
    const imports = top.type === "master" ? top.definitions : {};
    for (const p of plan.playlists) {
      if (p.type !== "media") continue;
      const saved = byUrl.get(p.url);
      if (saved === undefined) continue;
      s.revisions.keep(saved.path, textOf(p), s.origin.now());
      this.#followed.push({
        path: saved.path,
        url: p.url,
        imports,
        playlist: p,
        nextMsn: p.mediaSequence,
        covered: 0,
        nextLoadAt: now + p.targetDuration * 1000,
        changedAt: now,
        resources: new Set(),
      });
    }
    s.failures.push(...plan.plan.failures ?? []);
    const labels = new Map((plan.plan.tracks ?? []).map((t, i) => [i, t.label]));
    s.observe({
      event: "plan",
      tracks: this.#followed.map((f, i) => ({ id: f.path, label: labels.get(i), files: 0 })),
      files: 0,
      manifests: this.#followed.length + (master ? 1 : 0),
    });
    this.#chooseStart();
    for (const f of this.#followed) this.#take(f);
    await Promise.all(this.#followed.map((f) => this.#follow(f)));
    const reasons = this.#followed.map((f) => f.done);
    if (s.interrupted) s.endReason = "interrupted";
    else if (reasons.includes("duration")) s.endReason = "duration";
    else if (reasons.length > 0 && reasons.every((r) => r === "failed")) s.endReason = "failed";
    else s.endReason = "ended";
    return {
      master,
      headers: this.#followed.map((f) => ({
        path: f.path,
        version: f.playlist.version,
        targetDuration: f.playlist.targetDuration,
        lines: f.playlist.lines.map((l) => l.text).filter((t) => KEPT_HEADER.test(t)),
      })),
    };
  }

  /**
   * Where each playlist begins: its first segment with `--from-start`; otherwise the newest
   * segment — the one holding the earliest of the playlists' newest program date-times,
   * when every playlist has them, so variants and renditions begin together.
   */
  #chooseStart(): void {
    const s = this.#s;
    const live = this.#followed.filter((f) => f.playlist.segments.length > 0);
    if (s.options.fromStart) return; // nextMsn is the first segment already
    for (const f of live) {
      // A playlist that has already ended (a VOD rendition in a live master) is taken whole.
      if (f.playlist.endList) continue;
      f.nextMsn = f.playlist.segments.at(-1)!.mediaSequence;
    }
    const dates = live.filter((f) => !f.playlist.endList).map((f) => programDateTimes(f.playlist));
    if (dates.length === 0 || dates.some((d) => d.at(-1) === undefined)) return;
    const at = Math.min(...dates.map((d) => d.at(-1)!));
    live.filter((f) => !f.playlist.endList).forEach((f, i) => {
      const segments = f.playlist.segments;
      let pick = segments.length - 1;
      while (pick > 0 && dates[i][pick]! > at + 1) pick--;
      f.nextMsn = segments[pick].mediaSequence;
    });
  }

  /** Reloads one playlist until it is done. */
  async #follow(f: Followed): Promise<void> {
    const s = this.#s;
    const local = s.origin.local;
    while (f.done === undefined) {
      if (!await s.wait(f.nextLoadAt)) return;
      s.check();
      if (s.dead(f)) {
        f.done = "failed";
        return;
      }
      const started = local.now();
      let changed: boolean;
      try {
        let got = await fetchText(f.url, s.http, MAX_MANIFEST_BYTES);
        let p = this.#parse(got.text, got.url, f);
        if (p.skip) {
          got = await fetchText(withoutSkip(f.url), s.http, MAX_MANIFEST_BYTES);
          p = this.#parse(got.text, got.url, f);
        }
        changed = s.revisions.keep(f.path, got.text, s.origin.now()) !== undefined;
        f.playlist = p;
        f.failingSince = undefined;
      } catch (err) {
        if (s.interrupted) return;
        if (!(err instanceof HttpError) && !(err instanceof InputError)) throw err;
        f.failingSince ??= started;
        const failing = local.now() - f.failingSince;
        s.note(
          `${f.path}: the playlist could not be reloaded (${errorMessage(err)}); trying again`,
        );
        if (failing >= Math.max(GIVE_UP_MS, 6 * f.playlist.targetDuration * 1000)) {
          s.failures.push({
            url: f.url,
            path: f.path,
            reason: `the playlist could not be reloaded for ${Math.round(failing / 1000)} s: ${
              errorMessage(err)
            }`,
          });
          f.done = "failed";
          return;
        }
        f.nextLoadAt = started + f.playlist.targetDuration * 500;
        continue;
      }
      // RFC 8216 6.3.4: a target duration after a load that changed, half of one otherwise.
      const target = f.playlist.targetDuration * 1000;
      f.nextLoadAt = started + (changed ? target : target / 2);
      if (changed) {
        f.changedAt = started;
        this.#take(f);
      } else if (started - f.changedAt >= Math.max(STUCK_MIN_MS, STUCK_TARGETS * target)) {
        const seconds = Math.round((started - f.changedAt) / 1000);
        s.failures.push({
          url: f.url,
          path: f.path,
          reason: `the live playlist has not changed for ${seconds} s ` +
            `(${STUCK_TARGETS} target durations at least): the stream has stopped`,
        });
        f.done = "failed";
      }
    }
  }

  /** Parses a reload of `f`, which must be a media playlist. */
  #parse(text: string, url: string, f: Followed): MediaPlaylist {
    const p = parsePlaylist(text, url, { imports: f.imports });
    if (p.type !== "media") throw new InputError("is no longer a media playlist", url);
    return p;
  }

  /** Takes the new segments of `f`'s last revision. */
  #take(f: Followed): void {
    const s = this.#s;
    const p = f.playlist;
    const segments = p.segments;
    const first = segments[0]?.mediaSequence ?? p.mediaSequence;
    const newest = segments.length > 0 ? segments.at(-1)!.mediaSequence : first - 1;
    if (first > f.nextMsn && f.covered > 0) {
      const missed = first - f.nextMsn;
      s.gap({
        path: f.path,
        url: f.url,
        track: f.path,
        reason: `${missed} segment${missed === 1 ? "" : "s"} (Media Sequence ${f.nextMsn}` +
          `${missed > 1 ? `–${first - 1}` : ""}) left the playlist before a reload saw them`,
      });
    }
    // Older than what was taken by more than a window: a restart, not a stale cached copy.
    if (newest < f.nextMsn - 1 - Math.max(3, segments.length)) {
      s.note(
        `${f.path}: the Media Sequence went back from ${f.nextMsn - 1} to ${newest} ` +
          "(did the origin restart?); following the new numbering",
      );
      f.nextMsn = newest;
    }
    f.nextMsn = Math.max(f.nextMsn, first);
    const dates = programDateTimes(p);
    const limit = s.options.durationSeconds;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i];
      if (seg.mediaSequence < f.nextMsn) continue;
      if (limit !== undefined && f.covered >= limit) break;
      f.nextMsn = seg.mediaSequence + 1;
      if (seg.gap) {
        s.note(`${f.path}: segments marked EXT-X-GAP are not fetched (RFC 8216)`);
        continue;
      }
      f.covered += seg.duration;
      this.#fetchSegment(f, i, dates[i]);
    }
    if (limit !== undefined && f.covered >= limit) f.done = "duration";
    else if (p.endList || p.playlistType === "VOD") f.done = "ended";
  }

  /** Fetches segment `index` of `f`'s playlist, with its map and keys. */
  #fetchSegment(f: Followed, index: number, pdt: number | undefined): void {
    const s = this.#s;
    const p = f.playlist;
    const seg = p.segments[index];
    const layout = this.#plan.layout;
    const place = (url: string) => {
      const u = new URL(url);
      u.hash = "";
      return { url: u.href, path: layout.pathFor(u.href, { prefix: MEDIA_DIR }) };
    };
    const resource = (url: string, kind: "init" | "key") => {
      const r = place(url);
      if (!f.resources.has(r.path)) {
        f.resources.add(r.path);
        if (f.resources.size > RECENT_RESOURCES) {
          f.resources.delete(f.resources.values().next().value!);
        }
        s.fetch({
          item: { ...r, kind, track: f.path },
          availableAt: -Infinity,
          entry: { k: "res", path: r.path },
          media: false,
        });
      }
      return r.path;
    };
    const fetchable = (url: string) => /^https?:$/.test(new URL(url).protocol);
    const paths: SegmentPaths = { path: place(seg.ref.url).path, keys: new Map<KeyTag, string>() };
    if (seg.map && fetchable(seg.map.ref.url)) paths.map = resource(seg.map.ref.url, "init");
    for (const key of seg.keys ?? (seg.key ? [seg.key] : [])) {
      const identity = (key.keyFormat ?? "identity") === "identity";
      if (key.ref && identity && fetchable(key.ref.url)) {
        paths.keys.set(key, resource(key.ref.url, "key"));
      }
    }
    const media = place(seg.ref.url);
    s.fetch({
      item: { ...media, kind: "media", track: f.path },
      availableAt: -Infinity,
      entry: segmentEntry(p, index, f.path, paths, pdt),
      media: true,
    });
  }
}
