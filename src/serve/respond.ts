/**
 * Answers built from a resource and the fault effect chosen for the request: GET and
 * HEAD with a single `Range` (206, `Content-Range`; 416 when unsatisfiable), `If-Range`,
 * validators, and the body faults (partial answers, ignored ranges, gzip, chunked,
 * stalls, throttling, short bodies, resets). Plus the short text answers for errors, and
 * the CORS headers every answer carries so a web player on another origin can load it.
 *
 * @module
 */
import type { Effect } from "./faults.ts";
import { contentTypeFor } from "./content_type.ts";
import { ifRangeHolds, parseRange } from "./range.ts";
import type { RecordedRequest } from "./request_log.ts";
import { type Bytes, memoryChunks, type Resource } from "./source.ts";
import { type WireEnd, type WirePlan, wireStream } from "./wire.ts";

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

/** The methods the server answers. */
export const ALLOWED_METHODS = "GET, HEAD, OPTIONS";

/** Response headers a script on another origin may read. */
const EXPOSED = [
  "content-length",
  "content-range",
  "accept-ranges",
  "content-type",
  "date",
  "etag",
  "last-modified",
  "retry-after",
  "location",
].join(", ");

/**
 * Adds the CORS headers every answer carries (errors included).
 *
 * @example
 * ```ts
 * const response = withCors(new Response("x"));
 * response.headers.get("access-control-allow-origin"); // "*"
 * ```
 */
export function withCors(response: Response): Response {
  response.headers.set("access-control-allow-origin", "*");
  response.headers.set("access-control-expose-headers", EXPOSED);
  response.headers.set("timing-allow-origin", "*");
  return response;
}

/**
 * The answer to a CORS preflight (`OPTIONS`): the methods and the request headers a
 * player may use (those it asks for, `Range` and `If-Range` by default).
 */
export function preflight(request: Request): Response {
  const asked = request.headers.get("access-control-request-headers");
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-methods": ALLOWED_METHODS,
      "access-control-allow-headers": asked && asked.trim() !== "" ? asked : "range, if-range",
      "access-control-max-age": "86400",
      allow: ALLOWED_METHODS,
    },
  });
}

const encoder = new TextEncoder();

/**
 * A short plain-text answer for a status (`404 Not Found`); no body for HEAD.
 *
 * @example
 * ```ts
 * textAnswer(503, "GET", { "retry-after": "1" }).status; // 503
 * ```
 */
export function textAnswer(status: number, method: string, extra: HeadersInit = {}): Response {
  const text = `${status} ${STATUS_TEXT[status] ?? "Fault"}\n`;
  const headers = new Headers(extra);
  headers.set("content-type", "text/plain; charset=utf-8");
  headers.set("content-length", String(encoder.encode(text).length));
  return new Response(method === "HEAD" ? null : text, { status, headers });
}

/** Collects a stream into one array. */
async function collect(stream: ReadableStream<Uint8Array>): Promise<Bytes> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** What {@link answerResource} needs besides the resource. */
export interface AnswerContext {
  /** The request. */
  request: Request;
  /** The merged fault effect for it. */
  effect: Effect;
  /** Its log record: the faults applied are noted in it, and the bytes sent. */
  record: RecordedRequest;
  /** Aborts when the server closes. */
  closing: AbortSignal;
  /** Called once the body has ended (or at once when there is none). */
  onEnd: (end: WireEnd) => void;
  /** Handed the release of the body's source, which settles once its file is closed. */
  track?: (released: Promise<unknown>) => void;
  /** Extra headers (e.g. `cache-control` for live manifests). */
  headers?: Record<string, string>;
}

/**
 * The answer for a resource: GET or HEAD, a single Range, If-Range, and the body faults
 * of `cx.effect` (see {@link Effect}).
 */
export async function answerResource(resource: Resource, cx: AnswerContext): Promise<Response> {
  const { request, effect, record } = cx;
  const method = request.method;
  const headers = new Headers({ "content-type": contentTypeFor(resource.name), ...cx.headers });
  const modified = resource.modified?.toUTCString();
  if (!effect.noValidators) {
    headers.set("etag", resource.etag);
    if (modified !== undefined) headers.set("last-modified", modified);
  } else record.faults.push("noValidators");
  let start = 0;
  let end = resource.size; // exclusive
  let status = 200;
  const ifRange = request.headers.get("if-range");
  const rangeHolds = ifRange === null ||
    (!effect.noValidators && ifRangeHolds(ifRange, resource.etag, modified));
  if (effect.partialAnswer !== undefined) {
    record.faults.push("partialAnswer");
    status = 206;
    end = Math.min(resource.size, effect.partialAnswer);
    headers.set("content-range", `bytes 0-${end - 1}/${resource.size}`);
  } else if (effect.ignoreRange) {
    record.faults.push("ignoreRange");
  } else {
    headers.set("accept-ranges", "bytes");
    const range = rangeHolds ? parseRange(record.range, resource.size) : null;
    if (range === "unsatisfiable") {
      cx.onEnd({ bytes: 0, complete: true });
      return textAnswer(416, method, { "content-range": `bytes */${resource.size}` });
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
    cx.onEnd({ bytes: 0, complete: true });
    // A null body would make the answer claim `content-length: 0`; an empty stream
    // leaves the length unsaid, as for the GET.
    const none = effect.chunked ? ReadableStream.from<Uint8Array>([]) : null;
    return new Response(none, { status, headers });
  }

  const plan: WirePlan = {};
  if (effect.stallMs !== undefined) {
    record.faults.push("stall");
    plan.stallMs = effect.stallMs;
    plan.stallAt = effect.stallAfterBytes ?? 0;
  }
  if (effect.throttleKbps !== undefined) {
    record.faults.push("throttle");
    plan.bytesPerSecond = (effect.throttleKbps * 1000) / 8;
  }
  if (effect.resetAfterBytes !== undefined || effect.resetAfterFraction !== undefined) {
    record.faults.push("reset");
    plan.cutAt = effect.resetAfterBytes ?? Math.floor(length * (effect.resetAfterFraction ?? 0));
    plan.cutMode = "reset";
  } else if (effect.shortBody !== undefined) {
    record.faults.push("shortBody");
    plan.cutAt = effect.shortBody;
    plan.cutMode = "short";
  }
  source ??= resource.chunks(start, end);
  const body = wireStream(source, plan, cx.closing, (done) => {
    record.bytes = done.bytes;
    cx.onEnd(done);
  }, cx.track);
  return new Response(body, { status, headers });
}
