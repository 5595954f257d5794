/**
 * The loopback server the tests and benchmarks use: `streamkit serve`'s own server
 * (`src/serve/`), with the options tests need. It serves a fixture directory (and optional
 * in-memory routes) on 127.0.0.1 with GET, HEAD and single byte ranges, records every
 * request it sees, and injects faults per path on demand: latency, error statuses,
 * connection resets, short bodies, chunked and gzip encodings, redirects, stalls,
 * throttling, ignored ranges, partial answers, missing validators. With `live`, it plays
 * a VOD fixture out as a live stream on a clock the test drives (`now`).
 *
 * Nothing is cached: every request stats and reads the file anew, so a test can change
 * the fixtures between runs by writing to `root`. Bodies are streamed from disk.
 *
 * Also a program, for manual use and benchmarks; it prints the base URL as its first line
 * of output and serves until killed:
 *
 * ```sh
 * deno run --allow-net --allow-read tests/server.ts --root DIR [--port N] [--latency MS] [--log]
 * ```
 *
 * @example Serve a directory, make every 3rd segment request fail, count requests
 * ```ts
 * import { startServer } from "./server.ts";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/a.m4s`, "segment");
 * await using server = startServer({
 *   root,
 *   faults: [{ match: "*.m4s", hit: { every: 3 }, status: 503, retryAfter: 1 }],
 * });
 * const response = await fetch(new URL("a.m4s", server.url));
 * console.log(response.status, await response.text()); // 200 segment
 * console.log(server.count("/a.m4s")); // 1
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @module
 */
import { serve, type ServeOptions, type Server } from "../src/serve/server.ts";

export { contentTypeFor } from "../src/serve/content_type.ts";
export type { FaultHit, FaultRule, RedirectStatus } from "../src/serve/faults.ts";
export type { PathPattern } from "../src/serve/pattern.ts";
export type { RecordedRequest } from "../src/serve/request_log.ts";
export type { LiveOptions } from "../src/serve/live.ts";

/**
 * Options of {@linkcode startServer}: those of `serve` in `src/serve/server.ts`, with a
 * folder to serve (tests never serve from memory alone) and errors printed by the harness.
 */
export type ServerOptions = Omit<ServeOptions, "root" | "files" | "label" | "onError"> & {
  /** The directory to serve; must exist. */
  root: string;
};

/** A running server; see {@linkcode startServer} and `Server` in `src/serve/server.ts`. */
export type TestServer = Server;

/**
 * Starts a server on 127.0.0.1 that serves `options.root`; see the module documentation.
 * Close it with `close()` (or `await using`).
 *
 * Answers: GET and HEAD (OPTIONS gets a CORS preflight, others 405); a single
 * `Range: bytes=a-b | a- | -n` gets 206 with Content-Range, an unsatisfiable one 416 with
 * a Content-Range that gives the size, a malformed or multiple one the whole body; a
 * missing file or a directory 404; a path that does not decode, contains NUL or a `..`
 * segment after decoding, 400. The query string plays no part in finding the file.
 * Content-Type follows the extension ({@linkcode contentTypeFor}).
 *
 * @example Two origins, one redirecting a folder to the other
 * ```ts
 * import { startServer } from "./server.ts";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/video`);
 * await Deno.writeTextFile(`${root}/video/1.m4s`, "one");
 * await using b = startServer({ root });
 * await using a = startServer({
 *   root,
 *   routes: { "/live.mpd": "<MPD/>" },
 *   faults: [{
 *     match: "/video/**",
 *     redirect: { status: 302, location: (path) => new URL(path.slice(1), b.url).href },
 *   }],
 * });
 * const response = await fetch(new URL("video/1.m4s", a.url));
 * console.log(response.url === new URL("video/1.m4s", b.url).href); // true
 * console.log(await response.text()); // one
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export function startServer(options: ServerOptions): TestServer {
  return serve({
    ...options,
    onError: (error) => console.error("tests/server.ts:", error),
  });
}

function usage(): never {
  console.error(
    "usage: deno run --allow-net --allow-read tests/server.ts --root DIR [--port N] " +
      "[--latency MS] [--log]",
  );
  Deno.exit(2);
}

/** Runs the server as a program: parses the arguments, prints the URL, serves. */
function runMain(args: string[]): void {
  let root: string | undefined;
  let port = 0;
  let latencyMs = 0;
  let verbose = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [name, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) usage();
      return v;
    };
    const number = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) usage();
      return n;
    };
    if (name === "--root") root = value();
    else if (name === "--port") port = number();
    else if (name === "--latency") latencyMs = number();
    else if (name === "--log") verbose = true;
    else usage();
  }
  if (root === undefined) usage();
  const server = startServer({
    root,
    port,
    latencyMs,
    record: false,
    onRequest: verbose
      ? (r) => console.error(`${r.status} ${r.method} ${r.path} ${r.range ?? ""}`.trimEnd())
      : undefined,
  });
  console.log(server.url);
}

if (import.meta.main) runMain(Deno.args);
