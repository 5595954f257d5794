/**
 * The `streamkit` command line: subcommands, options, help and exit codes.
 *
 * Each subcommand lives in `src/commands/<name>.ts` and exports a function that builds its
 * commander `Command` from a {@link CommandContext}; this module assembles them, routes all
 * of commander's output through the {@link Io} and maps errors to exit codes.
 *
 * @module
 */
import type { Command, CommandUnknownOpts } from "@commander-js/extra-typings";
import { ExitCode, InputError, UsageError } from "./errors.ts";
import { VERSION } from "./version.ts";
import { type CommandContext, printError } from "./commands/context.ts";
import type { Mp4DumpRequest } from "./mp4/cli_dump.ts";
import { ClosedPipe, type Io, processIo } from "./ui/io.ts";

/** What builds one subcommand. */
type Builder = (ctx: CommandContext) => CommandUnknownOpts;

/** A subcommand: its group (none for a top-level one), its name, and how to load it. */
interface Leaf {
  group?: keyof typeof GROUPS;
  name: string;
  load: () => Promise<Builder>;
}

/** The groups of subcommands, in help order. */
const GROUPS = {
  dash: "DASH streams (MPD manifests)",
  hls: "HLS streams (M3U8 playlists)",
  mp4: "ISO base media (MP4) files",
};

/**
 * Every subcommand, in help order. Each module is imported only when the command line names
 * its subcommand (or when help of several is shown): `mp4 dump` never loads the DASH parser,
 * `dash get` never loads the box dumper or the server.
 */
const LEAVES: Leaf[] = [
  {
    group: "dash",
    name: "get",
    load: async () => (await import("./commands/dash_get.ts")).dashGetCommand,
  },
  {
    group: "dash",
    name: "check",
    load: async () => (await import("./commands/check.ts")).dashCheckCommand,
  },
  {
    group: "dash",
    name: "dump",
    load: async () => (await import("./commands/dash_dump.ts")).dashDumpCommand,
  },
  {
    group: "hls",
    name: "get",
    load: async () => (await import("./commands/hls_get.ts")).hlsGetCommand,
  },
  {
    group: "hls",
    name: "check",
    load: async () => (await import("./commands/check.ts")).hlsCheckCommand,
  },
  {
    group: "mp4",
    name: "dump",
    load: async () => (await import("./commands/mp4_dump.ts")).mp4DumpCommand,
  },
  { name: "demo", load: async () => (await import("./commands/demo.ts")).demoCommand },
  { name: "demo-server", load: async () => (await import("./commands/demo.ts")).demoServerCommand },
  { name: "serve", load: async () => (await import("./commands/serve.ts")).serveCommand },
];

/**
 * The subcommands `args` can reach: the one it names (`dash get …`, `serve …`), or all of
 * them when it names none exactly (help, a group alone, a typo — commander then lists or
 * suggests from the whole program).
 */
function reachable(args: readonly string[]): Leaf[] {
  const [first, second] = args;
  const named = LEAVES.filter((l) =>
    l.group === undefined ? l.name === first : l.group === first && l.name === second
  );
  return named.length === 1 ? named : LEAVES;
}

/**
 * Builds the `streamkit` program with the subcommands `args` can reach (all of them by
 * default), loading only their modules.
 *
 * @param ctx the process's edges and where actions record their exit code
 * @param args the command line, to load only the subcommand it names
 */
