/**
 * A loopback HTTP server for tests and benchmarks: it serves a fixture directory (and
 * optional in-memory routes) on 127.0.0.1 with GET, HEAD and single byte ranges, records
 * every request it sees, and injects faults per path on demand: latency, error statuses,
 * connection resets, short bodies, chunked and gzip encodings, redirects, stalls and
 * ignored ranges.
 *
 * Nothing is cached: every request stats and reads the file anew, so a test can change
 * the fixtures between runs by writing to `root`. Bodies are streamed from disk.
 *
 * Also a program, for manual use and benchmarks; it prints the base URL as its first line
 * of output and serves until killed:
 *
 * ```sh
 * deno run --allow-net --allow-read tests/server.ts --root DIR [--port N] [--latency MS] [--log]
 * ```
 *
 * @example Serve a directory, make every 3rd segment request fail, count requests
 * ```ts
 * import { startServer } from "./server.ts";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/a.m4s`, "segment");
 * await using server = startServer({
 *   root,
 *   faults: [{ match: "*.m4s", hit: { every: 3 }, status: 503, retryAfter: 1 }],
 * });
 * const response = await fetch(new URL("a.m4s", server.url));
 * console.log(response.status, await response.text()); // 200 segment
 * console.log(server.count("/a.m4s")); // 1
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @module
 */
import { extname, isAbsolute, join, relative, resolve, sep } from "node:path";

/** Which of the requests that a {@linkcode FaultRule} matches it acts on. */
export type FaultHit =
  /** Every matching request. */
  | "all"
  /** The first request for each distinct path (the same as `{ firstPerPath: 1 }`). */
  | "oncePerPath"
  /** The first `first` matching requests, then none. */
  | { first: number }
  /** The `every`th, 2×`every`th, … matching request (counted per rule). */
  | { every: number }
  /** The first `firstPerPath` requests for each distinct path. */
  | { firstPerPath: number };

/** The status codes a redirect fault may answer with. */
export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

/**
 * Which paths a rule or a count applies to:
 * - a string glob: `*` matches any run of characters but `/`, `**` any run including
 *   `/`, `?` one character but `/`. A pattern containing `/` is matched against the whole
 *   decoded path (a leading `/` is implied: `video/*` is `/video/*`); a pattern without
 *   `/` against the last path segment (`*.m4s` matches `/a/b/seg-1.m4s`). A pattern
 *   without wildcards matches exactly.
 * - a RegExp, tested against the whole decoded path (`/video/seg-1.m4s`);
 * - a predicate on the decoded path.
 */
export type PathPattern = string | RegExp | ((path: string) => boolean);

/**
 * One fault to inject. A rule applies to the requests whose decoded path matches `match`
 * (and whose method is `method`, when given), selected by `hit`.
 *
 * All rules that select a request apply together; when two set the same field the earlier
 * rule wins. Each rule counts the requests it matches on its own, whether or not it acts
 * on them. The order of effects on one request: `latencyMs`, then `redirect`, then
 * `status`; otherwise the file (or route) is answered, shaped by `ignoreRange`, `gzip`,
 * `chunked`, `stallMs`, `shortBody` and `resetAfterBytes`, which act on the bytes on the
 * wire (after gzip). Body faults do nothing to HEAD requests, which have no body.
 */
