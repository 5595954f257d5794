/**
 * One resource → one file. The body streams to a temporary file the caller names, which is
 * renamed to the final name only when complete and checked, so a file with its final name
 * is always whole and is the resource it names:
 *
 * - a temporary file left by an earlier run resumes with `Range` and `If-Range`, using the
 *   validator (strong `ETag`, else `Last-Modified`) the first response gave, kept in a
 *   sidecar file; a resource that changed since (or gave no validator) starts again;
 * - a `206` to a request without `Range`, a `206` that does not continue where asked, a body
 *   shorter or longer than declared (`Content-Length`, `Content-Range`) never lands;
 * - a complete file is skipped without a request (or, with `verify`, compared with the
 *   server's size first).
 *
 * It knows HTTP and files only: the caller gives every path.
 *
 * @module
 */
import { writeAllSync } from "../bytes.ts";
import { describeError, HttpError, type HttpOptions, request, statusError } from "./http.ts";
import { withRetries } from "./retry.ts";

/** The files one download uses. */
export interface FileTarget {
  /** Where the complete resource goes. */
  final: string;
  /** Where its bytes arrive (its folder must exist). */
  partial: string;
  /** The sidecar holding the validator of the partial file (beside it). */
  validator: string;
}

/** What happened to one resource. */
export interface DownloadOutcome {
  /** `done`: fetched now; `present`: already complete on disk; `failed`. */
  status: "done" | "present" | "failed";
  /** Bytes received over the network in this run. */
  bytes: number;
  /** Size of the final file, when it exists. */
  size?: number;
  /** Retries this resource needed. */
  retries: number;
  /** Offset a partial file resumed from, when it did. */
  resumedFrom?: number;
  /** Why it failed, or a note (a size mismatch found by `verify`, a restart). */
  message?: string;
}

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  /** How to make requests. */
  http: HttpOptions;
  /** Compare a complete file with the server's size and fetch it again on a mismatch. */
  verify?: boolean;
  /** Size of the final file when the run started (undefined: absent; a stat is not made). */
  present?: number;
  /** Size of the partial file when the run started (0: there is none; undefined: look it up). */
  partialSize?: number;
  /**
   * Whether the partial file's validator sidecar was there when the run started (undefined:
   * not known, so it is removed after a success in case it is).
   */
  validatorExists?: boolean;
  /** Told when the first request goes out. */
  onStart?: () => void;
  /** Told about every chunk written. */
  onBytes?: (n: number) => void;
  /** Told about every retry. */
  onRetry?: (err: HttpError, attempt: number, waitMs: number) => void;
}

/** What a partial file's sidecar records of the response its bytes came from. */
interface Validator {
  url: string;
  etag?: string;
  lastModified?: string;
  /** The whole resource's length, when the response declared it. */
  length?: number;
}

