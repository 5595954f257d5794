/**
 * A small HTTP server over in-memory files, on the loopback interface: what `streamkit demo`
 * mirrors from and what `streamkit demo-server` serves to players and other tools.
 *
 * It answers GET and HEAD (with single byte ranges), lists the files at `/`, and sends
 * `Access-Control-Allow-Origin: *` so a web player on another origin can load the stream.
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

const TYPES: Record<string, string> = {
  mpd: "application/dash+xml",
  m3u8: "application/vnd.apple.mpegurl",
  m4s: "video/mp4",
  mp4: "video/mp4",
  m4a: "audio/mp4",
  ts: "video/mp2t",
};

/** The Content-Type for a file name, by its extension. */
function contentType(name: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? "";
  return TYPES[ext] ?? "application/octet-stream";
}

/** A parsed `Range: bytes=…` header: one satisfiable range, none, or unsatisfiable. */
function parseRange(header: string | null, size: number): [number, number] | null | "bad" {
  if (header === null) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return null; // not one simple range: send it all
  let start: number, end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "bad";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== "" && Number(m[2]) < start) return null;
  }
  if (start >= size) return "bad";
  return [start, end];
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
  const cors = { "access-control-allow-origin": "*" };
  const handle = (request: Request): Response => {
    const url = new URL(request.url);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname).replace(/^\/+/, "");
    } catch {
      path = "\0";
    }
    const method = request.method;
    const answer = (response: Response): Response => {
      requests++;
      options.onRequest?.({
        method,
        path: url.pathname,
        status: response.status,
        range: request.headers.get("range") ?? "",
      });
      return response;
    };
    const text = (status: number, body: string, extra: Record<string, string> = {}) =>
      answer(
        new Response(method === "HEAD" ? null : body, {
          status,
          headers: { "content-type": "text/plain; charset=utf-8", ...cors, ...extra },
        }),
      );

    if (method === "OPTIONS") {
      return answer(
        new Response(null, {
          status: 204,
          headers: {
            ...cors,
            "access-control-allow-methods": "GET, HEAD, OPTIONS",
            "access-control-allow-headers": "range",
            "access-control-max-age": "86400",
          },
        }),
      );
    }
    if (method !== "GET" && method !== "HEAD") {
      return text(405, "method not allowed\n", { allow: "GET, HEAD, OPTIONS" });
    }
    if (path === "") return text(200, [...files.keys()].join("\n") + "\n");
    const body = files.get(path);
    if (body === undefined) return text(404, `not found: ${url.pathname}\n`);

    const headers: Record<string, string> = {
      "content-type": contentType(path),
      "accept-ranges": "bytes",
      "access-control-expose-headers": "content-length, content-range, accept-ranges",
      ...cors,
    };
    const range = parseRange(request.headers.get("range"), body.length);
    if (range === "bad") {
      return text(416, "range not satisfiable\n", { "content-range": `bytes */${body.length}` });
    }
    let status = 200;
    let bytes = body;
    if (range !== null) {
      status = 206;
      bytes = body.subarray(range[0], range[1] + 1);
      headers["content-range"] = `bytes ${range[0]}-${range[1]}/${body.length}`;
    }
    headers["content-length"] = String(bytes.length);
    // A copy over a fresh ArrayBuffer: the response owns its body.
    return answer(new Response(method === "HEAD" ? null : bytes.slice(), { status, headers }));
  };

  const abort = new AbortController();
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    signal: abort.signal,
    onListen() {},
  }, handle);
  const { hostname, port } = server.addr;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      abort.abort();
      await server.finished;
    })();
    return closed;
  };
  return {
    url: `http://${host}:${port}/`,
    port,
    get requests() {
      return requests;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
