/**
 * What the DASH and HLS recorders share while a recording runs: the output directory, the
 * feed of downloads, the origin's clock, the kept manifest revisions, the record of what
 * was saved, the gaps, and why the recording ended. The recorders only decide which
 * segment to fetch when; this module fetches it, records it when it is saved, and names it
 * when it is a gap.
 *
 * @module
 */
import type { Observer } from "../events.ts";
import type { OutputDir } from "../mirror/output.ts";
import type { Failure, PlanItem } from "../mirror/plan.ts";
import type { HttpOptions } from "../net/http.ts";
import type { Terminal } from "../ui/terminal.ts";
import { OriginClock, sleepUntil } from "./clock.ts";
import { Feed, type FeedOptions, type JobResult } from "./feed.ts";
import { GAP_SECONDS, type LiveOptions } from "./options.ts";
import { SavedRecord } from "./record.ts";
import { Revisions } from "./revisions.ts";

/** Why a recording ended. */
export type EndReason =
  /** The origin ended the event (a static MPD, EXT-X-ENDLIST everywhere). */
  | "ended"
  /** `--duration` was reached. */
  | "duration"
  /** Ctrl-C. */
  | "interrupted"
  /** The manifest could no longer be fetched, stopped changing, or nothing came. */
  | "failed";

/** How long a recording goes on with nothing saved and only gaps before it gives up. */
export const DEAD_AFTER_MS = 60_000;

/** A segment that should have been available and never came, or that was missed. */
export interface Gap {
  /** Where it would have been saved. */
  path: string;
  /** Its URL. */
  url: string;
  /** Its track. */
  track?: string;
  /** Why. */
  reason: string;
}

/** Options of {@link LiveSession}: its {@link Feed}'s, and how to report and when to stop. */
export interface SessionOptions extends Omit<FeedOptions, "retryEveryMs" | "stallMs"> {
  /** Where gaps and notes are named as they happen. */
  term: Terminal;
  /** Where to begin, when to stop. */
  live: LiveOptions;
}

/** A resource to fetch, and what to record once it is saved. */
export interface Fetch {
  /** What to fetch and where it goes. */
  item: PlanItem;
  /** Origin time from which it may be requested (-Infinity: now). */
  availableAt: number;
  /** What to append to the record once it is saved (nothing when undefined). */
  entry?: unknown;
  /** Whether it is a media segment (counted as one). */
  media: boolean;
  /** Told how it ended. */
  onEnd?: (result: JobResult) => void;
}

/** The state of one recording; see the module documentation. */
export class LiveSession {
  /** The output directory. */
  readonly out: OutputDir;
  /** How requests are made. */
  readonly http: HttpOptions;
  /** Where to begin, when to stop. */
  readonly options: LiveOptions;
  /** The event observer. */
  readonly observe: Observer;
  /** Messages to the user. */
  readonly term: Terminal;
  /** The origin's clock (the local clock corrected for skew). */
  readonly origin: OriginClock;
  /** The downloads. */
  readonly feed: Feed;
  /** The kept manifest revisions. */
  readonly revisions: Revisions;
  /** The record of what was saved. */
  readonly record: SavedRecord;
  /** Gaps, in the order they were found. */
  readonly gaps: Gap[] = [];
  /** Parts that could not be recorded at all (a playlist that could never be fetched). */
  readonly failures: Failure[] = [];
  /** Notes for the summary (each said once). */
  readonly notes: string[] = [];
  /** Manifests and playlists written at the end, relative paths. */
  readonly manifests: string[] = [];
  /** Media segments saved. */
  segments = 0;
  /** Seconds of media the recording covers (the longest track). */
  recordedSeconds = 0;
  /** Why it ended (set by the recorder). */
  endReason: EndReason = "ended";
  #said = new Set<string>();
  #error: { err: unknown } | undefined;
  /** Local time of the last media segment saved (or of the start). */
  #savedAt: number;
  /** Local time of the last gap. */
  #gapAt = -Infinity;