function fileSize(path: string): number | undefined {
  try {
    const st = Deno.lstatSync(path);
    return st.isFile ? st.size : undefined;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

function removeIfThere(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

function readValidator(path: string): Validator | undefined {
  try {
    const v = JSON.parse(Deno.readTextFileSync(path));
    return typeof v?.url === "string" ? v as Validator : undefined;
  } catch {
    return undefined;
  }
}

/** The `If-Range` value a validator allows: a strong ETag, else Last-Modified. */
function ifRangeValue(v: Validator | undefined, url: string): string | undefined {
  if (!v || v.url !== url) return undefined;
  if (v.etag !== undefined && !v.etag.startsWith("W/")) return v.etag;
  return v.lastModified;
}

/**
 * Parses `Content-Range: bytes a-b/total` (or `bytes *\/total`).
 *
 * @example
 * ```ts
 * parseContentRange("bytes 0-99/1000"); // { start: 0, end: 99, total: 1000 }
 * ```
 */
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

/**
 * The size the server reports for `url` (HEAD, falling back to a 1-byte range GET).
 *
 * @example
 * ```ts
 * import { DEFAULT_HTTP } from "./http.ts";
 * const size = await remoteSize("https://cdn.example/a.m4s", DEFAULT_HTTP);
 * ```
 */
export async function remoteSize(url: string, http: HttpOptions): Promise<number | undefined> {
  const head = await request(url, http, { method: "HEAD" });
  await head.done();
  const r = head.response;
  if (r.ok && !r.headers.has("content-encoding") && r.headers.has("content-length")) {
    return Number(r.headers.get("content-length"));
  }
  if (!r.ok && r.status !== 405 && r.status !== 501) throw statusError(r, head.url, head.withheld);
  const probe = await request(url, http, { headers: { Range: "bytes=0-0" } });
  await probe.done();
  if (probe.response.status === 206) {
    return parseContentRange(probe.response.headers.get("content-range"))?.total;
  }
  if (!probe.response.ok) throw statusError(probe.response, probe.url, probe.withheld);
  const len = probe.response.headers.get("content-length");
  return len !== null && !probe.response.headers.has("content-encoding") ? Number(len) : undefined;
}

/** A retryable failure that also throws away the partial file (it cannot be continued). */
function restart(target: FileTarget, message: string): HttpError {
  removeIfThere(target.partial);
  removeIfThere(target.validator);
  return new HttpError(message, { retryable: true, retryAfterMs: 0 });
}

/**
 * Downloads `url` to `target.final`. Never throws for download problems: they come back as
 * a `failed` outcome with a message. Throws only when `http.signal` aborts (Ctrl-C), leaving
 * the partial file and its validator for the next run.
 *
 * @example
 * ```ts
 * import { DEFAULT_HTTP } from "./http.ts";
 * const outcome = await downloadFile("https://cdn.example/a.m4s", {
 *   final: "/out/a.m4s",
 *   partial: "/out/.streamkit/partial/1f2e3d",
 *   validator: "/out/.streamkit/partial/1f2e3d.validator",
 * }, { http: DEFAULT_HTTP });
 * ```
 */
export async function downloadFile(
  url: string,
  target: FileTarget,
  options: DownloadOptions,
): Promise<DownloadOutcome> {
  const http = options.http;
  let retries = 0;
  let bytes = 0;
  let resumedFrom: number | undefined;
  let note: string | undefined;
  const onRetry = (err: HttpError, n: number, wait: number) => {
    retries++;
    options.onRetry?.(err, n, wait);
  };
  try {
    const existing = options.present;
    if (existing !== undefined) {
      if (!options.verify) return { status: "present", bytes: 0, size: existing, retries: 0 };
      const remote = await withRetries(http, () => remoteSize(url, http), onRetry);
      if (remote === undefined || remote === existing) {
        return { status: "present", bytes: 0, size: existing, retries };
      }
      note = `size on disk ${existing} differs from the server's ${remote}; downloaded again`;
    }
    options.onStart?.();
    // Whether a validator sidecar may be on disk, to be removed once the file is complete.
    let validatorThere = options.validatorExists ?? true;
    let size = 0;
    let firstAttempt = true;
    await withRetries(http, async () => {
      let offset = (firstAttempt ? options.partialSize : undefined) ?? fileSize(target.partial) ??
        0;
      firstAttempt = false;
      if (offset > 0) validatorThere = true;
      const validator = offset > 0 ? readValidator(target.validator) : undefined;
      const ifRange = offset > 0 ? ifRangeValue(validator, url) : undefined;
      if (offset > 0 && ifRange === undefined) {
        // Nothing proves the partial bytes are this resource's: start again.
        note ??= "a partial file without a validator was discarded";
        offset = 0;
      }
      const headers: Record<string, string> = ifRange !== undefined
        ? { Range: `bytes=${offset}-`, "If-Range": ifRange }
        : {};
      const r = await request(url, http, { headers });
      try {
        const res = r.response;
        let expect: number | undefined;
        let total: number | undefined;
        let append = false;
        let sidecar: string | undefined;
        if (res.status === 416 && offset > 0) {
          total = parseContentRange(res.headers.get("content-range"))?.total;
          if (total === offset && (validator?.length ?? total) === total) {
            size = offset;
            return; // the partial file was already complete
          }
          throw restart(target, `stale partial file (${offset} bytes) discarded`);
        }
        if (!res.ok) throw statusError(res, r.url, r.withheld);
        if (res.status === 206) {
          const cr = parseContentRange(res.headers.get("content-range"));
          if (offset === 0) {
            throw restart(
              target,
              `the server answered 206 Partial Content (${
                res.headers.get("content-range") ?? "no Content-Range"
              }) to a request for the whole resource`,
            );
          }
          if (
            cr?.start !== offset || cr.end === undefined || r.encoded ||
            (cr.total !== undefined && validator?.length !== undefined &&
              cr.total !== validator.length)
          ) {
            throw restart(
              target,
              `the server answered range ${res.headers.get("content-range")} for ${offset}-; ` +
                "starting again",
            );
          }
          expect = cr.end - cr.start + 1;
          total = cr.total;
          append = true;
          resumedFrom = offset;
        } else {
          // A full body (also when If-Range found the resource changed): start the file again.
          if (offset > 0) note = `the resource changed since ${offset} bytes were saved; restarted`;
          offset = 0;
          const len = res.headers.get("content-length");
          if (len !== null && !r.encoded) expect = total = Number(len);
          const v: Validator = { url };
          const etag = res.headers.get("etag");
          const modified = res.headers.get("last-modified");
          if (etag !== null && !r.encoded) v.etag = etag;
          if (modified !== null && !r.encoded) v.lastModified = modified;
          if (total !== undefined) v.length = total;
          sidecar = JSON.stringify(v);
        }
        // The partial file is opened at the first chunk, and the validator written just before
        // it, unless that chunk is the whole body: a small file then costs one create and one
        // rename, and no partial bytes are ever on disk without the validator that lets a
        // later run resume them (a complete partial file without one is only fetched again).
        let file: Deno.FsFile | undefined;
        const open = (first: number) => {
          if (sidecar !== undefined && (expect === undefined || first < expect)) {
            Deno.writeTextFileSync(target.validator, sidecar);
            validatorThere = true;
          }
          return Deno.openSync(target.partial, {
            write: true,
            create: true,
            append,
            truncate: !append,
          });
        };
        let got = 0;
        try {
          // Each chunk is written as it arrives, so whatever was received survives even a
          // SIGKILL and the next run resumes after it.
          for await (const chunk of r.chunks({ reuse: true })) {
            file ??= open(chunk.length);
            writeAllSync(file, chunk);
            got += chunk.length;
            bytes += chunk.length;
            options.onBytes?.(chunk.length);
            if (expect !== undefined && got > expect) break;
          }
          file ??= open(0);
        } finally {
          file?.close();
        }
        if (expect !== undefined && got > expect) {
          throw restart(target, `the body is longer than the ${expect} bytes declared`);
        }
        size = offset + got;
        if (expect !== undefined && got < expect) {
          throw new HttpError(`body ended at ${size} of ${offset + expect} bytes`, {
            retryable: true,
          });
        }
        if (total !== undefined && size !== total) {
          throw restart(target, `got ${size} bytes of a ${total}-byte resource`);
        }
      } finally {
        await r.done();
      }
    }, onRetry);
    // The validator goes first: killed between the two, a run leaves a complete partial file
    // without one (fetched again next time), never a stale validator beside a complete file
    // (which a re-run, counting the file as there, would never look at again).
    if (validatorThere) removeIfThere(target.validator);
    Deno.renameSync(target.partial, target.final);
    return { status: "done", bytes, size, retries, resumedFrom, message: note };
  } catch (err) {
    if (http.signal?.aborted) throw err;
    return { status: "failed", bytes, retries, resumedFrom, message: describeError(err) };
  }
}
