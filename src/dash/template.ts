/**
 * SegmentTemplate URL templates: `$RepresentationID$`, `$Number$`, `$Time$`,
 * `$Bandwidth$`, `$SubNumber$`, `$$`, and printf-style widths such as `$Number%05d$`
 * (ISO/IEC 23009-1, 5.3.9.4.4).
 *
 * @module
 */

/** The values a template may be filled with; an identifier without a value is an error. */
export interface TemplateValues {
  /** `$RepresentationID$` */
  representationId?: string;
  /** `$Number$` */
  number?: number;
  /** `$Time$` */
  time?: number;
  /** `$Bandwidth$` */
  bandwidth?: number;
  /** `$SubNumber$` */
  subNumber?: number;
}

const IDENTIFIERS: Record<string, keyof TemplateValues> = {
  RepresentationID: "representationId",
  Number: "number",
  Time: "time",
  Bandwidth: "bandwidth",
  SubNumber: "subNumber",
};

/** Formats a number with a printf conversion: `%05d`, `%d`, `%x`, `%08X`, `%o`. */
function formatNumber(value: number, format: string): string | undefined {
  const m = /^%0?(\d*)([diuxXo])$/.exec(format);
  if (!m) return undefined;
  const width = m[1] ? Number(m[1]) : 1;
  if (width > 64) return undefined;
  const conv = m[2];
  const big = BigInt(Math.trunc(value));
  let digits: string;
  if (conv === "x") digits = big.toString(16);
  else if (conv === "X") digits = big.toString(16).toUpperCase();
  else if (conv === "o") digits = big.toString(8);
  else digits = big.toString(10);
  return digits.padStart(width, "0");
}

/**
 * Checks a template once, so that filling it for every segment cannot fail halfway.
 * Returns an error message, or `undefined` when the template is well formed.
 */
export function checkTemplate(template: string): string | undefined {
  const parts = template.split("$");
  if (parts.length % 2 === 0) return `unbalanced '$' in template "${template}"`;
  for (let i = 1; i < parts.length; i += 2) {
    const tag = parts[i];
    if (tag === "") continue; // "$$"
    const pct = tag.indexOf("%");
    const name = pct < 0 ? tag : tag.slice(0, pct);
    if (!(name in IDENTIFIERS)) return `unknown identifier $${tag}$ in template "${template}"`;
    if (pct >= 0) {
      if (name === "RepresentationID") {
        return `$RepresentationID$ takes no format tag in template "${template}"`;
      }
      if (formatNumber(0, tag.slice(pct)) === undefined) {
        return `bad format tag $${tag}$ in template "${template}"`;
      }
    }
  }
  return undefined;
}

/**
 * Fills a template. Throws when the template names an identifier without a value (call
 * {@link checkTemplate} first for a friendly message).
 *
 * @example
 * ```ts
 * fillTemplate("chunk-$RepresentationID$-$Number%05d$.m4s", { representationId: "v1", number: 7 });
 * // "chunk-v1-00007.m4s"
 * ```
 */
export function fillTemplate(template: string, values: TemplateValues): string {
  if (!template.includes("$")) return template;
  const parts = template.split("$");
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const tag = parts[i];
    if (tag === "") out += "$";
    else {
      const pct = tag.indexOf("%");
      const name = pct < 0 ? tag : tag.slice(0, pct);
      const key = IDENTIFIERS[name];
      const value = key === undefined ? undefined : values[key];
      if (value === undefined) throw new Error(`no value for $${name}$ in "${template}"`);
      if (typeof value === "string") out += value;
      else out += pct < 0 ? String(value) : formatNumber(value, tag.slice(pct))!;
    }
    out += parts[i + 1] ?? "";
  }
  return out;
}

/** The identifiers whose values change from one segment to the next. */
type VaryingKey = "number" | "time" | "subNumber";

/**
 * A template made ready to fill many times ({@link splitTemplate}): the text between the
 * identifiers that vary per segment (the others filled in already), and how each varying
 * one is formatted.
 */
export interface SplitTemplate {
  /** Constant text: one more piece than there are varying identifiers. */
  pieces: string[];
  /** The varying identifiers, in order, each with its formatter. */
  vars: { key: VaryingKey; format: (value: number) => string }[];
}

/** A formatter for one printf conversion (`%05d`), as {@link fillTemplate} formats. */
function numberFormatter(format: string | undefined): (value: number) => string {
  if (format === undefined) return String;
  const m = /^%0?(\d*)([diuxXo])$/.exec(format)!;
  const width = m[1] ? Number(m[1]) : 1;
  if (m[2] === "d" || m[2] === "i" || m[2] === "u") {
    return (value) => {
      const n = Math.trunc(value);
      return Number.isSafeInteger(n)
        ? String(n).padStart(width, "0")
        : formatNumber(value, format)!;
    };
  }
  return (value) => formatNumber(value, format)!;
}

/**
 * Splits a well-formed template ({@link checkTemplate}) for filling many times: the
 * identifiers that stay the same for a Representation (`$RepresentationID$`,
 * `$Bandwidth$`, `$$`) are filled in from `constants`; `$Number$`, `$Time$` and
 * `$SubNumber$` are left to {@link joinTemplate}. Undefined when a constant has no value.
 *
 * @example
 * ```ts
 * const split = splitTemplate("$RepresentationID$/$Number%03d$.m4s", { representationId: "v" })!;
 * joinTemplate(split.pieces, split.vars.map((v) => v.format(7))); // "v/007.m4s"
 * ```
 */
export function splitTemplate(
  template: string,
  constants: TemplateValues,
): SplitTemplate | undefined {
  const parts = template.split("$");
  const pieces = [parts[0]];
  const vars: SplitTemplate["vars"] = [];
  for (let i = 1; i < parts.length; i += 2) {
    const tag = parts[i];
    const pct = tag.indexOf("%");
    const key = tag === "" ? undefined : IDENTIFIERS[pct < 0 ? tag : tag.slice(0, pct)];
    if (key === "number" || key === "time" || key === "subNumber") {
      vars.push({ key, format: numberFormatter(pct < 0 ? undefined : tag.slice(pct)) });
      pieces.push(parts[i + 1] ?? "");
      continue;
    }
    let text = "$";
    if (key !== undefined) {
      const value = constants[key];
      if (value === undefined) return undefined;
      text = typeof value === "string" || pct < 0
        ? String(value)
        : formatNumber(value, tag.slice(pct))!;
    }
    pieces[pieces.length - 1] += text + (parts[i + 1] ?? "");
  }
  return { pieces, vars };
}

/** Interleaves constant pieces with formatted values: `pieces[0] + values[0] + pieces[1]…`. */
export function joinTemplate(pieces: readonly string[], values: readonly string[]): string {
  let out = pieces[0];
  for (let i = 0; i < values.length; i++) out += values[i] + pieces[i + 1];
  return out;
}
