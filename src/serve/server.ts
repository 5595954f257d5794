/**
 * The one HTTP server of streamkit: `streamkit serve`, `streamkit demo` and the test
 * suite all use it. It serves a folder (or files in memory) with GET, HEAD and single byte
 * ranges, the right content types and CORS on every answer; plays a VOD mirror out as a
 * live stream (`live`) or a recorded live session again (`replay`), on a clock that tests
 * can drive; injects faults on demand; and records every request it sees.
 *
 * Answers, in order: `OPTIONS` gets a CORS preflight; `/.streamkit/time` the server's
 * clock (ISO 8601, for DASH `UTCTiming`); then the fault rules act (latency, redirect,
 * status); other methods than GET and HEAD get 405; the path is looked up in the
 * in-memory routes, then the live or replay manifests, then the files — where a media
 * segment of a live stream is 404 before its availability time and after it has left
 * the window. A path that does not decode, holds NUL or a `..` segment is 400; nothing
 * outside the folder is ever served (symbolic links that lead out are 404).
 *
 * @example Serve a folder, fail every 3rd segment request, count requests
 * ```ts
 * import { serve } from "./server.ts";
 *
 * await using server = serve({
 *   root: "tests/fixtures/dash-time",
 *   faults: [{ match: "*.m4s", hit: { every: 3 }, status: 503, retryAfter: 1 }],
 * });
 * const response = await fetch(new URL("manifest.mpd", server.url));
 * server.count("/manifest.mpd"); // 1
 * ```
 *
 * @example A live stream on a clock the caller drives
 * ```ts
 * import { serve } from "./server.ts";
 *
 * let now = Date.parse("2026-12-04T10:00:00Z");
 * await using server = serve({ root: "tests/fixtures/dash-number-duration", live: true, now: () => now });
 * now += 2_000; // the first segments are published
 * await fetch(new URL("chunk-stream0-00001.m4s", server.url)); // 200
 * server.endEvent(); // the MPD turns static
 * ```
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { type Effect, type FaultRule, FaultSet } from "./faults.ts";
import { DEFAULT_WINDOW, LiveEvent, type LiveOptions, type LiveView } from "./live.ts";
import { dashLiveView, TIME_PATH } from "./live_dash.ts";
import { hlsLiveView } from "./live_hls.ts";
import { findManifests } from "./manifests.ts";
import type { PathPattern } from "./pattern.ts";
import { replayView } from "./replay.ts";
import { type RecordedRequest, RequestLog } from "./request_log.ts";
import { ALLOWED_METHODS, answerResource, preflight, textAnswer, withCors } from "./respond.ts";
import {
  type Bytes,
  directorySource,
  type Lookup,
  memoryResource,
  memorySource,
  type Source,
} from "./source.ts";
import { DeliberateAbort, sleep } from "./wire.ts";

/** Options of {@linkcode serve}. Give `root` or `files`. */
export interface ServeOptions {
  /** The folder to serve; must exist. */
  root?: string;
  /** Files to serve from memory instead: path without leading `/` → bytes (not copied). */
  files?: ReadonlyMap<string, Uint8Array>;
  /** What `files` are, for messages. @default {"files in memory"} */
  label?: string;
  /**
   * The port to listen on; 0 picks a free one.
   * @default {0}
   */
  port?: number;
  /**
   * The address to listen on (another loopback address, e.g. `127.0.0.2`, makes a second
   * origin on the same machine).
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * A delay before every answer; a rule's `latencyMs` replaces it.
   * @default {0}
   */
  latencyMs?: number;
  /** The initial fault rules; see {@linkcode Server.setFaults}. */
  faults?: FaultRule[];
  /**
   * In-memory resources, served before everything else: path (with or without the
   * leading `/`, not percent-encoded) → content (copied).
   */
  routes?: Record<string, Uint8Array | string>;
  /** Called for every request once its response status is known. */
  onRequest?: (request: RecordedRequest) => void;
  /** Called for every request once its answer has gone out (or was cut): bytes are final. */
  onComplete?: (request: RecordedRequest) => void;
  /** Called with an unexpected error while answering (the client gets a 500). */
  onError?: (error: unknown) => void;
  /**
   * Keep the log of requests (`requests`, `count`, `countByPath`). Turn it off for long
   * sessions so memory does not grow; `onRequest` and `onComplete` are still called.
   * @default {true}
   */
  record?: boolean;
  /** Answer `/` with the list of files, one path per line. @default {false} */
  index?: boolean;
  /** Play the folder's VOD manifests out as live streams (`true`: default options). */
  live?: boolean | LiveOptions;
  /** Serve the manifest revisions a live recording kept, on their original timing. */
  replay?: boolean;
  /** The clock, milliseconds since the epoch. @default {Date.now} */
  now?: () => number;
  /**
   * How far the server's clock is ahead of `now` (negative: behind), in milliseconds: the
   * time it serves at `/.streamkit/time`, in `Date` headers and in live manifests.
   * @default {0}
   */
  clockOffsetMs?: number;
}

