/**
 * `streamkit dash get <mpd>`: mirror a DASH stream — the manifest and every segment of
 * every Representation — into the output directory.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { planDash, standInUrl } from "../dash/plan.ts";
import { type CommandResult, recordExit } from "./context.ts";
import { runGet, withGetOptions } from "./get_common.ts";

/** Builds the `dash get` subcommand. */
export function dashGetCommand(result: CommandResult) {
  return withGetOptions(
    new Command("get")
      .description("mirror a DASH stream: the MPD and every segment of every Representation")
      .argument("<mpd>", "MPD URL (http/https) or local file"),
  ).action(
    recordExit(
      result,
      (mpd: string, opts) =>
        runGet(
          "dash get",
          mpd,
          opts,
          (source) => {
            // A local MPD without --base-url stands where its own absolute BaseURL says.
            const url = source.local && opts.baseUrl === undefined
              ? standInUrl(source.text, source.url)
              : source.url;
            return Promise.resolve(planDash(source.text, url).plan);
          },
        ),
    ),
  );
}
