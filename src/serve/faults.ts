/**
 * Fault rules: which requests get latency, an error status, a redirect, a reset, a short,
 * chunked, gzip-encoded, throttled or stalled body, or a range ignored. Deterministic: each
 * rule counts the requests it matches, so "every 3rd" is the 3rd, 6th, 9th, … in the order
 * they arrive.
 *
 * @module
 */
import { compilePattern, type PathPattern } from "./pattern.ts";

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
 * One fault to inject. A rule applies to the requests whose decoded path matches `match`
 * (and whose method is `method`, when given), selected by `hit`.
 *
 * All rules that select a request apply together; when two set the same field the earlier
 * rule wins. Each rule counts the requests it matches on its own, whether or not it acts
 * on them. The order of effects on one request: `latencyMs`, then `redirect`, then
 * `status`; otherwise the file (or route) is answered, shaped by `partialAnswer`,
 * `ignoreRange`, `noValidators`, `gzip`, `chunked`, `stallMs`, `throttleKbps`, `shortBody`
 * and `resetAfterBytes` / `resetAfterFraction`, which act on the bytes on the wire (after
 * gzip). Body faults do nothing to HEAD requests, which have no body.
 *
 * @example Every 5th segment request fails with 503 and `Retry-After: 1`
 * ```ts
 * const rule: FaultRule = { match: "*.m4s", hit: { every: 5 }, status: 503, retryAfter: 1 };
 * ```
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
   * Like `resetAfterBytes`, as a fraction of the body (0.5: half of it, rounded down).
   */
  resetAfterFraction?: number;
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
  /** Send the body no faster than this many kilobits (1000 bits) per second. */
  throttleKbps?: number;
  /** Answer 200 with the whole body even when a Range was asked for. */
  ignoreRange?: boolean;
  /**
   * Answer `206 Partial Content` with only the first `partialAnswer` bytes (and a matching
   * Content-Range) whatever was asked for, even a plain GET without Range.
   */
  partialAnswer?: number;
  /** Send neither `ETag` nor `Last-Modified` (so a client has no validator to resume with). */
  noValidators?: boolean;
}

/** The merged effect of the rules that selected one request. */
export type Effect = Omit<FaultRule, "match" | "hit" | "method">;

/** A rule with its counters. */
interface CompiledRule {
  rule: FaultRule;
  test: (path: string) => boolean;
  seen: number;
  perPath: Map<string, number>;
}

/** Counts the request against the rule and says whether the rule acts on it. */
function selects(compiled: CompiledRule, path: string, method: string): boolean {
  const { rule } = compiled;
  if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false;
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

/**
 * A set of fault rules with their counters.
 *
 * @example
 * ```ts
 * const faults = new FaultSet([{ match: "*.m4s", hit: { every: 2 }, status: 500 }]);
 * faults.effect("/a.m4s", "GET"); // {}
 * faults.effect("/a.m4s", "GET"); // { status: 500 }
 * ```
 */
export class FaultSet {
  #rules: CompiledRule[] = [];

  /** @param rules the initial rules */
  constructor(rules: FaultRule[] = []) {
    this.replace(rules);
  }

  /** Replaces the rules; the new rules start counting from zero. */
  replace(rules: FaultRule[]): void {
    this.#rules = rules.map((rule) => ({
      rule,
      test: compilePattern(rule.match),
      seen: 0,
      perPath: new Map(),
    }));
  }

  /** Counts one request against every rule and merges the effects of those that act. */
  effect(path: string, method: string): Effect {
    const effect: Effect = {};
    for (const compiled of this.#rules) {
      if (!selects(compiled, path, method)) continue;
      for (const [key, value] of Object.entries(compiled.rule)) {
        if (key === "match" || key === "hit" || key === "method" || value === undefined) continue;
        if (!(key in effect)) (effect as Record<string, unknown>)[key] = value;
      }
    }
    return effect;
  }
}
