/**
 * Every box type the dumper knows, by four-character code (or, for `uuid` boxes, by the name
 * mp4dump gives the UUID). A type not listed is shown by its header alone.
 *
 * @module
 */
import type { BoxCodec, CodecTable } from "./codec.ts";
import { CODEC_CONFIG_BOXES } from "./codec_config.ts";
import { FILE_BOXES } from "./file.ts";
import { FRAGMENT_BOXES } from "./fragments.ts";
import { MOVIE_BOXES } from "./movie.ts";
import { PROTECTION_BOXES } from "./protection.ts";
import { SAMPLE_ENTRY_BOXES } from "./sample_entries.ts";
import { SAMPLE_TABLE_BOXES } from "./sample_table.ts";

/** All known codecs. */
export const BOX_CODECS: ReadonlyMap<string, BoxCodec> = new Map(
  Object.entries(
    {
      ...FILE_BOXES,
      ...MOVIE_BOXES,
      ...SAMPLE_TABLE_BOXES,
      ...SAMPLE_ENTRY_BOXES,
      ...CODEC_CONFIG_BOXES,
      ...FRAGMENT_BOXES,
      ...PROTECTION_BOXES,
    } satisfies CodecTable,
  ),
);
