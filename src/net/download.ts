/**
 * One resource → one file. The body streams to `<path>.part`, which is renamed to its final
 * name only when complete and verified, so a file with its final name is always whole.
 * A `.part` left by an earlier run resumes with a Range request; a complete file is skipped
 * without a request (or, with `verify`, compared with the server's size first).
 *
 * @module
 */
import { dirname } from "node:path";
import { resolveInside } from "../mirror/layout.ts";
import type { PlanItem } from "../mirror/plan.ts";
import {
  describeError,
  HttpError,
  type HttpOptions,
  request,
  statusError,
  withRetries,
} from "./http.ts";
import type { OutputSnapshot } from "./output_snapshot.ts";

/** What happened to one resource. */
export interface DownloadOutcome {
  /** `downloaded`: fetched now; `skipped`: already complete on disk; `failed`. */
  status: "downloaded" | "skipped" | "failed";
  /** Bytes received over the network in this run. */
  bytes: number;
  /** Size of the final file, when it exists. */
  size?: number;
  /** Retries this resource needed. */
  retries: number;
  /** Offset a `.part` resumed from, when it did. */
  resumedFrom?: number;
  /** Why it failed, or a note (a size mismatch found by `verify`). */
  message?: string;
}

/** Options of {@link downloadItem}. */
export interface DownloadOptions {
  /** The output directory. */
  outDir: string;
  /** How to make requests. */
  http: HttpOptions;
  /** Compare complete files with the server's size and re-download mismatches. */
  verify: boolean;
  /** Told about every chunk written (for progress). */
  onBytes?: (n: number) => void;
  /** Told about every retry. */
  onRetry?: (item: PlanItem, err: HttpError, attempt: number, waitMs: number) => void;
  /**
   * What the output directory held at the start of the run. Without it, the file and its
   * `.part` are looked up with `stat`.
   */
  snapshot?: OutputSnapshot;
}

/*
 * The metadata calls on a segment's way (stat, mkdir, rename) are synchronous on purpose:
 * each takes microseconds on a local disk, while an async call costs a round trip through
 * Deno's thread pool and an event-loop turn, several of which sat between the end of one
 * download and the request of the next, in every lane (about 5 % of `dash get` at 20 ms).
 */

