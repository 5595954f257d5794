/**
 * streamkit's hexdump as a program, for timing it the way the peer tools are timed (a fresh
 * process, start-up included): `deno run -A bench/hexdump_file.ts IN OUT` writes what
 * `hexdump -C -v IN > OUT` would.
 *
 * @module
 */
import { hexdumpFile } from "../src/dump/hexdump.ts";

if (import.meta.main) {
  const [input, output] = Deno.args;
  if (input === undefined || output === undefined) {
    console.error("usage: deno run -A bench/hexdump_file.ts IN OUT");
    Deno.exit(2);
  }
  await hexdumpFile(input, output);
}
