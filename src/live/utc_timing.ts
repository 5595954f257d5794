/**
 * How far the origin's clock is from ours: ISO/IEC 23009-1 `UTCTiming` (5.8.5.9; the
 * schemes of DASH-IF IOP 4.7) when the MPD names one, else the `Date` header of the response
 * that carried the manifest.
 *
 * Every measurement gives a lower bound of the offset (origin minus local): the origin's
 * time `V` was read at some moment between sending the request and receiving the answer, so
 * the offset is at least `V − (local time at receipt)`. A `Date` header is cut to the second,
 * which only lowers `V` further. The recorder, using the lower bound, believes the origin is
 * at most a round trip (or a second) behind where it is: it may ask for a segment a little
 * late, never early.
 *
 * Supported schemes (2012 and 2014 variants): `http-iso`, `http-xsdate` (GET, the body is the
 * time), `http-head` (HEAD, the `Date` header), `direct` (the value is the time, when the MPD
 * was made). `ntp`, `sntp` and `http-ntp` are not: the next element, or the `Date` header,
 * is used instead.
 *
 * @module
 */
import { type HttpOptions, request, statusError } from "../net/http.ts";
import { describeError } from "../net/retry.ts";
import type { Clock } from "./clock.ts";
import { parseDateTime } from "./clock.ts";

/** One `UTCTiming` element. */
export interface UtcTiming {
  /** `@schemeIdUri`. */
  scheme: string;
  /** `@value`. */
  value: string;
}

/** A measured offset and how it was measured. */
export interface ClockOffset {
  /** Origin time minus local time, milliseconds (a lower bound). */
  offsetMs: number;
  /** How: `UTCTiming http-iso <url>`, `Date header`, … */
  source: string;
}

const SCHEME = /^urn:mpeg:dash:utc:(http-iso|http-xsdate|http-head|direct):(2012|2014)$/;

/** The largest body a time source may send. */
const MAX_TIME_BODY = 4096;

/** Reads a time server's answer: the body (a date) or, for `http-head`, its Date header. */
async function readTimeSource(
  url: string,
  head: boolean,
  http: HttpOptions,
): Promise<number> {
  // One attempt: a time source that fails is skipped, not waited for.
  const r = await request(url, { ...http, retries: 0 }, { method: head ? "HEAD" : "GET" });
  try {
    if (!r.response.ok) throw statusError(r.response, r.url, r.withheld);
    if (head) {
      const date = Date.parse(r.response.headers.get("date") ?? "");
      if (Number.isNaN(date)) throw new Error(`${url} sent no usable Date header`);
      return date;
    }
    let body = "";
    const dec = new TextDecoder();
    for await (const chunk of r.chunks()) {
      body += dec.decode(chunk, { stream: true });
      if (body.length > MAX_TIME_BODY) throw new Error(`${url}: the answer is not a date`);
    }
    const at = parseDateTime(body);
    if (at === undefined) throw new Error(`${url}: "${body.trim().slice(0, 40)}" is not a date`);
    return at;
  } finally {
    await r.done();
  }
}

/**
 * Measures the origin's clock with the first `UTCTiming` element that works; undefined when
 * none does (`problems` then says why each failed).
 *
 * @param timings the MPD's UTCTiming elements, in document order
 * @param base the URL relative time-source URLs resolve against (the MPD's)
 * @param mpdReceivedAt the local time the MPD arrived (for the `direct` scheme)
 *
 * @example
 * ```ts
 * import { DEFAULT_HTTP } from "../net/http.ts";
 * import { systemClock } from "./clock.ts";
 * const offset = await measureUtcTiming(
 *   [{ scheme: "urn:mpeg:dash:utc:http-iso:2014", value: "https://time.example/now" }],
 *   "https://cdn.example/live.mpd", DEFAULT_HTTP, systemClock, Date.now(), [],
 * );
 * ```
 */
export async function measureUtcTiming(
  timings: readonly UtcTiming[],
  base: string,
  http: HttpOptions,
  clock: Clock,
  mpdReceivedAt: number,
  problems: string[],
): Promise<ClockOffset | undefined> {
  for (const timing of timings) {
    const m = SCHEME.exec(timing.scheme.trim());
    if (!m) {
      problems.push(`UTCTiming ${timing.scheme} is not supported`);
      continue;
    }
    const kind = m[1];
    if (kind === "direct") {
      const at = parseDateTime(timing.value);
      if (at !== undefined) {
        return { offsetMs: at - mpdReceivedAt, source: `UTCTiming direct (${timing.value})` };
      }
      problems.push(`UTCTiming direct: "${timing.value}" is not a date`);
      continue;
    }
    // The value may list several URLs, separated by white space: the first that answers.
    for (const ref of timing.value.trim().split(/\s+/).filter(Boolean)) {
      let url: string;
      try {
        url = new URL(ref, base).href;
      } catch {
        problems.push(`UTCTiming ${kind}: "${ref}" is not a URL`);
        continue;
      }
      if (!/^https?:$/.test(new URL(url).protocol)) {
        problems.push(`UTCTiming ${kind}: ${url} is not http(s)`);
        continue;
      }
      try {
        const at = await readTimeSource(url, kind === "http-head", http);
        return { offsetMs: at - clock.now(), source: `UTCTiming ${kind} ${url}` };
      } catch (err) {
        if (http.signal?.aborted) throw err;
        problems.push(`UTCTiming ${kind} ${url}: ${describeError(err)}`);
      }
    }
  }
  return undefined;
}

/**
 * The offset a response's `Date` header gives (a lower bound: the header is cut to the
 * second), or undefined without a usable header.
 *
 * @param date the header's value
 * @param receivedAt the local time the response arrived
 *
 * @example
 * ```ts
 * offsetFromDate("Fri, 04 Dec 2026 10:00:07 GMT", Date.parse("2026-12-04T10:00:04.500Z"));
 * // { offsetMs: 2500, source: "Date header" }
 * ```
 */
export function offsetFromDate(
  date: string | undefined,
  receivedAt: number,
): ClockOffset | undefined {
  if (date === undefined) return undefined;
  const at = Date.parse(date);
  if (Number.isNaN(at)) return undefined;
  return { offsetMs: at - receivedAt, source: "Date header" };
}
