/**
 * The offline self-check of an HLS mirror: every saved playlist is read back from disk with
 * the same parser, every URI in it is resolved against the saved file (as ffmpeg and players
 * do offline), and each one that does not land on a saved file inside the output folder is
 * named. URIs that stay online by design (a DRM system's key, an interstitial, a steering
 * server) are left alone: the plan noted them.
 *
 * @module
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import { errorMessage } from "../errors.ts";
import type { OutputDir } from "../mirror/output.ts";
import type { DownloadPlan, PlanItems } from "../mirror/plan.ts";
import { parsePlaylist, type Playlist, type UriRef } from "./playlist.ts";

/** URI roles that may stay online in a saved copy (the plan says why in a note). */
const ONLINE_ROLES = new Set([
  "asset",
  "asset-list",
  "steering",
  "preload-hint",
  "rendition-report",
]);

/** Whether `ref` is allowed to point off the disk. */
function staysOnline(p: Playlist, ref: UriRef): boolean {
  if (ONLINE_ROLES.has(ref.role)) return true;
  if (ref.role !== "key" && ref.role !== "session-key") return false;
  const keys = p.type === "media" ? p.keys : p.sessionKeys;
  const key = keys.find((k) => k.ref === ref);
  const scheme = new URL(ref.url).protocol;
  return scheme === "skd:" || scheme === "data:" || (key?.keyFormat ?? "identity") !== "identity";
}

/**
 * Resolves every URI of every playlist `plan` saved, offline; returns one message per URI
 * that does not land on a saved file (empty when the copy is whole).
 *
 * @example
 * ```ts
 * import { OutputDir } from "../mirror/output.ts";
 * declare const plan: import("../mirror/plan.ts").DownloadPlan;
 * const problems = await checkHlsMirror(new OutputDir("/data/out"), plan);
 * ```
 */
export async function checkHlsMirror(
  out: OutputDir,
  plan: Omit<DownloadPlan, "items"> & { items: PlanItems },
): Promise<string[]> {
  const problems: string[] = [];
  // What the plan could not mirror is named among its failures already.
  const failed = new Set((plan.failures ?? []).map((f) => out.abs(f.path)));
  let imports: Record<string, string> | undefined;
  for (const m of plan.manifests) {
    const file = out.abs(m.path);
    let p: Playlist;
    try {
      p = parsePlaylist(await Deno.readTextFile(file), pathToFileURL(file).href, { imports });
    } catch (err) {
      problems.push(`${m.path}: cannot be read back: ${errorMessage(err)}`);
      continue;
    }
    if (p.type === "master") imports ??= p.definitions;
    for (const ref of p.refs) {
      if (staysOnline(p, ref)) continue;
      const at = `${m.path} line ${ref.line}: "${ref.uri}"`;
      const url = new URL(ref.url);
      if (url.protocol !== "file:") {
        problems.push(`${at} still points online (${ref.url})`);
        continue;
      }
      url.search = "";
      url.hash = "";
      const target = fileURLToPath(url);
      if (failed.has(target)) continue;
      const inside = target.startsWith(out.root.endsWith("/") ? out.root : `${out.root}/`);
      let isFile = false;
      try {
        // Synchronously: 100,000 awaited stats took seconds; these take milliseconds.
        isFile = inside && Deno.statSync(target).isFile;
      } catch {
        // not there
      }
      if (!isFile) {
        problems.push(
          `${at} resolves to ${inside ? target.slice(out.root.length + 1) : target}, ` +
            `which is not a saved file${inside ? "" : " (outside the output folder)"}`,
        );
      }
    }
  }
  return problems;
}
