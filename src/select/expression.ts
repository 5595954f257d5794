/**
 * The `--select` expression language: conditions joined by commas, all of which must hold,
 * and an optional `:best` or `:worst` suffix.
 *
 * ```
 * kind=video,height<=720:best      codecs~avc1      lang=fr      id="v 1"      bandwidth<2M
 * ```
 *
 * Fields: `kind`, `id`, `lang`, `codecs`, `role` (text: `=`, `!=`, `~` contains, `!~` does
 * not contain) and `width`, `height`, `bandwidth`, `fps`, `channels` (numbers: `=`, `!=`,
 * `<`, `<=`, `>`, `>=`; `k`, `M`, `G` multiply by a thousand, a million, a billion; a frame
 * rate may be a fraction, `30000/1001`). A value with a comma, a space or a colon is written
 * in double quotes. A condition on a fact a track does not have is false, whatever the
 * operator (`height<=216` is false for audio; so is `height!=216`).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { sameLanguage } from "./language.ts";
import { type Track, TRACK_KINDS, type TrackKind } from "./track.ts";

/** Fields compared as text. */
const TEXT_FIELDS = ["kind", "id", "lang", "codecs", "role"] as const;
/** Fields compared as numbers. */
const NUMBER_FIELDS = ["width", "height", "bandwidth", "fps", "channels"] as const;

/** A field a condition can test. */
export type Field = typeof TEXT_FIELDS[number] | typeof NUMBER_FIELDS[number];

/** A comparison. */
export type Operator = "=" | "!=" | "<" | "<=" | ">" | ">=" | "~" | "!~";

/** One condition: `field op value`. */
export interface Condition {
  /** What it tests. */
  field: Field;
  /** How. */
  op: Operator;
  /** The value as written (quotes removed). */
  value: string;
  /** The value as a number, for a number field. */
  number?: number;
}

/** One parsed `--select` expression. */
export interface Selector {
  /** The expression as the user wrote it (for messages). */
  text: string;
  /** Its conditions; all must hold. */
  conditions: Condition[];
  /** `:best` / `:worst`: keep only the highest- / lowest-bandwidth match of each kind. */
  pick?: "best" | "worst";
}

/** A `--select` expression that cannot be used (exit 2); the message quotes it. */
export class SelectError extends UsageError {
  /** What is wrong with it, without the expression. */
  readonly problem: string;

  /**
   * @param text the expression as written
   * @param problem what is wrong with it
   */
  constructor(text: string, problem: string) {
    super(`--select ${JSON.stringify(text)}: ${problem}`);
    this.name = "SelectError";
    this.problem = problem;
  }
}

const OPERATORS: readonly Operator[] = ["!=", "<=", ">=", "!~", "=", "<", ">", "~"];

/** Splits `text` at commas outside double quotes. */
function splitConditions(text: string, fail: (problem: string) => never): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  if (quoted) fail("a double quote is not closed");
  parts.push(current);
  return parts;
}

/** A number as a condition writes it, or undefined. */
function parseNumber(field: Field, text: string): number | undefined {
  if (field === "fps") {
    const m = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(text);
    if (!m) return undefined;
    const n = Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2]));
    return Number.isFinite(n) ? n : undefined;
  }
  const m = /^(\d+(?:\.\d+)?)([kKmMgG])?$/.exec(text);
  if (!m) return undefined;
  const scale = { k: 1e3, m: 1e6, g: 1e9 }[(m[2] ?? "").toLowerCase()] ?? 1;
  return Number(m[1]) * scale;
}

/** Parses one condition. */
function parseCondition(raw: string, fail: (problem: string) => never): Condition {
  const text = raw.trim();
  if (text === "") fail("a condition is empty (two commas in a row, or one at an end?)");
  const name = /^[A-Za-z]+/.exec(text)?.[0] ?? "";
  const field = name.toLowerCase() as Field;
  const known = [...TEXT_FIELDS, ...NUMBER_FIELDS] as readonly string[];
  if (name === "") fail(`"${text}" does not start with a field (${known.join(", ")})`);
  if (!known.includes(field)) fail(`unknown field "${name}" (fields: ${known.join(", ")})`);
  const rest = text.slice(name.length).trimStart();
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (op === undefined) {
    fail(`"${text}" has no comparison after ${field} (= != < <= > >= ~ !~)`);
  }
  let value = rest.slice(op.length).trim();
  if (value.startsWith('"')) {
    if (value.length < 2 || !value.endsWith('"') || value.slice(1, -1).includes('"')) {
      fail(`"${text}": a quoted value must be the whole value`);
    }
    value = value.slice(1, -1);
  }
  if (value === "") fail(`"${text}" has no value after ${op}`);
  const isNumber = (NUMBER_FIELDS as readonly string[]).includes(field);
  if (isNumber) {
    if (op === "~" || op === "!~") {
      fail(`"${text}": ${field} is a number; compare it with = != < <= > >=`);
    }
    const number = parseNumber(field, value);
    if (number === undefined) {
      const example = field === "fps" ? "fps>=25 or fps=30000/1001" : `${field}<=720`;
      fail(`"${text}": "${value}" is not a number (e.g. ${example})`);
    }
    return { field, op, value, number };
  }
  if (["<", "<=", ">", ">="].includes(op)) {
    fail(`"${text}": ${field} is text; compare it with = != ~ (contains) !~`);
  }
  if (field === "kind") {
    if (op === "~" || op === "!~") fail(`"${text}": kind takes = or !=`);
    if (!(TRACK_KINDS as readonly string[]).includes(value.toLowerCase())) {
      fail(`"${text}": kind is one of ${TRACK_KINDS.join(", ")}`);
    }
    value = value.toLowerCase();
  }
  return { field, op, value };
}

