/**
 * streamkit: mirror DASH and HLS streams to disk and take fragmented MP4 apart.
 *
 * @module
 */
import { main } from "./src/cli.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
