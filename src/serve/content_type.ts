/**
 * The `Content-Type` a served file gets, by its extension: every format a DASH or HLS
 * stream is made of (manifests, fragmented-MP4 and CMAF segments, MPEG-TS, WebM, packed
 * audio, subtitles, keys), and a few neighbours (JSON, XML, images).
 *
 * @module
 */
import { extname } from "node:path";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".mpd": "application/dash+xml",
  ".m3u8": "application/vnd.apple.mpegurl",
  ".m3u": "application/vnd.apple.mpegurl",
  ".m4s": "video/iso.segment",
  ".mp4": "video/mp4",
  ".m4v": "video/mp4",
  ".cmfv": "video/mp4",
  ".m4a": "audio/mp4",
  ".cmfa": "audio/mp4",
  ".m4t": "application/mp4",
  ".cmft": "application/mp4",
  ".ts": "video/mp2t",
  ".m2ts": "video/mp2t",
  ".aac": "audio/aac",
  ".ac3": "audio/ac3",
  ".ec3": "audio/eac3",
  ".mp3": "audio/mpeg",
  ".webm": "video/webm",
  ".weba": "audio/webm",
  ".mkv": "video/x-matroska",
  ".vtt": "text/vtt",
  ".webvtt": "text/vtt",
  ".ttml": "application/ttml+xml",
  ".dfxp": "application/ttml+xml",
  ".srt": "application/x-subrip",
  ".key": "application/octet-stream",
  ".bin": "application/octet-stream",
  ".xml": "application/xml",
  ".json": "application/json",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".html": "text/html; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * The Content-Type for a file name or path, by its extension (case-insensitive);
 * `application/octet-stream` when the extension is unknown.
 *
 * @example
 * ```ts
 * contentTypeFor("video/chunk-00001.m4s"); // "video/iso.segment"
 * contentTypeFor("master.m3u8"); // "application/vnd.apple.mpegurl"
 * ```
 */
export function contentTypeFor(name: string): string {
  return CONTENT_TYPES[extname(name).toLowerCase()] ?? "application/octet-stream";
}