/** A running server; see {@linkcode serve}. */
export interface Server extends AsyncDisposable {
  /** The base URL with a trailing slash: `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** What it serves: the folder's path, or the label of the files in memory. */
  readonly label: string;
  /** A copy of the log of requests seen since the start or the last `resetLog()`. */
  readonly requests: RecordedRequest[];
  /** How many logged requests match `path` (all when omitted) and `method` (any). */
  count(path?: PathPattern, method?: string): number;
  /** The number of logged requests per decoded path, for one method or all. */
  countByPath(method?: string): Record<string, number>;
  /** Forget the logged requests (fault counters are kept). */
  resetLog(): void;
  /** Replace the fault rules; the new rules start counting from zero. */
  setFaults(rules: FaultRule[]): void;
  /** Remove all fault rules. */
  clearFaults(): void;
  /** Add, replace (`body` given) or remove (`body` undefined) an in-memory route. */
  setRoute(path: string, body: Uint8Array | string | undefined): void;
  /** The server's clock now (`now()` plus the offset), milliseconds since the epoch. */
  now(): number;
  /**
   * The live or replayed manifests and a line about each (empty when neither `live` nor
   * `replay` was asked).
   */
  readonly live: { paths: string[]; notes: string[] };
  /** The availability start time of the live streams (the start of serving), server clock. */
  readonly startMs: number;
  /**
   * Ends the live event now (by the server's clock): the MPDs turn static, the HLS media
   * playlists get `EXT-X-ENDLIST`. Later calls keep the first end.
   */
  endEvent(): void;
  /**
   * Stop the server: aborts responses in flight (stalled, delayed or streaming ones too),
   * closes connections and open files, and resolves when all is done. Safe to call twice.
   */
  close(): Promise<void>;
}

function normalizeRoute(path: string): string {
  return path.startsWith("/") ? path : `/${path}`;
}

/** The live views of a source, or an error naming why there are none. */
function liveViews(source: Source, options: LiveOptions, event: LiveEvent): LiveView[] {
  const found = findManifests(source);
  const window = options.windowSeconds ?? DEFAULT_WINDOW;
  const loop = options.loop ?? false;
  const views: LiveView[] = [];
  for (const path of found.dash) {
    const text = source.readText(path);
    if (text === undefined) continue;
    const view = dashLiveView(path, text, {
      event,
      loop,
      window,
      updatePeriod: options.updatePeriodSeconds,
    });
    if (view !== undefined) views.push(view);
  }
  const hls = hlsLiveView(found.playlists, { event, loop, window });
  if (hls !== undefined) views.push(hls);
  if (views.length === 0) {
    throw new InputError("no VOD manifest (.mpd or .m3u8) to play out live", source.label);
  }
  return views;
}

