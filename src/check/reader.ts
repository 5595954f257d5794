/**
 * Reading the resources a manifest lists, for checking: over HTTP (with retries, the
 * credentials scope and idle timeouts of `net/http.ts`) or from a local file (when the
 * manifest itself is local: a mirror made by `get`), streaming — each byte range of a
 * resource is handed out as a {@linkcode ByteSource} window over the one response body, so
 * a resource is fetched once, whatever number of segments it holds, and memory stays flat
 * in the size of a segment.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type ByteSource, FileSource, StreamSource } from "../mp4/reader.ts";
import { HttpError, type HttpOptions, request, statusError, withRetries } from "../net/http.ts";
import { formatSeconds } from "../ui/format.ts";

/** A byte range of a resource: `start` to `end` inclusive; no `end` runs to its end. */
export interface Window {
  /** First byte. */
  start: number;
  /** Last byte, inclusive; undefined: to the end of the resource. */
  end?: number;
}

/** How resources are read. */
export interface ReadContext {
  /** HTTP options (headers, scope, retries, timeouts, the interrupt). */
  http: HttpOptions;
  /** Whether `file:` URLs may be read (only when the manifest itself is local). */
  allowFiles: boolean;
  /** Told about each retry. */
  onRetry?: (message: string) => void;
  /** Told about bytes as they arrive. */
  onBytes?: (n: number) => void;
}

/** A resource that cannot be read: it is missing (an HTTP status, no such file) or refused. */
export class ResourceError extends Error {
  /**
   * @param message what happened
   */
  constructor(message: string) {
    super(message);
    this.name = "ResourceError";
  }
}

/** A window of a resource, as a {@linkcode ByteSource} the box walker can read. */
export class WindowSource implements ByteSource {
  /** Its size, when known (the range's length cut at the end of the resource). */
  readonly size: number | undefined;
  /** The length its byte range asks for, when it has an end. */
  readonly expected: number | undefined;
  #base: ByteSource;
  #start: number;

  /**
   * @param base the whole resource (absolute offsets)
   * @param window the range of it this source shows
   * @param total the resource's size, when known
   */
  constructor(base: ByteSource, window: Window, total: number | undefined) {
    this.#base = base;
    this.#start = window.start;
    this.expected = window.end !== undefined ? window.end - window.start + 1 : undefined;
    const toEnd = total !== undefined ? Math.max(0, total - window.start) : undefined;
    this.size = this.expected !== undefined && toEnd !== undefined
      ? Math.min(this.expected, toEnd)
      : this.expected ?? toEnd;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    const n = this.size !== undefined ? Math.min(length, this.size - offset) : length;
    if (n <= 0) return Promise.resolve(new Uint8Array(0));
    return this.#base.read(this.#start + offset, n);
  }

