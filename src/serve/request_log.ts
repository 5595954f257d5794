/**
 * What the server saw: one record per request, kept in arrival order for tests (counts
 * per path, per method) and written as one JSON line per request for `--log FILE`.
 *
 * @module
 */
import { compilePattern, type PathPattern } from "./pattern.ts";

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
  /** When it arrived, by the server's clock (milliseconds since the epoch). */
  time: number;
  /** Body bytes sent so far (final once the body has ended). */
  bytes: number;
}

/**
 * The requests seen since the start or the last `reset()`.
 *
 * @example
 * ```ts
 * const log = new RequestLog();
 * log.count("*.m4s", "GET"); // 0
 * ```
 */
export class RequestLog {
  #records: RecordedRequest[] = [];

  /** Appends a record (kept by reference: its status and bytes are filled in later). */
  push(record: RecordedRequest): void {
    this.#records.push(record);
  }

  /** A copy of the records. */
  get records(): RecordedRequest[] {
    return [...this.#records];
  }

  /** How many records match `path` (all when omitted) and `method` (any). */
  count(pattern?: PathPattern, method?: string): number {
    const test = pattern === undefined ? () => true : compilePattern(pattern);
    const wanted = method?.toUpperCase();
    return this.#records.filter((r) =>
      (wanted === undefined || r.method === wanted) && test(r.path)
    ).length;
  }

  /** The number of records per decoded path, for one method or all. */
  countByPath(method?: string): Record<string, number> {
    const wanted = method?.toUpperCase();
    const counts: Record<string, number> = {};
    for (const r of this.#records) {
      if (wanted === undefined || r.method === wanted) counts[r.path] = (counts[r.path] ?? 0) + 1;
    }
    return counts;
  }

  /** Forgets every record. */
  reset(): void {
    this.#records = [];
  }
}

/**
 * One JSON line (with its newline) for a finished request: time (ISO 8601, server clock),
 * method, path, query, range, status, body bytes sent, faults applied.
 *
 * @example
 * ```ts
 * logLine({ method: "GET", path: "/a.m4s", query: "", range: null, status: 200, headers: {},
 *   faults: [], time: 0, bytes: 10 });
 * // '{"time":"1970-01-01T00:00:00.000Z","method":"GET","path":"/a.m4s",...}\n'
 * ```
 */
export function logLine(record: RecordedRequest): string {
  return JSON.stringify({
    time: new Date(record.time).toISOString(),
    method: record.method,
    path: record.path,
    query: record.query,
    range: record.range,
    status: record.status,
    bytes: record.bytes,
    faults: record.faults,
  }) + "\n";
}
