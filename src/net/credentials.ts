/**
 * Which hosts receive the user's own request headers (`-H "Authorization: …"`,
 * `-H "Cookie: …"`). A manifest is remote, untrusted input: the hosts it names get the
 * headers only when the user said so. By default they go to the origin (scheme, host, port)
 * of the URL the user typed, and nowhere else; `--header-host HOST` adds a host (any port),
 * `--header-host HOST:PORT` one port of it, and `--header-host '*'` every host — as curl's
 * `--location-trusted` and yt-dlp's per-domain cookies do.
 *
 * @module
 */

/** A `--header-host` value: a host on any port, or on one port; `*` for every host. */
interface HostRule {
  host: string;
  port?: string;
}

/** The default port of a URL's scheme, as `URL` leaves it out. */
function portOf(url: URL): string {
  if (url.port) return url.port;
  return url.protocol === "https:" ? "443" : url.protocol === "http:" ? "80" : "";
}

/** Lower-cases a host and strips the brackets of an IPv6 literal. */
function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
}

/**
 * Parses one `--header-host` value: `HOST`, `HOST:PORT`, `[IPv6]:PORT` or `*`. Throws a
 * `RangeError` naming the value when it is none of these.
 */
function parseRule(value: string): HostRule | "*" {
  const v = value.trim();
  if (v === "*") return "*";
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:/\s[\]]+)(?::(\d{1,5}))?$/.exec(v);
  if (!m) throw new RangeError(`--header-host "${value}" is not HOST, HOST:PORT or *`);
  return { host: normalizeHost(m[1]), port: m[2] };
}

/**
 * The set of URLs that receive the user's headers.
 *
 * @example
 * ```ts
 * const scope = new HeaderScope("https://a.example/vod/m.mpd", ["cdn.example"]);
 * scope.allows(new URL("https://a.example/seg-1.m4s"));      // true: the origin typed
 * scope.allows(new URL("https://a.example:8443/seg-1.m4s")); // false: another port
 * scope.allows(new URL("http://cdn.example:8080/x.m4s"));    // true: named, any port
 * scope.allows(new URL("https://ads.example/x.m4s"));        // false
 * ```
 */
export class HeaderScope {
  #origin: string | undefined;
  #rules: HostRule[] = [];
  #everywhere = false;

  /**
   * @param typed the URL the user typed (the manifest, or `--base-url` for a local one);
   *   its origin receives the headers. Undefined: no origin by default.
   * @param hosts the `--header-host` values
   * @throws {RangeError} for a value that is not a host
   */
  constructor(typed: string | undefined, hosts: readonly string[] = []) {
    if (typed !== undefined && /^https?:/i.test(typed)) {
      const u = new URL(typed);
      this.#origin = `${u.protocol}//${normalizeHost(u.hostname)}:${portOf(u)}`;
    }
    for (const h of hosts) {
      const rule = parseRule(h);
      if (rule === "*") this.#everywhere = true;
      else this.#rules.push(rule);
    }
  }

  /** Whether every host receives the headers (`--header-host '*'`). */
  get everywhere(): boolean {
    return this.#everywhere;
  }

  /** Whether a request to `url` carries the user's headers. */
  allows(url: URL): boolean {
    if (this.#everywhere) return true;
    const host = normalizeHost(url.hostname);
    if (this.#origin === `${url.protocol}//${host}:${portOf(url)}`) return true;
    const port = portOf(url);
    return this.#rules.some((r) => r.host === host && (r.port === undefined || r.port === port));
  }
}
