/**
 * `streamkit dash get <mpd>`: mirror a DASH stream — the manifest and every segment of
 * every Representation — into the output directory.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { checkSavedDash, type SavedDash } from "../dash/copy_check.ts";
import { mpdDocument } from "../dash/mpd.ts";
import { planDash, standInUrl } from "../dash/plan.ts";
import { type CommandContext, recordExit } from "./context.ts";
import { runGet, withGetOptions } from "./get_common.ts";

/** Builds the `dash get` subcommand. */
export function dashGetCommand(ctx: CommandContext) {
  return withGetOptions(
    new Command("get")
      .description("mirror a DASH stream: the MPD and every segment of every Representation")
      .argument("<mpd>", "MPD URL (http/https) or local file"),
  ).action(
    recordExit(ctx, (mpd: string, opts) => {
      let saved: SavedDash | undefined;
      return runGet(
        ctx,
        "dash get",
        "dash",
        mpd,
        opts,
        (source) => {
          // A local MPD without --base-url stands where its own absolute BaseURL says.
          const url = source.local && opts.baseUrl === undefined
            ? standInUrl(source.text, source.url)
            : source.url;
          // A dynamic MPD is a live stream: the recorder takes over (src/live/).
          if (mpdDocument(source.text, url).type === "dynamic") {
            return Promise.resolve({ live: true as const, source });
          }
          const planned = planDash(source.text, url);
          saved = planned.saved;
          return Promise.resolve(planned.plan);
        },
        // After the downloads: the saved copy must resolve to the saved files, offline.
        (out) => saved === undefined ? Promise.resolve([]) : checkSavedDash(out.root, saved),
      );
    }),
  );
}