export interface FaultRule {
  /** The paths this rule applies to. */
  match: PathPattern;
  /** Only requests with this method (`"GET"`, `"HEAD"`), counted and acted on; default any. */
  method?: string;
  /**
   * Which matching requests the rule acts on.
   * @default {"all"}
   */
  hit?: FaultHit;
  /** Wait this long before answering; replaces the server-wide `latencyMs`. */
  latencyMs?: number;
  /** Answer with this status (500, 503, 429, 404, 403, 408, …) and a short text body. */
  status?: number;
  /** With `status`: send `Retry-After` with this many seconds. */
  retryAfter?: number;
  /**
   * Send the headers and this many bytes of the body, then abort the connection: the
   * client sees a network error while reading the body, never a clean end, with or
   * without a Content-Length. Meant for counts below the body's length.
   */
  resetAfterBytes?: number;
  /**
   * Declare the full Content-Length but send only this many bytes, then end the body: the
   * client sees the body end early (an error in `fetch`). A count at or beyond the body's
   * length sends it whole.
   */
  shortBody?: number;
  /** Send no Content-Length (the body goes out with `Transfer-Encoding: chunked`). */
  chunked?: boolean;
  /**
   * Send the body gzip-compressed with `Content-Encoding: gzip`. Content-Length is then
   * the compressed size (the compressed body is built in memory to know it), unless
   * `chunked` is also set. With a Range, the selected bytes are what gets compressed, and
   * the request's `Accept-Encoding` is disregarded (`fetch` asks for `identity` when it
   * sends a Range, so it hands such a body over still compressed).
   */
  gzip?: boolean;
  /**
   * Answer with a redirect to `location` (relative to the request URL, or absolute, for
   * example another server's `url`). A function computes it per request, so a whole
   * folder can be sent elsewhere: `(path) => new URL(path.slice(1), other.url).href`.
   */
  redirect?: {
    status: RedirectStatus;
    location: string | ((path: string, url: URL) => string);
  };
  /** After the headers and `stallAfterBytes` bytes of body, send nothing for this long. */
  stallMs?: number;
  /**
   * With `stallMs`: how many body bytes to send before stalling.
   * @default {0}
   */
  stallAfterBytes?: number;
  /** Answer 200 with the whole body even when a Range was asked for. */
  ignoreRange?: boolean;
}

/** One request the server saw, in the order they arrived. */
export interface RecordedRequest {
  /** The request method (`GET`, `HEAD`, …). */
  method: string;
  /** The decoded URL path (`/video/seg 1.m4s`); the raw path when it does not decode. */
  path: string;
  /** The query string without its `?` (`""` when there is none). */
  query: string;
  /** The `Range` request header, or null. */
  range: string | null;
  /** The response status; 0 while the response is still being decided (e.g. latency). */
  status: number;
  /** Every request header, names in lower case. */
  headers: Record<string, string>;
  /** The fault effects applied, e.g. `["latency", "reset"]`; empty for a plain answer. */
  faults: string[];
}

/** Options of {@linkcode startServer}. */
export interface ServerOptions {
  /** The directory to serve; must exist. */
  root: string;
  /**
   * The port to listen on (127.0.0.1 only); 0 picks a free one.
   * @default {0}
   */
  port?: number;
  /**
   * A delay before every response, for benchmarks; a rule's `latencyMs` replaces it.
   * @default {0}
   */
  latencyMs?: number;
  /** The initial fault rules; see {@linkcode TestServer.setFaults}. */
  faults?: FaultRule[];
  /**
   * In-memory resources, served like files and before them: path (with or without the
   * leading `/`, not percent-encoded) → content (copied).
   */
  routes?: Record<string, Uint8Array | string>;
  /** Called for every request once its response status is known. */
  onRequest?: (request: RecordedRequest) => void;
  /**
   * Keep the log of requests (`requests`, `count`, `countByPath`). Turn it off for long
   * benchmark sessions so memory does not grow; `onRequest` is still called.
   * @default {true}
   */
  record?: boolean;
}

/** A running server; see {@linkcode startServer}. */
export interface TestServer extends AsyncDisposable {
  /** The base URL with a trailing slash: `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
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
  /**
   * Stop the server: aborts responses in flight (stalled, delayed or streaming ones too),
   * closes connections and open files, and resolves when all is done. Safe to call twice.
   */
  close(): Promise<void>;
}

/** A byte array over a plain ArrayBuffer (what streams and CompressionStream take). */
type Bytes = Uint8Array<ArrayBuffer>;

/** Bytes read from disk per chunk. */
const CHUNK_SIZE = 256 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  ".mpd": "application/dash+xml",
  ".m3u8": "application/vnd.apple.mpegurl",
  ".m3u": "application/vnd.apple.mpegurl",
  ".m4s": "video/mp4",
  ".mp4": "video/mp4",
  ".m4v": "video/mp4",
  ".cmfv": "video/mp4",
  ".m4a": "audio/mp4",
  ".cmfa": "audio/mp4",
  ".m4t": "application/mp4",
  ".cmft": "application/mp4",
  ".ts": "video/mp2t",
  ".aac": "audio/aac",
  ".ac3": "audio/ac3",
  ".ec3": "audio/eac3",
  ".mp3": "audio/mpeg",
  ".webm": "video/webm",
  ".weba": "audio/webm",
  ".vtt": "text/vtt",
  ".webvtt": "text/vtt",
  ".ttml": "application/ttml+xml",
  ".dfxp": "application/ttml+xml",
  ".srt": "application/x-subrip",
  ".key": "application/octet-stream",
  ".bin": "application/octet-stream",
  ".xml": "application/xml",
  ".json": "application/json",
  ".html": "text/html; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** The Content-Type the server sends for a file name (by extension). */