export async function buildProgram(
  ctx: CommandContext,
  args: readonly string[] = [],
): Promise<Command> {
  // Loaded here, not at the top: a plain `mp4 dump` runs without it (see plainMp4Dump).
  const { Command } = await import("@commander-js/extra-typings");
  const program = new Command("streamkit")
    .description("Mirror DASH and HLS streams to disk and take fragmented MP4 apart.")
    .version(VERSION, "-V, --version", "print the version");

  const leaves = reachable(args);
  const builders = await Promise.all(leaves.map((l) => l.load()));
  const groups = new Map<string, Command>();
  leaves.forEach((leaf, i) => {
    const command = builders[i](ctx);
    if (leaf.group === undefined) {
      program.addCommand(command);
      return;
    }
    let group = groups.get(leaf.group);
    if (!group) {
      group = new Command(leaf.group).description(GROUPS[leaf.group]);
      groups.set(leaf.group, group);
      program.addCommand(group);
    }
    group.addCommand(command);
  });
  // Every level reports errors to main() instead of exiting the process, and writes
  // through the Io.
  const walk = (c: CommandUnknownOpts): void => {
    c.exitOverride()
      .showHelpAfterError("(run with --help for usage)")
      .configureOutput({
        writeOut: (s) => ctx.io.stdout.write(s),
        writeErr: (s) => ctx.io.stderr.write(s),
      });
    c.commands.forEach(walk);
  };
  walk(program);
  return program;
}

/**
 * A plain `mp4 dump` command line — `mp4 dump [--verbosity N] [--format F] FILE`, nothing
 * else — read without commander: the command-line parser and the Node.js compatibility layer
 * it needs take longer to load (~40 ms) than mp4dump takes to dump 100 MB. Any other command
 * line (help, a bad value, an unknown option) goes through commander, which explains it.
 */
export function plainMp4Dump(args: readonly string[]): Mp4DumpRequest | undefined {
  if (args[0] !== "mp4" || args[1] !== "dump") return undefined;
  const request: Mp4DumpRequest = { file: "", verbosity: 0, format: "text" };
  let file: string | undefined;
  for (let i = 2; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (name === "--verbosity" || name === "--format") {
      const value = name === arg ? args[++i] : arg.slice(eq + 1);
      if (name === "--verbosity" && /^[0-3]$/.test(value ?? "")) {
        request.verbosity = Number(value) as Mp4DumpRequest["verbosity"];
      } else if (name === "--format" && (value === "text" || value === "json")) {
        request.format = value;
      } else return undefined;
    } else if (file === undefined && (arg === "-" || !arg.startsWith("-"))) file = arg;
    else return undefined;
  }
  if (file === undefined) return undefined;
  return { ...request, file };
}

/**
 * The code of a commander error (`commander.unknownOption`, …), or undefined for any other
 * error; told by its shape, so that commander need not be loaded to tell.
 */
function commanderCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || err.name !== "CommanderError") return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/**
 * `help a b` → `a b --help`, so `streamkit help dash get` shows the help of `dash get` (as
 * `streamkit dash get --help` does), not of `dash`.
 */
function expandHelp(args: string[]): string[] {
  if (args[0] !== "help" || args.length < 2) return args;
  return [...args.slice(1).filter((a) => !a.startsWith("-")), "--help"];
}

/**
 * Runs the CLI on `args` (without the executable name) and returns the exit code. With no
 * `io`, it uses the real process (stdout, stderr, SIGINT) for the time of the run.
 *
 * @example
 * ```ts
 * const code = await main(["--version"]);
 * ```
 */
export async function main(args: string[], io?: Io): Promise<number> {
  if (io === undefined) {
    const own = processIo();
    try {
      return await main(args, own);
    } finally {
      own.close();
    }
  }
  const ctx: CommandContext = { io, result: { exitCode: ExitCode.Ok }, run: main };
  const argv = expandHelp(args);
  try {
    const dump = plainMp4Dump(argv);
    if (dump) {
      const { runMp4Dump } = await import("./mp4/cli_dump.ts");
      return await runMp4Dump(io, dump);
    }
    const program = await buildProgram(ctx, argv);
    await program.parseAsync(argv, { from: "user" });
    return ctx.result.exitCode;
  } catch (err) {
    // The reader of stdout went away (`streamkit … | head`): stop quietly, like git does.
    if (err instanceof ClosedPipe) return ExitCode.Ok;
    const code = commanderCode(err);
    if (code !== undefined) {
      if (
        code === "commander.helpDisplayed" || code === "commander.version" ||
        code === "commander.help"
      ) return ExitCode.Ok;
      return ExitCode.BadInput;
    }
    printError(io, err);
    if (err instanceof InputError || err instanceof UsageError) return ExitCode.BadInput;
    return ExitCode.Failed;
  }
}
