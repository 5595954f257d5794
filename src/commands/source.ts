/**
 * The manifest a run starts from: fetched when it is an http(s) URL, read from disk
 * otherwise, and recognised for what it is — so an HLS playlist given to `dash get` (or an
 * MPD to `hls get`), an HTML page or an empty body is named, with the command to use.
 *
 * @module
 */
import { basename, resolve } from "node:path";
import { readManifestFile } from "../manifest_file.ts";
import { InputError, UsageError } from "../errors.ts";
import { fetchText, HttpError, type HttpOptions, MAX_MANIFEST_BYTES } from "../net/http.ts";
import { formatSeconds } from "../ui/format.ts";

export { readManifestFile };

/** The manifest a run starts from. */
export interface ManifestSource {
  /** Its text. */
  text: string;
  /** The URL it came from after redirects, or the URL it stands for (local file). */
  url: string;
  /** Whether it was read from a local file. */
  local: boolean;
  /** The Content-Type it was served with, when fetched. */
  contentType?: string;
  /** The origin's `Date` header, when fetched. */
  date?: string;
}

/** The two manifest formats streamkit reads. */
export type ManifestFormat = "dash" | "hls";

/** Whether `arg` is an http(s) URL rather than a local path. */
export function isRemote(arg: string): boolean {
  return /^https?:\/\//i.test(arg);
}

/** The first bytes of a text, shown safely in a message. */
function firstBytes(text: string): string {
  // deno-lint-ignore no-control-regex
  const shown = text.slice(0, 40).replace(/[\x00-\x1f\x7f]/g, " ").trim();
  return JSON.stringify(shown + (text.length > 40 ? "…" : ""));
}

/**
 * What a manifest's text is: `dash` (an XML document with an `MPD` root), `hls` (starts
 * with `#EXTM3U`), `html`, `empty`, or `other`.
 *
 * @example
 * ```ts
 * sniffManifest("#EXTM3U\n#EXT-X-VERSION:3\n"); // "hls"
 * ```
 */
export function sniffManifest(text: string): ManifestFormat | "html" | "empty" | "other" {
  const t = text.replace(/^\uFEFF/, "").trimStart();
  if (t === "") return "empty";
  if (t.startsWith("#EXTM3U")) return "hls";
  const head = t.slice(0, 4096).replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, "").trimStart();
  if (/^<!doctype\s+html|^<html[\s>]/i.test(head)) return "html";
  if (/^<(?:[\w.-]+:)?MPD[\s>/]/.test(head)) return "dash";
  return "other";
}

/**
 * Refuses a manifest that is not of the `expected` format, naming what it is and, for the
 * other format, the command to use.
 *
 * @throws {InputError} for an HLS playlist given to `dash get` (and the reverse), an HTML
 *   page, an empty body
 */
export function checkFormat(source: ManifestSource, expected: ManifestFormat): void {
  const kind = sniffManifest(source.text);
  const where = source.url;
  const served = source.contentType ? ` (served as ${source.contentType})` : "";
  if (kind === expected || kind === "other") return;
  if (kind === "hls") {
    throw new InputError(
      `this is an HLS playlist, not an MPD: use \`streamkit hls get\``,
      where,
    );
  }
  if (kind === "dash") {
    throw new InputError(
      `this is a DASH manifest (MPD), not an HLS playlist: use \`streamkit dash get\``,
      where,
    );
  }
  if (kind === "empty") throw new InputError(`the manifest is empty${served}`, where);
  throw new InputError(
    `this is an HTML page${served}, not a manifest; it starts ${firstBytes(source.text)}`,
    where,
  );
}

/**
 * Reads the manifest named on the command line: fetched (with retries) when it is an
 * http(s) URL, read from disk (relative to `cwd`) otherwise. A local manifest stands at
 * `--base-url` when given, so its relative references resolve there.
 *
 * @throws {InputError} when it cannot be fetched or read (exit 2)
 */
export async function readManifest(
  arg: string,
  http: HttpOptions,
  options: { baseUrl?: string; cwd: string; onRetry?: (message: string) => void },
): Promise<ManifestSource> {
  if (isRemote(arg)) {
    try {
      const got = await fetchText(
        arg,
        http,
        MAX_MANIFEST_BYTES,
        (err, n, wait) =>
          options.onRetry?.(`retry ${n} in ${formatSeconds(wait / 1000)}: ${arg}: ${err.message}`),
      );
      return {
        text: got.text,
        url: got.url,
        local: false,
        contentType: got.contentType,
        date: got.date,
      };
    } catch (err) {
      // A manifest that cannot be fetched is bad input (exit 2), not a failed download.
      if (err instanceof HttpError) {
        throw new InputError(`cannot fetch the manifest: ${err.message}`, arg);
      }
      throw err;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(arg) && !/^[a-z]:[\\/]/i.test(arg)) {
    throw new UsageError(`unsupported manifest URL scheme: ${arg} (use http(s) or a file path)`);
  }
  const path = resolve(options.cwd, arg);
  const text = await readManifestFile(path, arg);
  let url = new URL(`file://${path}`).href;
  if (options.baseUrl !== undefined) {
    if (!isRemote(options.baseUrl)) {
      throw new UsageError(`--base-url must be an http(s) URL: ${options.baseUrl}`);
    }
    url = new URL(encodeURIComponent(basename(path)), options.baseUrl).href;
  }
  return { text, url, local: true };
}
