/**
 * Reading a manifest or playlist from disk: a regular file of bounded size, decoded as UTF-8
 * with every byte kept (a byte order mark too: the saved copy keeps it; parsers skip it).
 *
 * @module
 */
import { InputError } from "./errors.ts";
import { MAX_MANIFEST_BYTES } from "./net/http.ts";

/**
 * Reads a local manifest or playlist, refusing anything but a regular file of at most
 * {@link MAX_MANIFEST_BYTES}. Errors name `label` (the path as the user gave it). A byte
 * order mark is kept (the saved copy keeps every byte); the parsers skip it.
 *
 * @example
 * ```ts
 * const text = await readManifestFile("/data/out/manifest.mpd");
 * ```
 */
export async function readManifestFile(path: string, label = path): Promise<string> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new InputError("no such file", label);
  }
  if (!info.isFile) throw new InputError("not a file", label);
  if (info.size > MAX_MANIFEST_BYTES) {
    throw new InputError(
      `manifest is ${info.size} bytes; the limit is ${MAX_MANIFEST_BYTES}`,
      label,
    );
  }
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await Deno.readFile(path));
}