  /** @param o everything a recording needs */
  constructor(o: SessionOptions) {
    this.out = o.out;
    this.http = o.http;
    this.options = o.live;
    this.observe = o.observe;
    this.term = o.term;
    this.origin = new OriginClock(o.clock);
    this.feed = new Feed({
      out: o.out,
      threads: o.threads,
      verify: o.verify,
      http: o.http,
      clock: o.clock,
      observe: o.observe,
    });
    this.revisions = new Revisions(o.out);
    this.record = SavedRecord.create(o.out);
    this.#savedAt = o.clock.now();
  }

  /** Whether Ctrl-C was pressed. */
  get interrupted(): boolean {
    return this.http.signal?.aborted ?? false;
  }

  /** Milliseconds a missing segment is waited for after its availability. */
  get gapMs(): number {
    return (this.options.gapSeconds ?? GAP_SECONDS) * 1000;
  }

  /** Says something once (a note event, and in the summary). */
  note(text: string): void {
    if (this.#said.has(text)) return;
    this.#said.add(text);
    this.notes.push(text);
    this.observe({ event: "note", text });
  }

  /** Names a gap on stderr at once and keeps it for the summary. */
  gap(gap: Gap): void {
    this.gaps.push(gap);
    this.#gapAt = this.origin.local.now();
    this.term.line(`streamkit: gap: ${gap.path} (${gap.url}): ${gap.reason}`, true);
  }

  /** Fetches a resource through the feed, never before `availableAt`; records it once saved. */
  fetch(f: Fetch): void {
    const now = this.origin.local.now();
    const notBefore = Number.isFinite(f.availableAt) ? this.origin.toLocal(f.availableAt) : now;
    const job = { item: f.item, notBefore, giveUpAt: Math.max(notBefore, now) + this.gapMs };
    this.feed.push(job).then((result) => {
      if (result.status === "done" || result.status === "present") {
        if (f.entry !== undefined) this.record.append(f.entry);
        if (f.media) {
          this.segments++;
          this.#savedAt = this.origin.local.now();
        }
      } else if (result.status === "failed") {
        const after = Math.round(this.gapMs / 1000);
        this.gap({
          path: f.item.path,
          url: f.item.url,
          track: f.item.track,
          reason: `${result.message ?? "failed"} (still, ${after} s after it was due)`,
        });
      }
      f.onEnd?.(result);
    }, (err) => {
      this.#error ??= { err };
    });
  }

  /**
   * Whether the stream is dead: for {@link DEAD_AFTER_MS} nothing was saved and segments
   * became gaps. Says so in `failures` the first time.
   */
  dead(manifest: { url: string; path: string }): boolean {
    const quiet = this.origin.local.now() - this.#savedAt;
    if (quiet < DEAD_AFTER_MS || this.#gapAt <= this.#savedAt) return false;
    this.failures.push({
      ...manifest,
      reason: `nothing could be saved for ${Math.round(quiet / 1000)} s, only gaps: the ` +
        "stream has stopped",
    });
    return true;
  }

  /** Throws the first unexpected error a fetch met (a bug, a full disk), if any. */
  check(): void {
    if (this.#error) throw this.#error.err;
  }

  /**
   * Waits until local time `until`, or less when `wake` settles first; returns false when
   * Ctrl-C ended the wait.
   */
  async wait(until: number, wake?: Promise<unknown>): Promise<boolean> {
    const woken = new AbortController();
    wake?.then(() => woken.abort(), () => woken.abort());
    const signals = [woken.signal, ...(this.http.signal ? [this.http.signal] : [])];
    try {
      await sleepUntil(this.origin.local, until, AbortSignal.any(signals));
      return true;
    } catch (err) {
      if (this.interrupted) return false;
      if (woken.signal.aborted) return true;
      throw err;
    } finally {
      woken.abort();
    }
  }

  /** Waits for every fetch to end, then closes the feed and the record. */
  async finish(): Promise<void> {
    await this.feed.drain();
    this.feed.close();
    this.record.close();
  }
}