export function contentTypeFor(name: string): string {
  return CONTENT_TYPES[extname(name).toLowerCase()] ?? "application/octet-stream";
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  416: "Range Not Satisfiable",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The error a body stream ends with when a reset is injected or the server closes. */
class DeliberateAbort extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeliberateAbort";
  }
}

/** Converts a glob (see {@linkcode PathPattern}) to a RegExp over the whole path. */
function globToRegExp(glob: string): RegExp {
  const onName = !glob.includes("/");
  const text = onName || glob.startsWith("/") ? glob : `/${glob}`;
  let source = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "*" && text[i + 1] === "*") {
      if (text[i + 2] === "/") {
        source += "(?:.*/)?";
        i += 2;
      } else {
        source += ".*";
        i += 1;
      }
    } else if (c === "*") {
      source += "[^/]*";
    } else if (c === "?") {
      source += "[^/]";
    } else {
      source += c.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
    }
  }
  return new RegExp(onName ? `(?:^|/)${source}$` : `^${source}$`);
}

/** Turns a {@linkcode PathPattern} into a test on a decoded path. */
function compilePattern(pattern: PathPattern): (path: string) => boolean {
  if (typeof pattern === "function") return pattern;
  const re = typeof pattern === "string" ? globToRegExp(pattern) : pattern;
  return (path) => {
    re.lastIndex = 0;
    return re.test(path);
  };
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts; leaves no timer behind. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new DeliberateAbort("server closed"));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DeliberateAbort("server closed"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Parses a `Range` header against a resource of `size` bytes: the inclusive byte span,
 * "unsatisfiable", or null when the header is absent, malformed, asks for several ranges
 * or another unit (the whole resource is sent then, as RFC 9110 allows).
 */
function parseRange(
  header: string | null,
  size: number,
): { start: number; end: number } | "unsatisfiable" | null {
  if (header === null) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (m === null || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === "" ? Infinity : Number(m[2]);
  if (last < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end: Math.min(last, size - 1) };
}

/** Yields bytes [start, end) of a file, opening it only when first read. */
async function* fileChunks(path: string, start: number, end: number) {
  const file = await Deno.open(path, { read: true });
  try {
    if (start > 0) await file.seek(start, Deno.SeekMode.Start);
    let left = end - start;
    while (left > 0) {
      const buf = new Uint8Array(Math.min(left, CHUNK_SIZE));
      const n = await file.read(buf);
      if (n === null) break; // the file shrank: the body ends short
      left -= n;
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  } finally {
    file.close();
  }
}

/** Yields bytes [start, end) of an in-memory body. */
async function* memoryChunks(bytes: Bytes, start: number, end: number) {
  for (let at = start; at < end; at += CHUNK_SIZE) {
    yield bytes.subarray(at, Math.min(end, at + CHUNK_SIZE));
  }
}

/** How to put a body on the wire. */
interface WirePlan {
  /** Stop after this many bytes: "reset" aborts the connection, "short" ends the body. */
  cutAt?: number;
  cutMode?: "reset" | "short";
  /** Pause `stallMs` after `stallAt` bytes. */
  stallAt?: number;
  stallMs?: number;
}

/**
 * The response body stream: pulls chunks from `source` and applies the wire faults.
 * Registers itself with `closing` so closing the server aborts it and releases `source`.
 */
function wireStream(
  source: AsyncIterator<Uint8Array>,
  plan: WirePlan,
  closing: AbortSignal,
): ReadableStream<Uint8Array> {
  let sent = 0;
  let pending: Uint8Array | null = null;
  let stalled = plan.stallMs === undefined;
  let finished = false;
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | null = null;
  // Ends a stall early when the client goes away or the server closes.
  const ended = new AbortController();

  const release = () => {
    if (finished) return;
    finished = true;
    closing.removeEventListener("abort", onClosing);
    ended.abort();
    source.return?.().catch(() => {});
  };
  const onClosing = () => {
    const controller = controllerRef;
    release();
    try {
      controller?.error(new DeliberateAbort("server closed"));
    } catch {
      // already closed or errored
    }
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      controllerRef = controller;
      if (closing.aborted) onClosing();
      else closing.addEventListener("abort", onClosing, { once: true });
    },
    async pull(controller) {
      if (finished) return;
      if (!stalled && sent >= (plan.stallAt ?? 0)) {
        stalled = true;
        try {
          await sleep(plan.stallMs ?? 0, ended.signal);
        } catch {
          return; // cancelled, or the server closed and onClosing errored the stream
        }
      }
      if (plan.cutAt !== undefined && sent >= plan.cutAt) {
        release();
        if (plan.cutMode === "reset") {
          controller.error(new DeliberateAbort(`reset after ${sent} bytes`));
        } else {
          controller.close();
        }
        return;
      }
      let chunk = pending;
      pending = null;
      if (chunk === null) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await source.next();
        } catch (error) {
          release();
          throw error; // a read error: the stream errors and onError reports it
        }
        if (finished) return;
        if (next.done) {
          release();
          controller.close();
          return;
        }
        chunk = next.value;
      }
      let room = Infinity;
      if (plan.cutAt !== undefined) room = plan.cutAt - sent;
      if (!stalled) room = Math.min(room, (plan.stallAt ?? 0) - sent);
      if (chunk.length > room) {
        pending = chunk.subarray(room);
        chunk = chunk.subarray(0, room);
      }
      sent += chunk.length;
      controller.enqueue(chunk);
    },
    cancel() {
      release();
    },
  });
}

