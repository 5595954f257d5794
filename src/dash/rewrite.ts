/**
 * Rewrites a saved MPD so it plays from the output directory: only BaseURL elements whose
 * target would not be found locally (absolute URLs, other hosts, parent folders, names the
 * layout had to make safe) change; every other byte stays as the server sent it.
 *
 * @module
 */
import { type Layout, relativeRef } from "../mirror/layout.ts";
import type { BaseUrlElement } from "./mpd.ts";
import { escapeXmlText } from "./xml.ts";

/** A stand-in origin for resolving references in "local space" (paths under the output dir). */
const LOCAL = "http://local.invalid/";

/** Where a local path ends up if a reference is resolved in local space. */
function localResolve(ref: string, fromDir: string): string | undefined {
  let u: URL;
  try {
    u = new URL(ref, LOCAL + fromDir.split("/").map(encodeURIComponent).join("/"));
  } catch {
    return undefined;
  }
  if (u.origin !== new URL(LOCAL).origin) return undefined;
  return decodeURIComponent(u.pathname.slice(1));
}

/**
 * Masks comments, CDATA sections, processing instructions and the DOCTYPE with spaces, so a
 * scan for elements sees only real markup, at the same offsets as the original.
 */
function maskNonMarkup(text: string): string {
  return text.replace(
    /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>/g,
    (m) => " ".repeat(m.length),
  );
}

const BASEURL =
  /<(?:[A-Za-z_][\w.-]*:)?BaseURL\b(?:[^>"']|"[^"]*"|'[^']*')*?(\/>|>)(?:([\s\S]*?)<\/(?:[A-Za-z_][\w.-]*:)?BaseURL\s*>)?/dg;

/** The result of {@link rewriteBaseUrls}. */
export interface RewriteResult {
  /** The text to save. */
  text: string;
  /** Whether anything changed. */
  changed: boolean;
}

/**
 * Rewrites the BaseURL elements of `text` whose targets the layout placed elsewhere than
 * where a relative reference would find them.
 *
 * @param text the MPD as fetched
 * @param baseUrls the document's BaseURL elements in document order (from `parseMpd`)
 * @param layout the layout of this run
 */
export function rewriteBaseUrls(
  text: string,
  baseUrls: BaseUrlElement[],
  layout: Layout,
): RewriteResult {
  const replacements = new Map<number, string>();
  for (const b of baseUrls) {
    const parentDir = layout.dirFor(b.parentBase);
    const target = layout.peek(b.resolved);
    if (localResolve(b.text, parentDir) === target) continue;
    replacements.set(b.index, relativeRef(parentDir, target));
  }
  if (replacements.size === 0) return { text, changed: false };

  const masked = maskNonMarkup(text);
  const found = [...masked.matchAll(BASEURL)];
  if (found.length !== baseUrls.length) {
    throw new Error(
      `found ${found.length} BaseURL elements in the text but ${baseUrls.length} in the document`,
    );
  }
  let out = "";
  let at = 0;
  found.forEach((m, i) => {
    const value = replacements.get(i);
    if (value === undefined) return;
    const start = m.index!;
    const whole = m[0];
    const escaped = escapeXmlText(value);
    if (m[1] === "/>") {
      // <BaseURL/> → <BaseURL>value</BaseURL>, keeping the tag's name and attributes.
      const open = whole.slice(0, -2).trimEnd();
      const name = /^<([\w.:-]+)/.exec(open)![1];
      out += text.slice(at, start) + `${open}>${escaped}</${name}>`;
    } else {
      const contentStart = m.indices![1]![1];
      const contentEnd = m.indices![2]?.[1] ?? contentStart;
      out += text.slice(at, contentStart) + escaped;
      at = contentEnd;
      return;
    }
    at = start + whole.length;
  });
  out += text.slice(at);
  return { text: out, changed: true };
}
