/**
 * streamkit: mirror DASH and HLS streams to disk and take fragmented MP4 apart.
 *
 * @module
 */
import { VERSION } from "./src/version.ts";

if (import.meta.main) {
  const args = Deno.args;
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    // The one answer that needs no command line parser: print it without loading one.
    const { processIo } = await import("./src/ui/io.ts");
    const io = processIo();
    io.stdout.write(`${VERSION}\n`);
    io.close();
    Deno.exit(0);
  }
  const { main } = await import("./src/cli.ts");
  Deno.exit(await main(args));
}