/** Collects a stream into one array. */
async function collect(stream: ReadableStream<Uint8Array>): Promise<Bytes> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const part of stream) {
    parts.push(part);
    length += part.length;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The merged effect of the rules that selected one request. */
type Effect = Omit<FaultRule, "match" | "hit" | "method">;

interface CompiledRule {
  rule: FaultRule;
  test: (path: string) => boolean;
  seen: number;
  perPath: Map<string, number>;
}

function compileRule(rule: FaultRule): CompiledRule {
  return { rule, test: compilePattern(rule.match), seen: 0, perPath: new Map() };
}

/** Counts the request against the rule and says whether the rule acts on it. */
function selects(compiled: CompiledRule, path: string, request: Request): boolean {
  const { rule } = compiled;
  if (rule.method !== undefined && rule.method.toUpperCase() !== request.method) return false;
  if (!compiled.test(path)) return false;
  const nth = ++compiled.seen;
  const perPath = (compiled.perPath.get(path) ?? 0) + 1;
  compiled.perPath.set(path, perPath);
  const hit = rule.hit ?? "all";
  if (hit === "all") return true;
  if (hit === "oncePerPath") return perPath === 1;
  if ("first" in hit) return nth <= hit.first;
  if ("every" in hit) return hit.every > 0 && nth % hit.every === 0;
  return perPath <= hit.firstPerPath;
}

function normalizeRoute(path: string): string {
  return path.startsWith("/") ? path : `/${path}`;
}

/** A resource to answer with: its size and how to read a span of it. */
interface Resource {
  name: string;
  size: number;
  chunks(start: number, end: number): AsyncGenerator<Bytes>;
}

/**
 * Starts a server on 127.0.0.1 that serves `options.root`; see the module documentation.
 * Close it with `close()` (or `await using`).
 *
 * Answers: GET and HEAD (others get 405); a single `Range: bytes=a-b | a- | -n` gets 206
 * with Content-Range, an unsatisfiable one 416 with a Content-Range that gives the size, a
 * malformed or multiple one the whole body; a missing file or a directory 404; a path
 * that does not decode, contains NUL or a `..` segment after decoding, 400. The query
 * string plays no part in finding the file. Content-Type follows the extension
 * ({@linkcode contentTypeFor}).
 *
 * @example Two origins, one redirecting a folder to the other
 * ```ts
 * import { startServer } from "./server.ts";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/video`);
 * await Deno.writeTextFile(`${root}/video/1.m4s`, "one");
 * await using b = startServer({ root });
 * await using a = startServer({
 *   root,
 *   routes: { "/live.mpd": "<MPD/>" },
 *   faults: [{
 *     match: "/video/**",
 *     redirect: { status: 302, location: (path) => new URL(path.slice(1), b.url).href },
 *   }],
 * });
 * const response = await fetch(new URL("video/1.m4s", a.url));
 * console.log(response.url === new URL("video/1.m4s", b.url).href); // true
 * console.log(await response.text()); // one
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export function startServer(options: ServerOptions): TestServer {
  const root = resolve(options.root);
  if (!Deno.statSync(root).isDirectory) {
    throw new Error(`startServer: root is not a directory: ${root}`);
  }
  const defaultLatency = options.latencyMs ?? 0;
  const onRequest = options.onRequest;
  const keepLog = options.record ?? true;
  const routes = new Map<string, Bytes>();
  const encoder = new TextEncoder();
  const setRoute = (path: string, body: Uint8Array | string | undefined) => {
    if (body === undefined) routes.delete(normalizeRoute(path));
    else {routes.set(
        normalizeRoute(path),
        typeof body === "string" ? encoder.encode(body) : new Uint8Array(body),
      );}
  };
  for (const [path, body] of Object.entries(options.routes ?? {})) setRoute(path, body);

  let rules = (options.faults ?? []).map(compileRule);
  let log: RecordedRequest[] = [];
  const closing = new AbortController();
  const serveAbort = new AbortController();

  const finish = (record: RecordedRequest, response: Response): Response => {
    record.status = response.status;
    onRequest?.(record);
    return response;
  };

  const textResponse = (status: number, method: string, extra: HeadersInit = {}) => {
    const text = `${status} ${STATUS_TEXT[status] ?? "Fault"}\n`;
    const headers = new Headers(extra);
    headers.set("content-type", "text/plain; charset=utf-8");
    headers.set("content-length", String(encoder.encode(text).length));
    return new Response(method === "HEAD" ? null : text, { status, headers });
  };

  const findResource = async (
    path: string,
  ): Promise<Resource | 400 | 403 | 404> => {
    const route = routes.get(path);
    if (route !== undefined) {
      return { name: path, size: route.length, chunks: (s, e) => memoryChunks(route, s, e) };
    }
    const segments = path.split("/");
    if (path.includes("\0") || segments.includes("..")) return 400;
    const file = join(root, ...segments);
    const rel = relative(root, file);
    if (rel === "") return 404;
    if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return 400;
    try {
      const info = await Deno.stat(file);
      if (!info.isFile) return 404;
      return { name: file, size: info.size, chunks: (s, e) => fileChunks(file, s, e) };
    } catch (error) {
      if (error instanceof Deno.errors.PermissionDenied) return 403;
      return 404;
    }
  };

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
    };
    if (keepLog) log.push(record);

    const effect: Effect = {};
    for (const compiled of rules) {
      if (!selects(compiled, path, request)) continue;
      for (const [key, value] of Object.entries(compiled.rule)) {
        if (key === "match" || key === "hit" || key === "method" || value === undefined) continue;
        if (!(key in effect)) (effect as Record<string, unknown>)[key] = value;
      }
    }

    const latency = effect.latencyMs ?? defaultLatency;
    if (latency > 0) {
      if (effect.latencyMs !== undefined) record.faults.push("latency");
      try {
        await sleep(latency, closing.signal);
      } catch {
        return finish(record, textResponse(503, method));
      }
    }
    if (closing.signal.aborted) return finish(record, textResponse(503, method));

    if (effect.redirect !== undefined) {
      record.faults.push("redirect");
      const { status, location } = effect.redirect;
      const target = typeof location === "function" ? location(path, url) : location;
      return finish(
        record,
        new Response(null, { status, headers: { location: target, "content-length": "0" } }),
      );
    }
    if (effect.status !== undefined) {
      record.faults.push("status");
      const extra: Record<string, string> = {};
      if (effect.retryAfter !== undefined) extra["retry-after"] = String(effect.retryAfter);
      return finish(record, textResponse(effect.status, method, extra));
    }
    if (method !== "GET" && method !== "HEAD") {
      return finish(record, textResponse(405, method, { allow: "GET, HEAD" }));
    }
    const resource = decodes ? await findResource(path) : 400;
    if (typeof resource === "number") return finish(record, textResponse(resource, method));

    const headers = new Headers({ "content-type": contentTypeFor(resource.name) });
    let start = 0;
    let end = resource.size; // exclusive
    let status = 200;
    if (effect.ignoreRange) {
      record.faults.push("ignoreRange");
    } else {
      headers.set("accept-ranges", "bytes");
      const range = parseRange(record.range, resource.size);
      if (range === "unsatisfiable") {
        return finish(
          record,
          textResponse(416, method, { "content-range": `bytes */${resource.size}` }),
        );
      }
      if (range !== null) {
        status = 206;
        start = range.start;
        end = range.end + 1;
        headers.set("content-range", `bytes ${start}-${range.end}/${resource.size}`);
      }
    }

    let length = end - start;
    let source: AsyncIterator<Uint8Array> | null = null;
    if (effect.gzip) {
      record.faults.push("gzip");
      headers.set("content-encoding", "gzip");
      if (!effect.chunked || method !== "HEAD") {
        const compressed = ReadableStream.from(resource.chunks(start, end))
          .pipeThrough(new CompressionStream("gzip"));
        if (effect.chunked) {
          source = compressed.values();
        } else {
          const bytes = await collect(compressed);
          length = bytes.length;
          source = memoryChunks(bytes, 0, bytes.length);
        }
      }
    }
    if (effect.chunked) record.faults.push("chunked");
    else headers.set("content-length", String(length));
    if (method === "HEAD") {
      // A null body would make the answer claim `content-length: 0`; an empty stream
      // leaves the length unsaid, as for the GET.
      const none = effect.chunked ? ReadableStream.from<Uint8Array>([]) : null;
      return finish(record, new Response(none, { status, headers }));
    }

    const plan: WirePlan = {};
    if (effect.stallMs !== undefined) {
      record.faults.push("stall");
      plan.stallMs = effect.stallMs;
      plan.stallAt = effect.stallAfterBytes ?? 0;
    }
    if (effect.resetAfterBytes !== undefined) {
      record.faults.push("reset");
      plan.cutAt = effect.resetAfterBytes;
      plan.cutMode = "reset";
    } else if (effect.shortBody !== undefined) {
      record.faults.push("shortBody");
      plan.cutAt = effect.shortBody;
      plan.cutMode = "short";
    }
    source ??= resource.chunks(start, end);
    return finish(
      record,
      new Response(wireStream(source, plan, closing.signal), { status, headers }),
    );
  };

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    signal: serveAbort.signal,
    automaticCompression: false,
    onListen() {},
    onError(error) {
      if (!(error instanceof DeliberateAbort)) console.error("tests/server.ts:", error);
      return new Response("500 Internal Server Error\n", { status: 500 });
    },
  }, handle);

  const port = server.addr.port;
  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= (async () => {
      closing.abort();
      serveAbort.abort();
      await server.finished;
    })();
    return closed;
  };

  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    get requests() {
      return [...log];
    },
    count(pattern?: PathPattern, method?: string) {
      const test = pattern === undefined ? () => true : compilePattern(pattern);
      const wanted = method?.toUpperCase();
      return log.filter((r) => (wanted === undefined || r.method === wanted) && test(r.path))
        .length;
    },
    countByPath(method?: string) {
      const wanted = method?.toUpperCase();
      const counts: Record<string, number> = {};
      for (const r of log) {
        if (wanted === undefined || r.method === wanted) counts[r.path] = (counts[r.path] ?? 0) + 1;
      }
      return counts;
    },
    resetLog() {
      log = [];
    },
    setFaults(next: FaultRule[]) {
      rules = next.map(compileRule);
    },
    clearFaults() {
      rules = [];
    },
    setRoute,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function usage(): never {
  console.error(
    "usage: deno run --allow-net --allow-read tests/server.ts --root DIR [--port N] " +
      "[--latency MS] [--log]",
  );
  Deno.exit(2);
}

/** Runs the server as a program: parses the arguments, prints the URL, serves. */
function runMain(args: string[]): void {
  let root: string | undefined;
  let port = 0;
  let latencyMs = 0;
  let verbose = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [name, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) usage();
      return v;
    };
    const number = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) usage();
      return n;
    };
    if (name === "--root") root = value();
    else if (name === "--port") port = number();
    else if (name === "--latency") latencyMs = number();
    else if (name === "--log") verbose = true;
    else usage();
  }
  if (root === undefined) usage();
  const server = startServer({
    root,
    port,
    latencyMs,
    record: false,
    onRequest: verbose
      ? (r) => console.error(`${r.status} ${r.method} ${r.path} ${r.range ?? ""}`.trimEnd())
      : undefined,
  });
  console.log(server.url);
}

if (import.meta.main) runMain(Deno.args);
