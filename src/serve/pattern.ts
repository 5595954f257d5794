/**
 * Path patterns for fault rules and request counts: globs (`*.m4s`, `/video/**`), regular
 * expressions and predicates, all tested against a request's decoded path.
 *
 * @module
 */

/**
 * Which paths a rule or a count applies to:
 * - a string glob: `*` matches any run of characters but `/`, `**` any run including
 *   `/`, `?` one character but `/`. A pattern containing `/` is matched against the whole
 *   decoded path (a leading `/` is implied: `video/*` is `/video/*`); a pattern without
 *   `/` against the last path segment (`*.m4s` matches `/a/b/seg-1.m4s`). A pattern
 *   without wildcards matches exactly.
 * - a RegExp, tested against the whole decoded path (`/video/seg-1.m4s`);
 * - a predicate on the decoded path.
 */
export type PathPattern = string | RegExp | ((path: string) => boolean);

/**
 * Converts a glob (see {@linkcode PathPattern}) to a RegExp over the whole path.
 *
 * @example
 * ```ts
 * globToRegExp("*.m4s").test("/a/b/seg-1.m4s"); // true
 * globToRegExp("video/*").test("/video/deep/x.m4s"); // false
 * ```
 */
export function globToRegExp(glob: string): RegExp {
  const onName = !glob.includes("/");
  const text = onName || glob.startsWith("/") ? glob : `/${glob}`;
  let source = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "*" && text[i + 1] === "*") {
      if (text[i + 2] === "/") {
        source += "(?:.*/)?";
        i += 2;
      } else {
        source += ".*";
        i += 1;
      }
    } else if (c === "*") {
      source += "[^/]*";
    } else if (c === "?") {
      source += "[^/]";
    } else {
      source += c.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
    }
  }
  return new RegExp(onName ? `(?:^|/)${source}$` : `^${source}$`);
}

/**
 * Turns a {@linkcode PathPattern} into a test on a decoded path.
 *
 * @example
 * ```ts
 * const test = compilePattern("/video/**");
 * test("/video/deep/seg-3.m4s"); // true
 * ```
 */
export function compilePattern(pattern: PathPattern): (path: string) => boolean {
  if (typeof pattern === "function") return pattern;
  const re = typeof pattern === "string" ? globToRegExp(pattern) : pattern;
  return (path) => {
    re.lastIndex = 0;
    return re.test(path);
  };
}