function fileSize(path: string): number | undefined {
  try {
    const st = Deno.statSync(path);
    return st.isFile ? st.size : undefined;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** Parses `Content-Range: bytes a-b/total` (or `bytes *\/total`). */
export function parseContentRange(
  value: string | null,
): { start?: number; end?: number; total?: number } | undefined {
  if (!value) return undefined;
  const m = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(value.trim());
  if (!m) return undefined;
  return {
    start: m[1] !== undefined ? Number(m[1]) : undefined,
    end: m[2] !== undefined ? Number(m[2]) : undefined,
    total: m[3] !== "*" ? Number(m[3]) : undefined,
  };
}

/** The size the server reports for `url` (HEAD, falling back to a 1-byte range GET). */
export async function remoteSize(url: string, http: HttpOptions): Promise<number | undefined> {
  const head = await request(url, http, { method: "HEAD" });
  await head.done();
  const r = head.response;
  if (r.ok && !r.headers.has("content-encoding") && r.headers.has("content-length")) {
    return Number(r.headers.get("content-length"));
  }
  if (!r.ok && r.status !== 405 && r.status !== 501) throw statusError(r, url);
  const probe = await request(url, http, { headers: { Range: "bytes=0-0" } });
  await probe.done();
  if (probe.response.status === 206) {
    return parseContentRange(probe.response.headers.get("content-range"))?.total;
  }
  if (!probe.response.ok) throw statusError(probe.response, url);
  const len = probe.response.headers.get("content-length");
  return len !== null && !probe.response.headers.has("content-encoding") ? Number(len) : undefined;
}

/**
 * Streams `chunks` into `file`. Each chunk is written as it arrives (no buffer of our own),
 * so whatever was received survives even a SIGKILL and the next run resumes after it.
 * A chunk is written whole before the next is asked for, so `chunks` may reuse its buffer.
 */
async function writeAll(
  file: Deno.FsFile,
  chunks: AsyncIterable<Uint8Array>,
  onBytes?: (n: number) => void,
): Promise<number> {
  let total = 0;
  for await (const chunk of chunks) {
    let off = 0;
    while (off < chunk.length) off += file.writeSync(chunk.subarray(off));
    total += chunk.length;
    onBytes?.(chunk.length);
  }
  return total;
}

/**
 * Downloads one plan item into the output directory. Never throws for download problems:
 * they come back as a `failed` outcome with a message. Throws only when `http.signal`
 * aborts (Ctrl-C), leaving the `.part` file for the next run.
 */
export async function downloadItem(
  item: PlanItem,
  options: DownloadOptions,
): Promise<DownloadOutcome> {
  const final = resolveInside(options.outDir, item.path);
  const part = `${final}.part`;
  const http = options.http;
  let retries = 0;
  let bytes = 0;
  let resumedFrom: number | undefined;
  let note: string | undefined;
  try {
    const snapshot = options.snapshot;
    const existing = snapshot ? snapshot.size(final) : fileSize(final);
    if (existing !== undefined) {
      if (!options.verify) return { status: "skipped", bytes: 0, size: existing, retries: 0 };
      const remote = await withRetries(http, () => remoteSize(item.url, http), (err, n, w) => {
        retries++;
        options.onRetry?.(item, err, n, w);
      });
      if (remote === undefined || remote === existing) {
        return { status: "skipped", bytes: 0, size: existing, retries };
      }
      note = `size on disk ${existing} differs from the server's ${remote}; downloaded again`;
      await Deno.remove(final);
    }
    if (snapshot) snapshot.ensureDir(dirname(final));
    else Deno.mkdirSync(dirname(final), { recursive: true });

    let size = 0;
    let firstAttempt = true;
    await withRetries(http, async () => {
      // The snapshot knows the .part a previous run left; later attempts look again.
      let offset = (snapshot && firstAttempt ? snapshot.size(part) : fileSize(part)) ?? 0;
      firstAttempt = false;
      const r = await request(
        item.url,
        http,
        offset > 0 ? { headers: { Range: `bytes=${offset}-` } } : {},
      );
      try {
        const res = r.response;
        const encoded = r.encoded;
        let total: number | undefined;
        if (res.status === 416 && offset > 0) {
          total = parseContentRange(res.headers.get("content-range"))?.total;
          if (total === offset) {
            size = offset;
            return; // the .part was already complete
          }
          await Deno.remove(part);
          throw new HttpError(`stale partial file (${offset} bytes) discarded`, {
            retryable: true,
            retryAfterMs: 0,
          });
        }
        if (!res.ok) throw statusError(res, item.url);
        let append = false;
        if (res.status === 206 && offset > 0) {
          const cr = parseContentRange(res.headers.get("content-range"));
          if (cr?.start !== offset || encoded) {
            await Deno.remove(part);
            throw new HttpError(`server answered range ${cr?.start}- for ${offset}-; restarting`, {
              retryable: true,
              retryAfterMs: 0,
            });
          }
          total = cr.total;
          append = true;
          resumedFrom = offset;
        } else {
          // A full body (also when our Range was ignored): start the file again.
          offset = 0;
          const len = res.headers.get("content-length");
          if (len !== null && !encoded) total = Number(len);
        }
        const file = Deno.openSync(part, {
          write: true,
          create: true,
          append,
          truncate: !append,
        });
        let got: number;
        try {
          got = await writeAll(file, r.chunks({ reuse: true }), (n) => {
            bytes += n;
            options.onBytes?.(n);
          });
        } finally {
          file.close();
        }
        size = offset + got;
        if (total !== undefined && size !== total) {
          if (size > total) await Deno.remove(part);
          throw new HttpError(`body ended at ${size} of ${total} bytes`, { retryable: true });
        }
      } finally {
        await r.done();
      }
    }, (err, n, wait) => {
      retries++;
      options.onRetry?.(item, err, n, wait);
    });
    Deno.renameSync(part, final);
    return {
      status: "downloaded",
      bytes,
      size,
      retries,
      resumedFrom,
      message: note,
    };
  } catch (err) {
    if (http.signal?.aborted) throw err;
    return { status: "failed", bytes, retries, resumedFrom, message: describeError(err) };
  }
}
