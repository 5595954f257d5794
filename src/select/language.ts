/**
 * Language tags compared the way people mean them: case-insensitively, with the 2- and
 * 3-letter codes of one language equal (`fr` = `fra` = `fre`, ISO 639-1 and both ISO 639-2
 * forms), from the ISO 639-2 table of the `iso-639-2` package.
 *
 * @module
 */
import { iso6392 } from "iso-639-2";

/** Every 2- and 3-letter code → the language's one key (its ISO 639-2/T code, else /B). */
const KEYS: Map<string, string> = (() => {
  const keys = new Map<string, string>();
  for (const l of iso6392) {
    const key = l.iso6392T ?? l.iso6392B;
    for (const code of [l.iso6392B, l.iso6392T, l.iso6391]) {
      if (code !== undefined && !keys.has(code)) keys.set(code, key);
    }
  }
  return keys;
})();

/** The subtags of a tag, lower-cased (`fr-CA` → `["fr", "ca"]`; `_` counts as `-`). */
function subtags(tag: string): string[] {
  return tag.trim().toLowerCase().split(/[-_]/);
}

/**
 * The key of a language tag's primary language: its ISO 639-2/T code when the table knows
 * it, else the primary subtag itself, lower-cased.
 *
 * @example
 * ```ts
 * languageKey("FR-ca"); // "fra"
 * languageKey("fre");   // "fra"
 * languageKey("qaa");   // "qaa"
 * ```
 */
export function languageKey(tag: string): string {
  const primary = subtags(tag)[0];
  return KEYS.get(primary) ?? primary;
}

/**
 * Whether a track's language matches what the user asked for: the same primary language
 * (`fr`, `fra` and `fre` are one); when the user also gave a region or script (`fr-CA`),
 * that must match too, case-insensitively.
 *
 * @param wanted what the user wrote (`fr`, `fr-CA`)
 * @param language the track's language as the manifest writes it
 * @example
 * ```ts
 * sameLanguage("fr", "fra");       // true
 * sameLanguage("fre", "fr-CA");    // true
 * sameLanguage("fr-CA", "fra");    // false
 * sameLanguage("en", "fra");       // false
 * ```
 */
export function sameLanguage(wanted: string, language: string): boolean {
  if (languageKey(wanted) !== languageKey(language)) return false;
  const rest = subtags(wanted).slice(1).join("-");
  return rest === "" || rest === subtags(language).slice(1).join("-");
}
