/**
 * Records a live DASH stream: the MPD is fetched again every `minimumUpdatePeriod` (from
 * its `Location` when it gives one), each distinct revision is kept, and every media segment
 * of every Representation of every Period is fetched once it is available — never before —
 * from the start point on (the live edge, or the oldest segment still in the time-shift
 * buffer with `--from-start`), until the MPD turns static (the end of the event), the
 * recording covers `--duration`, or Ctrl-C. The origin's clock comes from `UTCTiming` (or
 * the `Date` header). A new Period (an ad break) is followed like the first.
 *
 * Held in memory: the tracks of the current MPD and the segments in flight; what was saved
 * goes to the record, from which `dash_vod.ts` writes the static MPD at the end.
 *
 * @module
 */
import { dashLayout } from "../dash/plan.ts";
import { type Mpd, parseMpd, type Representation } from "../dash/mpd.ts";
import { describeRepresentation } from "../dash/tracks.ts";
import { trackLabel } from "../select/track.ts";
import { errorMessage, InputError } from "../errors.ts";
import type { TrackInfo } from "../events.ts";
import type { Layout } from "../mirror/layout.ts";
import { fetchText, HttpError, MAX_MANIFEST_BYTES } from "../net/http.ts";
import {
  type LiveMpd,
  type LiveTrack,
  liveTracks,
  maxDuration,
  newestAvailable,
  oldestAvailable,
  readLiveMpd,
  trackSlots,
} from "./dash_timing.ts";
import type { DashEntry } from "./dash_vod.ts";
import type { LiveSession } from "./session.ts";
import { measureUtcTiming, offsetFromDate } from "./utc_timing.ts";

/** The shortest time between two fetches of the MPD. */
const MIN_REFRESH_MS = 500;
/** How often the loop wakes to schedule what has become available. */
const TICK_MS = 1000;
/** How often the origin's clock is measured again. */
const SKEW_EVERY_MS = 10 * 60_000;
/** How long the MPD may fail to refresh before the recording gives up. */
const GIVE_UP_MS = 60_000;
/** The most downloads waiting or running at once (the rest waits its turn). */
const MAX_PENDING = 64;
/** Tolerance when comparing presentation times, seconds. */
const EPS = 1e-6;

/** The first MPD, as the command read it. */
export interface FirstMpd {
  /** Its text. */
  text: string;
  /** Its final URL. */
  url: string;
  /** The `Date` header it came with. */
  date?: string;
}

/** One track as the recorder follows it. */
interface TrackState {
  track: LiveTrack;
  /** Segments ending after this presentation time are recorded (until the first is). */
  from: number;
  /** The media time of the last segment scheduled. */
  afterT?: number;
  /** The end of the last segment scheduled. */
  lastEnd?: number;
  initDone: boolean;
  done: boolean;
}

/** What the static MPD is written from (besides the record). */
export interface DashRecordingInfo {
  /** The saved MPD's path. */
  manifestPath: string;
  /** Per Period key: the revision that last listed it. */
  periods: Map<string, string>;
  /** The last revision kept. */
  lastRevision: string;
  /** The MPD's URL (relative references in revisions resolve against it). */
  url: string;
}

/**
 * Checks that a live MPD can be recorded at all — its live facts are readable and at least
 * one Representation can be followed — before anything is written.
 *
 * @throws {InputError} naming the MPD and why
 * @example
 * ```ts
 * checkLiveMpd('<MPD type="dynamic"><Period/></MPD>', "https://cdn.example/live.mpd"); // throws
 * ```
 */
export function checkLiveMpd(text: string, url: string): void {
  const mpd = parseMpd(text, url, { tolerant: true });
  readLiveMpd(mpd.root, url);
  const skipped: string[] = [];
  if (liveTracks(mpd, skipped).length > 0) return;
  const why = [...mpd.problems.map((p) => p.message), ...skipped.map((w) => `${url}: ${w}`)];
  throw new InputError(
    `MPD@type="dynamic" (a live stream) in which no Representation can be recorded: ${
      why.join("; ") || "it has none"
    }`,
    url,
  );
}

