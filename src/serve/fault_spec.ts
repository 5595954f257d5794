/**
 * The fault options of `streamkit serve`, as the command line writes them, turned into
 * {@link FaultRule}s: `--latency MS`, `--fail-every N[:STATUS]`, `--reset-every N`,
 * `--throttle KBPS`, `--stall GLOB:SECONDS` and `--drop GLOB` (the last two repeatable).
 * A spec that cannot be read is a {@link UsageError} naming the option.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { FaultRule } from "./faults.ts";

/** The fault options as given (strings straight from the command line). */
export interface FaultSpecs {
  /** `--latency MS`: a delay before every answer. */
  latency?: string;
  /** `--fail-every N[:STATUS]`: every Nth request gets STATUS (503) with `Retry-After: 1`. */
  failEvery?: string;
  /** `--reset-every N`: every Nth answer sends half its body, then drops the connection. */
  resetEvery?: string;
  /** `--throttle KBPS`: every body goes out at most this many kilobits per second. */
  throttle?: string;
  /** `--stall GLOB:SECONDS`: matching answers send their headers, then nothing for SECONDS. */
  stall?: string[];
  /** `--drop GLOB`: matching paths are 404 (a segment withheld: a gap in a live stream). */
  drop?: string[];
}

/** The rules and server-wide latency for a set of specs, and a line about each. */
export interface FaultPlan {
  /** The rules, in the order they apply (an earlier rule wins a field). */
  rules: FaultRule[];
  /** The delay before every answer, in milliseconds. */
  latencyMs: number;
  /** One line per fault, for the start message. */
  summary: string[];
}

/** The `Retry-After` seconds `--fail-every` sends. */
const RETRY_AFTER = 1;

function count(option: string, text: string): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < 1) {
    throw new UsageError(`${option} "${text}": N must be a whole number from 1`);
  }
  return Number(text);
}

function positive(option: string, text: string, what: string, zero = false): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0 || (!zero && n === 0)) {
    throw new UsageError(`${option} "${text}": ${what}`);
  }
  return n;
}

function ordinal(n: number): string {
  if (n === 1) return "every";
  const tail = n % 100 >= 11 && n % 100 <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `every ${n}${tail}`;
}

/**
 * Reads the fault options.
 *
 * @example
 * ```ts
 * const plan = faultPlan({ failEvery: "5:500", drop: ["chunk-stream0-00003.m4s"] });
 * plan.rules.length; // 2
 * plan.summary[1]; // "every 5th request: 500 with Retry-After: 1"
 * ```
 */
export function faultPlan(specs: FaultSpecs): FaultPlan {
  const rules: FaultRule[] = [];
  const summary: string[] = [];
  let latencyMs = 0;
  if (specs.latency !== undefined) {
    latencyMs = positive("--latency", specs.latency, "MS must be a number of milliseconds", true);
    summary.push(`every answer waits ${latencyMs} ms`);
  }
  for (const glob of specs.drop ?? []) {
    if (glob.trim() === "") throw new UsageError(`--drop "": give a path or a glob`);
    rules.push({ match: glob, status: 404 });
    summary.push(`${glob}: 404`);
  }
  if (specs.failEvery !== undefined) {
    const m = /^\s*([^:]*?)\s*(?::\s*(.*?)\s*)?$/.exec(specs.failEvery)!;
    const n = count("--fail-every", m[1]);
    let status = 503;
    if (m[2] !== undefined) {
      status = Number(m[2]);
      if (!/^\d{3}$/.test(m[2]) || status < 400 || status > 599) {
        throw new UsageError(
          `--fail-every "${specs.failEvery}": STATUS must be an error status from 400 to 599`,
        );
      }
    }
    rules.push({ match: "**", hit: { every: n }, status, retryAfter: RETRY_AFTER });
    summary.push(`${ordinal(n)} request: ${status} with Retry-After: ${RETRY_AFTER}`);
  }
  if (specs.resetEvery !== undefined) {
    const n = count("--reset-every", specs.resetEvery);
    rules.push({ match: "**", method: "GET", hit: { every: n }, resetAfterFraction: 0.5 });
    summary.push(`${ordinal(n)} GET: half the body, then the connection is reset`);
  }
  for (const spec of specs.stall ?? []) {
    const colon = spec.lastIndexOf(":");
    const glob = colon < 0 ? "" : spec.slice(0, colon);
    if (glob.trim() === "") {
      throw new UsageError(`--stall "${spec}": write GLOB:SECONDS, e.g. "*.m4s:5"`);
    }
    const seconds = positive(
      "--stall",
      spec.slice(colon + 1),
      "SECONDS must be a positive number",
    );
    rules.push({ match: glob, method: "GET", stallMs: seconds * 1000 });
    summary.push(`${glob}: headers, then nothing for ${seconds} s`);
  }
  if (specs.throttle !== undefined) {
    const kbps = positive("--throttle", specs.throttle, "KBPS must be a positive number");
    rules.push({ match: "**", method: "GET", throttleKbps: kbps });
    summary.push(`every body at most ${kbps} kbit/s`);
  }
  return { rules, latencyMs, summary };
}