  async measureEnd(offset: number): Promise<number> {
    if (this.size !== undefined) return this.size;
    return (await this.#base.measureEnd(this.#start + offset)) - this.#start;
  }

  /**
   * Reads on to the window's last byte (through the rest of a response body, so every byte
   * of a segment really arrives) and returns how many of its bytes are there: its range's
   * length (or the resource's) when it is whole.
   */
  async drain(): Promise<number> {
    const target = this.expected ?? this.size;
    if (target === undefined) return await this.measureEnd(0);
    if (target === 0) return 0;
    const last = await this.#base.read(this.#start + target - 1, 1);
    if (last.length === 1) return target;
    const end = await this.#base.measureEnd(this.#start);
    return Math.max(0, Math.min(target, end - this.#start));
  }

  close(): void {}
}

/** A forward-only source whose offsets start at `base` (a 206 response's first byte). */
class OffsetSource implements ByteSource {
  readonly size: number | undefined;
  #inner: StreamSource;
  #base: number;

  constructor(inner: StreamSource, base: number, total: number | undefined) {
    this.#inner = inner;
    this.#base = base;
    this.size = total;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < this.#base) return Promise.resolve(new Uint8Array(0));
    return this.#inner.read(offset - this.#base, length);
  }

  async measureEnd(offset: number): Promise<number> {
    return this.#base + await this.#inner.measureEnd(Math.max(0, offset - this.#base));
  }

  close(): void {
    this.#inner.close();
  }
}

/** Splits windows (in the order given) into runs that can be read in one forward pass. */
function passes(windows: readonly Window[]): number[][] {
  const order = windows.map((_, i) => i).sort((a, b) => windows[a].start - windows[b].start);
  const out: number[][] = [];
  for (const i of order) {
    const pass = out.find((p) => {
      const last = windows[p[p.length - 1]];
      return last.end !== undefined && last.end < windows[i].start;
    });
    if (pass) pass.push(i);
    else out.push([i]);
  }
  return out;
}

/** Opens a local file, as a missing segment when it is not there. */
async function openFile(url: string): Promise<FileSource> {
  try {
    return await FileSource.open(fileURLToPath(url));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new ResourceError("no such file");
    if (err instanceof Deno.errors.IsADirectory) throw new ResourceError("is a folder");
    throw new ResourceError(err instanceof Error ? err.message : String(err));
  }
}

/** `Content-Range: bytes a-b/total` → first byte and total (when given). */
function contentRange(value: string | null): { start: number; total?: number } | undefined {
  const m = /^bytes\s+(\d+)-\d+\/(\d+|\*)$/i.exec(value?.trim() ?? "");
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[2] === "*" ? undefined : Number(m[2]) };
}

/** One HTTP pass over `windows` (sorted, disjoint): one request, each window visited in turn. */
async function httpPass<T>(
  url: string,
  windows: Window[],
  ctx: ReadContext,
  visit: (index: number, source: WindowSource) => Promise<T>,
  indexes: number[],
): Promise<T[]> {
  const first = windows[0].start;
  const last = windows[windows.length - 1].end;
  const ranged = last !== undefined;
  const headers: Record<string, string> = ranged ? { Range: `bytes=${first}-${last}` } : {};
  const r = await request(url, ctx.http, { headers });
  try {
    if (!r.response.ok) throw statusError(r.response, r.url, r.withheld);
    const length = Number(r.response.headers.get("content-length") ?? NaN);
    let base = 0;
    let total: number | undefined = !r.encoded && length >= 0 ? length : undefined;
    if (r.response.status === 206) {
      const cr = contentRange(r.response.headers.get("content-range"));
      if (!cr) {
        throw new HttpError(`${url}: a 206 answer without Content-Range`, { retryable: false });
      }
      base = cr.start;
      total = cr.total;
    }
    const onBytes = ctx.onBytes;
    const chunks = r.chunks();
    const counted = (async function* () {
      for await (const c of chunks) {
        onBytes?.(c.length);
        yield c;
      }
    })();
    const src = new OffsetSource(new StreamSource(ReadableStream.from(counted)), base, total);
    const out: T[] = [];
    for (let k = 0; k < windows.length; k++) {
      out.push(await visit(indexes[k], new WindowSource(src, windows[k], total)));
    }
    return out;
  } finally {
    await r.done();
  }
}

/**
 * Reads the windows of one resource and hands each to `visit`, in order of position; returns
 * what `visit` returned for each, in the order the windows were given. Windows that do not
 * overlap are read in one pass (one request for a remote resource); an attempt that fails
 * with a retryable error is retried whole.
 *
 * @throws {ResourceError} when the resource is not there or may not be read
 * @throws {HttpError} when it cannot be fetched (after retries)
 *
 * @example
 * ```ts
 * import { DEFAULT_HTTP } from "../net/http.ts";
 * const sizes = await readResource(
 *   "https://cdn.example/v/seg-1.m4s",
 *   [{ start: 0 }],
 *   { http: DEFAULT_HTTP, allowFiles: false },
 *   async (_i, src) => await src.measureEnd(0),
 * );
 * ```
 */
export async function readResource<T>(
  url: string,
  windows: Window[],
  ctx: ReadContext,
  visit: (index: number, source: WindowSource) => Promise<T>,
): Promise<T[]> {
  const protocol = new URL(url).protocol;
  const results: T[] = new Array(windows.length);
  if (protocol === "file:") {
    if (!ctx.allowFiles) {
      throw new ResourceError("a remote manifest may not name a file: URL; not read");
    }
    const file = await openFile(url);
    try {
      for (const pass of passes(windows)) {
        for (const i of pass) {
          const src = new WindowSource(file, windows[i], file.size);
          results[i] = await visit(i, src);
          ctx.onBytes?.(src.size ?? 0);
        }
      }
    } finally {
      file.close();
    }
    return results;
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw new ResourceError(`the URL scheme "${protocol}" is not read`);
  }
  for (const pass of passes(windows)) {
    const got = await withRetries(
      ctx.http,
      () => httpPass(url, pass.map((i) => windows[i]), ctx, visit, pass),
      (err, n, wait) =>
        ctx.onRetry?.(`retry ${n} in ${formatSeconds(wait / 1000)}: ${url}: ${err.message}`),
    );
    pass.forEach((i, k) => results[i] = got[k]);
  }
  return results;
}

/** The first bytes of a source (up to `n`), for telling formats apart. */
export async function peek(source: ByteSource, n = 16): Promise<Uint8Array> {
  return (await source.read(0, n)).slice();
}