/** A short label for a Representation, for displays (`video 1280x720`, `audio fra`). */
function label(track: LiveTrack): string {
  return trackLabel(describeRepresentation(track.rep)) ?? "";
}

/** See the module documentation. */
export class DashRecorder {
  #s: LiveSession;
  #url: string;
  #layout: Layout;
  #manifestPath: string;
  #live!: LiveMpd;
  #mpd?: Mpd;
  #tracks = new Map<string, TrackState>();
  #periods = new Map<string, string>();
  #lastRevision = "";
  #start = 0;
  #stopAt = Infinity;
  #nextFetch = Infinity;
  #nextSkew = Infinity;
  #failingSince?: number;
  #failed = false;
  #keep?: (mpd: Mpd) => Set<Representation>;

  /**
   * @param session the recording
   * @param url the MPD's final URL (its folder is the root of the mirror)
   * @param keep the Representations of a revision to record (`--select`); all by default
   */
  constructor(session: LiveSession, url: string, keep?: (mpd: Mpd) => Set<Representation>) {
    this.#s = session;
    this.#url = url;
    this.#keep = keep;
    const { layout, manifestPath } = dashLayout(url);
    this.#layout = layout;
    this.#manifestPath = manifestPath;
  }

  /** Records until the event ends, `--duration` is reached, or Ctrl-C. */
  async run(first: FirstMpd): Promise<DashRecordingInfo> {
    const s = this.#s;
    const local = s.origin.local;
    const receivedAt = local.now();
    this.#absorb(first.text, first.url);
    await this.#measureSkew(first.date, receivedAt);
    this.#chooseStart();
    const seen = new Map<string, TrackInfo>();
    for (const { track } of this.#tracks.values()) {
      seen.set(track.rep.id, { id: track.rep.id, label: label(track), files: 0 });
    }
    s.observe({ event: "plan", tracks: [...seen.values()], files: 0, manifests: 1 });
    this.#nextFetch = receivedAt + this.#refreshMs();
    for (;;) {
      s.check();
      const ended = this.#live.type === "static";
      const backlog = this.#schedule(ended ? Infinity : s.origin.now() + TICK_MS + 500);
      if (this.#ended()) {
        s.endReason = "ended";
        break;
      }
      if (this.#reachedDuration()) {
        s.endReason = "duration";
        break;
      }
      const until = Math.min(this.#nextFetch, local.now() + TICK_MS);
      const wake = backlog ? s.feed.waitBelow(MAX_PENDING / 2) : undefined;
      if (!await s.wait(until, wake)) {
        s.endReason = "interrupted";
        break;
      }
      if (!ended && local.now() >= this.#nextFetch) await this.#refresh();
      if (s.interrupted) {
        s.endReason = "interrupted";
        break;
      }
      if (this.#failed || s.dead({ url: this.#url, path: this.#manifestPath })) {
        s.endReason = "failed";
        break;
      }
    }
    return {
      manifestPath: this.#manifestPath,
      periods: this.#periods,
      lastRevision: this.#lastRevision,
      url: this.#url,
    };
  }

  /** The time between two fetches of the MPD, ms (Infinity: it does not change). */
  #refreshMs(): number {
    const mup = this.#live.minimumUpdatePeriod;
    return mup === undefined ? Infinity : Math.max(MIN_REFRESH_MS, mup * 1000);
  }

  /** Takes in an MPD text: keeps the revision, and when it changed, reads it again. */
  #absorb(text: string, url: string): void {
    const s = this.#s;
    const revision = s.revisions.keep(this.#manifestPath, text, s.origin.now());
    if (revision === undefined && this.#mpd !== undefined) return;
    if (revision !== undefined) this.#lastRevision = revision;
    const mpd = parseMpd(text, url, { tolerant: true });
    const live = readLiveMpd(mpd.root, url);
    for (const p of mpd.problems) s.note(`not recorded: ${p.message}`);
    const skipped: string[] = [];
    const kept = this.#keep?.(mpd);
    const tracks = liveTracks(mpd, skipped).filter((t) => kept === undefined || kept.has(t.rep));
    for (const why of skipped) s.note(`not recorded: ${url}: ${why}`);
    const current = new Set<string>();
    for (const track of tracks) {
      current.add(track.key);
      this.#periods.set(track.periodKey, this.#lastRevision);
      const state = this.#tracks.get(track.key);
      if (state) state.track = track;
      else {
        this.#tracks.set(track.key, {
          track,
          from: this.#start,
          initDone: false,
          done: false,
        });
      }
    }
    // A Period (or Representation) gone from the MPD has nothing more to give.
    for (const key of [...this.#tracks.keys()]) if (!current.has(key)) this.#tracks.delete(key);
    this.#mpd = mpd;
    this.#live = live;
    if (live.location !== undefined) this.#url = live.location;
  }

  /** Measures the origin's clock: UTCTiming, else the Date header. */
  async #measureSkew(date: string | undefined, receivedAt: number): Promise<void> {
    const s = this.#s;
    const problems: string[] = [];
    const measured = await measureUtcTiming(
      this.#live.utcTimings,
      this.#url,
      s.http,
      s.origin.local,
      receivedAt,
      problems,
    ) ?? offsetFromDate(date, receivedAt);
    for (const p of problems) s.note(`clock: ${p}`);
    this.#nextSkew = s.origin.local.now() + SKEW_EVERY_MS;
    if (measured === undefined) {
      s.note("clock: no UTCTiming and no Date header; assuming the origin's clock is this one's");
      return;
    }
    s.origin.offsetMs = measured.offsetMs;
    const seconds = Math.abs(measured.offsetMs) / 1000;
    if (seconds >= 1) {
      s.note(
        `clock: the origin's clock is ${seconds.toFixed(1)} s ${
          measured.offsetMs > 0 ? "ahead of" : "behind"
        } this one (${measured.source}); availability times follow the origin's`,
      );
    }
  }

  /** Picks where the recording begins (a presentation time) and where it stops. */
  #chooseStart(): void {
    const s = this.#s;
    const live = this.#live;
    const now = s.origin.now();
    const states = [...this.#tracks.values()];
    if (s.options.fromStart) {
      // Each track from its own oldest segment: none that has already left the buffer.
      const own = new Map<TrackState, number>();
      for (const state of states) {
        const oldest = oldestAvailable(state.track, live, now, 1000);
        if (oldest !== undefined) own.set(state, oldest.start);
      }
      const earliest = Math.min(...own.values());
      this.#start = Number.isFinite(earliest) ? earliest : this.#presentationNow(now);
      for (const state of states) state.from = own.get(state) ?? this.#start;
    } else {
      let edge = Infinity;
      let longest = 0;
      for (const state of states) {
        const newest = newestAvailable(state.track, live, now);
        longest = Math.max(longest, maxDuration(state.track));
        if (newest !== undefined) edge = Math.min(edge, newest.start);
      }
      if (!Number.isFinite(edge)) edge = this.#presentationNow(now);
      let start = edge;
      // A player presents suggestedPresentationDelay behind the clock: begin there, but
      // never more than three segments before the newest one.
      const spd = live.suggestedPresentationDelay;
      if (spd !== undefined) {
        start = Math.max(Math.min(edge, this.#presentationNow(now) - spd), edge - 3 * longest);
      }
      this.#start = start;
      for (const state of states) state.from = start;
    }
    const d = s.options.durationSeconds;
    this.#stopAt = d === undefined ? Infinity : this.#start + d;
  }

  /** The presentation time the origin's clock is at. */
  #presentationNow(now: number): number {
    const ast = this.#live.availabilityStartTime;
    return ast === undefined ? 0 : (now - ast) / 1000;
  }

  /** Schedules what is available by `horizon`; true when a track has more than fit. */
  #schedule(horizon: number): boolean {
    const s = this.#s;
    const live = this.#live;
    const open = [...this.#tracks.values()].filter((t) => !t.done);
    if (open.length === 0) return false;
    const room = Math.max(0, MAX_PENDING - s.feed.pending);
    const share = Math.max(1, Math.floor(room / open.length));
    let backlog = false;
    for (const state of open) {
      const { track } = state;
      const rep = track.rep;
      if (!state.initDone && track.initUrl !== undefined) {
        state.initDone = true;
        const path = this.#layout.pathFor(track.initUrl);
        const entry: DashEntry = { k: "init", p: track.periodKey, r: rep.id, path };
        s.fetch({
          item: { url: track.initUrl, path, kind: "init", track: rep.id },
          availableAt: live.type === "static" || live.availabilityStartTime === undefined
            ? -Infinity
            : live.availabilityStartTime + (track.periodStart - track.ato) * 1000,
          entry,
          media: false,
        });
      }
      if (room === 0) {
        backlog = true;
        continue;
      }
      const slots = trackSlots(track, live, {
        afterT: state.afterT,
        endAfter: state.afterT === undefined ? state.from : undefined,
        startBefore: this.#stopAt,
        horizon,
        limit: share,
      });
      for (const slot of slots) {
        const path = this.#layout.pathFor(slot.url);
        const entry: DashEntry = {
          k: "media",
          p: track.periodKey,
          r: rep.id,
          path,
          t: slot.t,
          d: slot.d,
          n: slot.number,
          ts: track.timescale,
          pto: track.pto,
          ps: track.periodStart,
        };
        s.fetch({
          item: { url: slot.url, path, kind: "media", track: rep.id },
          availableAt: slot.availableAt,
          entry,
          media: true,
        });
        state.afterT = slot.t;
        state.lastEnd = slot.end;
      }
      if (slots.length >= share) backlog = true;
      const end = track.periodEnd ??
        (live.type === "static" ? live.mediaPresentationDuration : undefined);
      const last = state.lastEnd;
      if (
        (last !== undefined && last >= this.#stopAt - EPS) ||
        (last !== undefined && end !== undefined && last >= end - EPS) ||
        (live.type === "static" && slots.length < share)
      ) state.done = true;
    }
    return backlog;
  }

  /** Whether the event has ended and everything it had is scheduled. */
  #ended(): boolean {
    const states = [...this.#tracks.values()];
    if (!states.every((t) => t.done)) return false;
    const live = this.#live;
    if (live.type === "static") return true;
    if (live.mediaPresentationDuration !== undefined) return true;
    // An MPD that will not change, whose every Period has an end.
    return live.minimumUpdatePeriod === undefined &&
      states.every((t) => t.track.periodEnd !== undefined);
  }

  /** Whether the recording covers `--duration`. */
  #reachedDuration(): boolean {
    if (!Number.isFinite(this.#stopAt)) return false;
    const states = [...this.#tracks.values()];
    return states.length > 0 && states.every((t) => t.done) &&
      states.some((t) => (t.lastEnd ?? -Infinity) >= this.#stopAt - EPS);
  }

  /** Fetches the MPD again; after a minute of failures, gives up. */
  async #refresh(): Promise<void> {
    const s = this.#s;
    const local = s.origin.local;
    const started = local.now();
    this.#nextFetch = started + this.#refreshMs();
    try {
      const got = await fetchText(this.#url, s.http, MAX_MANIFEST_BYTES);
      const receivedAt = local.now();
      this.#absorb(got.text, got.url);
      this.#failingSince = undefined;
      if (receivedAt >= this.#nextSkew) await this.#measureSkew(got.date, receivedAt);
    } catch (err) {
      if (s.interrupted) return;
      if (!(err instanceof HttpError) && !(err instanceof InputError)) throw err;
      this.#failingSince ??= started;
      const failing = local.now() - this.#failingSince;
      s.note(`the MPD could not be refreshed (${errorMessage(err)}); trying again`);
      if (failing >= Math.max(GIVE_UP_MS, 3 * this.#refreshMs())) {
        s.failures.push({
          url: this.#url,
          path: this.#manifestPath,
          reason: `the MPD could not be refreshed for ${Math.round(failing / 1000)} s: ${
            errorMessage(err)
          }`,
        });
        this.#failed = true;
      }
    }
  }
}
