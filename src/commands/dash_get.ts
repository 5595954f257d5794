/**
 * `streamkit dash get <mpd>`: mirror a DASH stream — the manifest and every segment of
 * every Representation, or those `--select` and `--range` keep — into the output directory;
 * `--list` prints the Representations instead.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { checkSavedDash, type SavedDash } from "../dash/copy_check.ts";
import { mpdDocument } from "../dash/mpd.ts";
import { planDash, standInUrl } from "../dash/plan.ts";
import { checkLiveSelection, listDash, planSelectedDash } from "../select/plan_dash.ts";
import { selects } from "../select/report.ts";
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
        (source, _http, _term, request) => {
          // A local MPD without --base-url stands where its own absolute BaseURL says.
          const url = source.local && opts.baseUrl === undefined
            ? standInUrl(source.text, source.url)
            : source.url;
          if (request.list) return Promise.resolve(listDash(source.text, url, request));
          // A dynamic MPD is a live stream: the recorder takes over (src/live/).
          if (mpdDocument(source.text, url).type === "dynamic") {
            checkLiveSelection(source.text, url, request.selectors);
            return Promise.resolve({ live: true as const, source });
          }
          const planned = selects(request)
            ? planSelectedDash(source.text, url, request)
            : planDash(source.text, url);
          saved = planned.saved;
          return Promise.resolve(planned.plan);
        },
        // After the downloads: the saved copy must resolve to the saved files, offline.
        (out) => saved === undefined ? Promise.resolve([]) : checkSavedDash(out.root, saved),
      );
    }),
  );
}