/**
 * Starts the server; see the module documentation. Close it with `close()` (or
 * `await using`).
 *
 * @throws {Deno.errors.AddrInUse} when the port is taken
 * @throws {Deno.errors.NotFound} when `root` does not exist
 * @throws {InputError} when `live` or `replay` finds nothing it can serve
 */
export function serve(options: ServeOptions): Server {
  const source = options.root !== undefined
    ? directorySource(options.root)
    : memorySource(options.files ?? new Map(), options.label ?? "files in memory");
  const base = options.now ?? Date.now;
  const offset = options.clockOffsetMs ?? 0;
  const clock = () => base() + offset;
  const startMs = clock();
  const defaultLatency = options.latencyMs ?? 0;
  const keepLog = options.record ?? true;
  const encoder = new TextEncoder();

  const liveOptions = options.live === true ? {} : options.live || undefined;
  const event = new LiveEvent(startMs, liveOptions?.endAfterSeconds);
  const views: LiveView[] = [];
  if (liveOptions !== undefined) views.push(...liveViews(source, liveOptions, event));
  if (options.replay) {
    const replay = replayView(source, startMs);
    if (replay === undefined) {
      throw new InputError("no recorded manifest revisions under .streamkit/live/", source.label);
    }
    views.push(replay);
  }

  const routes = new Map<string, Bytes>();
  const setRoute = (path: string, body: Uint8Array | string | undefined) => {
    if (body === undefined) routes.delete(normalizeRoute(path));
    else {
      const bytes = typeof body === "string" ? encoder.encode(body) : new Uint8Array(body);
      routes.set(normalizeRoute(path), bytes);
    }
  };
  for (const [path, body] of Object.entries(options.routes ?? {})) setRoute(path, body);

  const faults = new FaultSet(options.faults);
  const log = new RequestLog();
  const closing = new AbortController();
  const serveAbort = new AbortController();
  // Bodies whose source is still being released (a file being opened or closed).
  const releasing = new Set<Promise<unknown>>();
  const track = (released: Promise<unknown>) => {
    releasing.add(released);
    released.finally(() => releasing.delete(released));
  };

  /** Notes the status, adds CORS and the server's Date, reports the request. */
  const finish = (record: RecordedRequest, response: Response): Response => {
    record.status = response.status;
    withCors(response);
    response.headers.set("date", new Date(clock()).toUTCString());
    options.onRequest?.(record);
    return response;
  };
  /** Finishes an answer without a body to stream: it is complete once finished. */
  const whole = (record: RecordedRequest, response: Response): Response => {
    finish(record, response);
    options.onComplete?.(record);
    return response;
  };
  const text = (record: RecordedRequest, status: number, extra: HeadersInit = {}) =>
    whole(record, textAnswer(status, record.method, extra));

  /** What a path is: a route, a live manifest, a withheld segment, or a file. */
  const lookup = async (path: string, origin: string): Promise<Lookup> => {
    const route = routes.get(path);
    if (route !== undefined) return await memoryResource(path, route);
    const now = clock();
    for (const view of views) {
      const manifest = view.manifest(path, now, origin);
      if (manifest !== undefined) return await memoryResource(path, encoder.encode(manifest));
    }
    const verdicts = views.map((v) => v.segment(path, now)).filter((v) => v !== undefined);
    if (verdicts.length > 0 && !verdicts.includes(true)) return 404;
    if (options.index && path === "/") {
      const list = source.list().map((p) => p.slice(1)).join("\n");
      return await memoryResource("/index.txt", encoder.encode(list === "" ? "" : `${list}\n`));
    }
    const found = await source.find(path);
    if (typeof found !== "number") return found;
    for (const view of views) {
      for (const alt of view.alternatives?.(path) ?? []) {
        const other = await source.find(alt);
        if (typeof other !== "number") return other;
      }
    }
    return found;
  };
  const isLiveManifest = (path: string) => views.some((v) => v.manifests.includes(path));

  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const method = request.method;
    let path: string;
    let decodes = true;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
      decodes = false;
    }
    const record: RecordedRequest = {
      method,
      path,
      query: url.search.slice(1),
      range: request.headers.get("range"),
      status: 0,
      headers: Object.fromEntries(request.headers),
      faults: [],
      time: clock(),
      bytes: 0,
    };
    if (keepLog) log.push(record);

    if (method === "OPTIONS") return whole(record, preflight(request));
    if (path === TIME_PATH && (method === "GET" || method === "HEAD")) {
      const body = new Date(record.time).toISOString();
      record.bytes = method === "HEAD" ? 0 : body.length;
      return whole(
        record,
        new Response(method === "HEAD" ? null : body, {
          headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
        }),
      );
    }

    const effect: Effect = faults.effect(path, method);
    const latency = effect.latencyMs ?? defaultLatency;
    if (latency > 0) {
      if (effect.latencyMs !== undefined) record.faults.push("latency");
      try {
        await sleep(latency, closing.signal);
      } catch {
        return text(record, 503);
      }
    }
    if (closing.signal.aborted) return text(record, 503);

    if (effect.redirect !== undefined) {
      record.faults.push("redirect");
      const { status, location } = effect.redirect;
      const target = typeof location === "function" ? location(path, url) : location;
      return whole(
        record,
        new Response(null, { status, headers: { location: target, "content-length": "0" } }),
      );
    }
    if (effect.status !== undefined) {
      record.faults.push("status");
      const extra: Record<string, string> = {};
      if (effect.retryAfter !== undefined) extra["retry-after"] = String(effect.retryAfter);
      return text(record, effect.status, extra);
    }
    if (method !== "GET" && method !== "HEAD") {
      return text(record, 405, { allow: ALLOWED_METHODS });
    }
    const resource = decodes ? await lookup(path, url.origin) : 400;
    if (typeof resource === "number") return text(record, resource);
    // The body may end (or fail) before or after the answer is handed over.
    let ended = false;
    let handed = false;
    const response = await answerResource(resource, {
      request,
      effect,
      record,
      closing: closing.signal,
      onEnd: () => {
        ended = true;
        if (handed) options.onComplete?.(record);
      },
      headers: isLiveManifest(path) ? { "cache-control": "no-cache" } : undefined,
      track,
    });
    finish(record, response);
    handed = true;
    if (ended) options.onComplete?.(record);
    return response;
  };

  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    signal: serveAbort.signal,
    automaticCompression: false,
    onListen() {},
    onError(error) {
      // A body cut on purpose, or by close(), is not an error of the server.
      if (!(error instanceof DeliberateAbort)) {
        options.onError?.(error);
        return withCors(new Response("500 Internal Server Error\n", { status: 500 }));
      }
      return new Response(null, { status: 500 });
    },
  }, handle);

  const port = server.addr.port;
  const host = server.addr.hostname.includes(":")
    ? `[${server.addr.hostname}]`
    : server.addr.hostname;
  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= (async () => {
      closing.abort();
      serveAbort.abort();
      await server.finished;
      await Promise.allSettled([...releasing]);
    })();
    return closed;
  };

  return {
    url: `http://${host}:${port}/`,
    port,
    label: source.label,
    get requests() {
      return log.records;
    },
    count: (pattern, method) => log.count(pattern, method),
    countByPath: (method) => log.countByPath(method),
    resetLog: () => log.reset(),
    setFaults: (rules) => faults.replace(rules),
    clearFaults: () => faults.replace([]),
    setRoute,
    now: clock,
    live: {
      paths: views.flatMap((v) => v.manifests),
      notes: views.flatMap((v) => v.describe()),
    },
    startMs,
    endEvent: () => event.end(clock()),
    close,
    [Symbol.asyncDispose]: close,
  };
}