/**
 * Parses a `--select` expression.
 *
 * @throws {SelectError} naming what is wrong, with the expression quoted
 * @example
 * ```ts
 * const s = parseSelector("kind=video,height<=720:best");
 * s.conditions.length; // 2
 * s.pick; // "best"
 * ```
 */
export function parseSelector(text: string): Selector {
  const fail = (problem: string): never => {
    throw new SelectError(text, problem);
  };
  let body = text.trim();
  let pick: Selector["pick"];
  const suffix = /:\s*(best|worst)\s*$/i.exec(body);
  if (suffix) {
    pick = suffix[1].toLowerCase() as "best" | "worst";
    body = body.slice(0, suffix.index).trim();
  } else if (/:[^"]*$/.test(body)) {
    fail(`"${body.slice(body.lastIndexOf(":"))}" is not a suffix (use :best or :worst)`);
  }
  if (body === "" && pick === undefined) fail("it is empty");
  const conditions = body === ""
    ? []
    : splitConditions(body, fail).map((c) => parseCondition(c, fail));
  return { text, conditions, ...(pick ? { pick } : {}) };
}

/**
 * Whether a selector applies to tracks of `kind`: one without a `kind` condition applies to
 * every kind; one with applies to the kinds its `kind` conditions allow (none to a track
 * whose kind is unknown).
 *
 * @example
 * ```ts
 * appliesTo(parseSelector("kind=video:best"), "audio"); // false
 * appliesTo(parseSelector("height<=216"), "audio");     // true
 * ```
 */
export function appliesTo(selector: Selector, kind: TrackKind | null): boolean {
  return selector.conditions.every((c) => c.field !== "kind" || holds(c, kind));
}

/** Whether a text comparison holds. */
function holds(c: Condition, actual: string | null): boolean {
  if (actual === null) return false;
  const want = c.value.toLowerCase();
  const have = actual.toLowerCase();
  let equal: boolean;
  switch (c.field) {
    case "id":
      equal = actual === c.value;
      break;
    case "lang":
      equal = sameLanguage(c.value, actual);
      break;
    case "codecs":
      equal = have === want || have.split(",").some((x) => x.trim() === want);
      break;
    default:
      equal = have === want;
  }
  switch (c.op) {
    case "=":
      return equal;
    case "!=":
      return !equal;
    case "~":
      return have.includes(want);
    case "!~":
      return !have.includes(want);
    default:
      return false;
  }
}

/** Whether a number comparison holds. */
function compare(c: Condition, actual: number | null): boolean {
  if (actual === null || c.number === undefined) return false;
  const want = c.number;
  const tolerance = c.field === "fps" ? 0.01 : 1e-9;
  const equal = Math.abs(actual - want) <= tolerance;
  switch (c.op) {
    case "=":
      return equal;
    case "!=":
      return !equal;
    case "<":
      return actual < want && !equal;
    case "<=":
      return actual < want || equal;
    case ">":
      return actual > want && !equal;
    case ">=":
      return actual > want || equal;
    default:
      return false;
  }
}

/**
 * Whether a track meets every condition of a selector (the `:best`/`:worst` suffix aside).
 *
 * @example
 * ```ts
 * import type { Track } from "./track.ts";
 * const t = { kind: "audio", lang: "fra" } as Track;
 * matchesAll(parseSelector("kind=audio,lang=fr"), t); // true
 * ```
 */
export function matchesAll(selector: Selector, track: Track): boolean {
  return selector.conditions.every((c) => {
    if (c.field === "role") {
      if (c.op === "!=" || c.op === "!~") {
        const positive = { ...c, op: c.op === "!=" ? "=" : "~" } as Condition;
        return track.roles.length > 0 && !track.roles.some((r) => holds(positive, r));
      }
      return track.roles.some((r) => holds(c, r));
    }
    if ((NUMBER_FIELDS as readonly string[]).includes(c.field)) {
      return compare(c, track[c.field as typeof NUMBER_FIELDS[number]]);
    }
    return holds(c, track[c.field as Exclude<typeof TEXT_FIELDS[number], "role">]);
  });
}
