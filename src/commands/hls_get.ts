/**
 * `streamkit hls get <m3u8>`: mirror an HLS stream — the master playlist, every variant,
 * I-frame and rendition playlist (or those `--select` keeps), and every segment (or those
 * `--range` keeps), initialization map and key — into the output directory, with the saved
 * playlists rewritten to play offline; `--list` prints the media playlists instead.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { fetchText, MAX_MANIFEST_BYTES } from "../net/http.ts";
import { selects } from "../select/report.ts";
import { formatSeconds } from "../ui/format.ts";
import { type CommandContext, recordExit } from "./context.ts";
import { runGet, withGetOptions } from "./get_common.ts";

/** Builds the `hls get` subcommand. */
export function hlsGetCommand(ctx: CommandContext) {
  return withGetOptions(
    new Command("get")
      .description(
        "mirror an HLS stream: the master playlist, every variant, rendition and I-frame " +
          "playlist, and every segment, init map and key they use",
      )
      .argument("<m3u8>", "master or media playlist URL (http/https) or local file"),
  ).action(
    recordExit(
      ctx,
      (m3u8: string, opts) =>
        runGet(ctx, "hls get", "hls", m3u8, opts, async (source, http, term, request) => {
          const fetchPlaylist = (url: string) =>
            fetchText(
              url,
              http,
              MAX_MANIFEST_BYTES,
              (err, n, wait) =>
                term.line(`retry ${n} in ${formatSeconds(wait / 1000)}: ${url}: ${err.message}`),
            );
          const options = { signal: http.signal, allowLive: true };
          const { planHls } = await import("../hls/plan.ts");
          if (request.list || selects(request)) {
            const { listHls, planSelectedHls } = await import("../select/plan_hls.ts");
            if (request.list) return await listHls(source, fetchPlaylist, request, options);
            const { planned, plan } = await planSelectedHls(
              source,
              fetchPlaylist,
              request,
              planHls,
              options,
            );
            // A live playlist: the recorder takes over (src/live/), with the playlists kept.
            return planned.live ? { live: true as const, source, hls: planned } : plan;
          }
          // Items made as the run goes, playlists written piece by piece (issue 20).
          const { planHlsRunnable, materialized } = await import("../hls/plan.ts");
          const planned = await planHlsRunnable(source, fetchPlaylist, options);
          if (!planned.live) return planned.plan;
          // A live playlist: the recorder takes over (src/live/), with the playlists it reads.
          return { live: true as const, source, hls: materialized(planned) };
        }, async (out, plan) => {
          const { checkHlsMirror } = await import("../hls/selfcheck.ts");
          return checkHlsMirror(out, plan);
        }),
    ),
  );
}
