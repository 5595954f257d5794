/**
 * The demo's server: `streamkit serve` (`src/serve/`) over files in memory, on the
 * loopback interface — what `streamkit demo` mirrors from. It answers GET and HEAD (with
 * single byte ranges), lists the files at `/`, and sends CORS headers on every answer so a
 * web player on another origin can load the stream.
 *
 * @example
 * ```ts
 * import { serveFiles } from "./server.ts";
 *
 * await using server = serveFiles(new Map([["a.txt", new TextEncoder().encode("hi")]]));
 * console.log(await (await fetch(new URL("a.txt", server.url))).text()); // hi
 * ```
 *
 * @module
 */
import { serve } from "../serve/server.ts";

/** Options of {@linkcode serveFiles}. */
export interface ServeFilesOptions {
  /**
   * The port to listen on; 0 picks a free one.
   * @default {0}
   */
  port?: number;
  /**
   * The address to listen on.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /** Called once per request with its method, path, status and `Range` header. */
  onRequest?: (entry: { method: string; path: string; status: number; range: string }) => void;
}

/** A running server; see {@linkcode serveFiles}. */
export interface FileServer extends AsyncDisposable {
  /** The base URL with a trailing slash: `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** How many requests it has answered. */
  readonly requests: number;
  /** Stops the server and waits until it has stopped. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Serves `files` (path without leading slash → bytes) over HTTP until closed.
 *
 * @param files the files to serve; read on every request, never copied
 * @param options where to listen, and a request callback
 * @throws {Deno.errors.AddrInUse} when the port is taken
 */
export function serveFiles(
  files: ReadonlyMap<string, Uint8Array>,
  options: ServeFilesOptions = {},
): FileServer {
  let requests = 0;
  const server = serve({
    files,
    label: "the built-in sample",
    port: options.port,
    hostname: options.hostname,
    index: true,
    record: false,
    onRequest: (r) => {
      requests++;
      options.onRequest?.({
        method: r.method,
        path: r.path,
        status: r.status,
        range: r.range ?? "",
      });
    },
  });
  return {
    url: server.url,
    port: server.port,
    get requests() {
      return requests;
    },
    close: () => server.close(),
    [Symbol.asyncDispose]: () => server.close(),
  };
}
