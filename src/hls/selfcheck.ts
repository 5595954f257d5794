/**
 * The offline self-check of an HLS mirror: every saved playlist is read back from disk with
 * the same parser, every URI in it is resolved against the saved file (as ffmpeg and players
 * do offline), and each one that does not land on a saved file inside the output folder is
 * named. URIs that stay online by design (a DRM system's key, an interstitial, a steering
 * server) are left alone: the plan noted them.
 *
 * @module
 */
import { sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { errorMessage } from "../errors.ts";
import type { OutputDir } from "../mirror/output.ts";
import type { RunnablePlan } from "../mirror/plan.ts";
import { eachLineOfFile } from "./lines.ts";
import { type KeyTag, scanLines, type UriRef } from "./playlist.ts";

/** URI roles that may stay online in a saved copy (the plan says why in a note). */
const ONLINE_ROLES = new Set([
  "asset",
  "asset-list",
  "steering",
  "preload-hint",
  "rendition-report",
]);

/** Whether `ref` (of the key tag `key`, for a key) is allowed to point off the disk. */
function staysOnline(ref: UriRef, key: KeyTag | undefined): boolean {
  if (ONLINE_ROLES.has(ref.role)) return true;
  if (ref.role !== "key" && ref.role !== "session-key") return false;
  const scheme = new URL(ref.url).protocol;
  return scheme === "skd:" || scheme === "data:" || (key?.keyFormat ?? "identity") !== "identity";
}

/**
 * The local path a `file:` URL names (its query and fragment dropped), or undefined for a URL
 * of any other scheme. A plain one (no query, fragment or escape) is cut rather than parsed:
 * the 100,000 URIs of a long playlist are checked without 100,000 URL objects.
 */
export function localPath(url: string): string | undefined {
  if (sep === "/" && url.startsWith("file:///") && !/[?#%]/.test(url)) return url.slice(7);
  const parsed = new URL(url);
  if (parsed.protocol !== "file:") return undefined;
  parsed.search = "";
  parsed.hash = "";
  return fileURLToPath(parsed);
}

/**
 * Resolves every URI of every playlist `plan` saved, offline; returns one message per URI
 * that does not land on a saved file (empty when the copy is whole). A playlist is read back
 * from disk a piece at a time and its URIs handed over one at a time ({@link scanLines}):
 * neither its text nor its URIs are ever whole in memory.
 *
 * @example
 * ```ts
 * import { OutputDir } from "../mirror/output.ts";
 * declare const plan: import("../mirror/plan.ts").RunnablePlan;
 * const problems = checkHlsMirror(new OutputDir("/data/out"), plan);
 * ```
 */
export function checkHlsMirror(out: OutputDir, plan: RunnablePlan): string[] {
  const problems: string[] = [];
  // What the plan could not mirror is named among its failures already.
  const failed = new Set((plan.failures ?? []).map((f) => out.abs(f.path)));
  let imports: Record<string, string> | undefined;
  const root = out.root.endsWith("/") ? out.root : `${out.root}/`;
  for (const m of plan.manifests) {
    const file = out.abs(m.path);
    const check = (ref: UriRef, key: KeyTag | undefined) => {
      if (staysOnline(ref, key)) return;
      const at = () => `${m.path} line ${ref.line}: "${ref.uri}"`;
      const target = localPath(ref.url);
      if (target === undefined) {
        problems.push(`${at()} still points online (${ref.url})`);
        return;
      }
      if (failed.has(target)) return;
      const inside = target.startsWith(root);
      let isFile = false;
      try {
        // Synchronously: 100,000 awaited stats took seconds; these take milliseconds.
        isFile = inside && Deno.statSync(target).isFile;
      } catch {
        // not there
      }
      if (!isFile) {
        problems.push(
          `${at()} resolves to ${inside ? target.slice(out.root.length + 1) : target}, ` +
            `which is not a saved file${inside ? "" : " (outside the output folder)"}`,
        );
      }
    };
    try {
      const p = scanLines(
        eachLineOfFile(file),
        pathToFileURL(file).href,
        (got) => check(got.ref, got.key),
        { imports },
      );
      if (p.type === "master") {
        imports ??= p.definitions;
        const keys = new Map(p.sessionKeys.map((k) => [k.ref, k]));
        for (const ref of p.refs) check(ref, keys.get(ref));
      }
    } catch (err) {
      problems.push(`${m.path}: cannot be read back: ${errorMessage(err)}`);
      continue;
    }
  }
  return problems;
}
