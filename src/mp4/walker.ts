/**
 * The one box walker: it reads box headers as Bento4's atom factory does (32-bit and 64-bit
 * sizes, `size = 0` running to the end of the file, `uuid` extended types, the parent type as
 * context), lets each box's codec read its fields and lists them to an Inspector, and walks the
 * children the codec names — over any {@linkcode ByteSource} (a file, standard input, bytes in
 * memory). Where mp4dump stops a list of boxes (a size that does not fit, a 64-bit size where
 * Bento4 refuses one), the walker stops the same list, goes on with the rest, and records a
 * problem with its offset.
 *
 * @example
 * ```ts
 * import { FileSource } from "./reader.ts";
 * import { TextInspector } from "./inspect.ts";
 * import { walkBoxes } from "./walker.ts";
 * const src = await FileSource.open("init.mp4");
 * const out = new TextInspector(3);
 * const problems = await walkBoxes(src, out);
 * src.close();
 * ```
 *
 * @module
 */
import { Cursor } from "./cursor.ts";
import { fourccPrintable, hex2, typeKey } from "./format.ts";
import type { BoxHeaderInfo, Inspector } from "./inspect.ts";
import type { BoxCodec, BoxInfo, BoxView, Children, ReadContext } from "./boxes/codec.ts";
import { codecFor, UUID_CODECS } from "./boxes/index.ts";
import { type ByteSource, Loader } from "./reader.ts";

/** Something wrong with the input, and where. */
export interface Mp4Problem {
  /** Absolute offset in the file. */
  offset: number;
  /** What is wrong. */
  message: string;
}

/** Options of a walk. */
export interface WalkOptions {
  /**
   * A container box larger than this many bytes is walked from the source child by child
   * instead of being loaded whole.
   * @default {67108864}
   */
  loadLimit?: number;
  /** Called after each box, so a printer's output can be handed on as it grows. */
  flush?: () => Promise<void> | void;
}

const LOAD_LIMIT = 64 << 20;
/** Bytes loaded past a box's end, for fields that run on into the next box (a file reads
 * more on demand). */
const SLACK = 64;
/** Bytes a container's own fields may take before its children (sample entries: ~110). */
const CONTAINER_HEAD = 1024;
/** Nesting deeper than this is taken as damage. */
const MAX_DEPTH = 500;

/** What the walk needs from its (async) driver. */
type Need =
  | { kind: "load"; offset: number; length: number }
  | { kind: "end"; offset: number }
  | { kind: "flush" };

const FLUSH: Need = { kind: "flush" };
/** Boxes walked between two chances to hand the output on. */
const FLUSH_EVERY = 32;

/** A box header read, with the codec that reads the box. */
interface BoxHeader extends BoxInfo {
  kind: "box";
  codec: BoxCodec | null;
  uuid: Uint8Array | undefined;
}

type Header = BoxHeader | { kind: "stop"; problem?: Mp4Problem };

/** The UUID of a `uuid` box as mp4dump names it: `XXXXXXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXX`. */
export function uuidName(uuid: Uint8Array): string {
  let s = "";
  for (let i = 0; i < 16; i++) {
    s += hex2(uuid[i]).toUpperCase();
    if (i === 5 || i === 7 || i === 9 || i === 11) s += "-";
  }
  return s;
}

/** Top-level box types are letters and digits, perhaps padded with spaces (`ftyp`, `mdat`). */
function isTopLevelType(type: number): boolean {
  let spaces = false;
  for (let shift = 24; shift >= 0; shift -= 8) {
    const c = (type >>> shift) & 255;
    if (c === 0x20) {
      if (shift === 24) return false;
      spaces = true;
    } else if (spaces || !isAlphanumeric(c)) return false;
  }
  return true;
}

/** `[A-Za-z0-9]`. */
function isAlphanumeric(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function where(contexts: readonly string[]): string {
  return contexts.length === 0
    ? "the file"
    : `its parent '${fourccPrintable(typeNumberOf(contexts[contexts.length - 1]))}'`;
}

function typeNumberOf(key: string): number {
  return ((key.charCodeAt(0) << 24) | (key.charCodeAt(1) << 16) | (key.charCodeAt(2) << 8) |
    key.charCodeAt(3)) >>> 0;
}

/** Walks the boxes of a source, listing them to an Inspector. */
export class Walker {
  /** The damage found so far. */
  readonly problems: Mp4Problem[] = [];
  readonly #loader: Loader;
  readonly #ins: Inspector;
  readonly #loadLimit: number;
  readonly #flush: () => Promise<void> | void;
  #badTopLevel = false;
  #walked = 0;
  /** What the Inspector is told of each box: one record, filled in for each. */
  readonly #shown: BoxHeaderInfo = {
    name: "",
    headerSize: 0,
    size: 0,
    version: 0,
    flags: 0,
    offset: 0,
  };
  /** What codecs may ask, one object for the walk (its contexts set before each read). */
  readonly #ctx: {
    contexts: readonly string[];
    verbosity: number;
    countChildren: ReadContext["countChildren"];
  };

  /**
   * Creates a walker.
   *
   * @param src where the bytes come from
   * @param ins where every box and field goes
   * @param options memory bound and flushing
   */
  constructor(src: ByteSource, ins: Inspector, options: WalkOptions = {}) {
    this.#loader = new Loader(src);
    this.#ins = ins;
    this.#loadLimit = options.loadLimit ?? LOAD_LIMIT;
    this.#flush = options.flush ?? (() => {});
    const ctx = {
      contexts: [] as readonly string[],
      verbosity: ins.verbosity,
      countChildren: (children: Children) => this.#countChildren(children, ctx.contexts),
    };
    this.#ctx = ctx;
  }

  /** Walks every top-level box, as mp4dump does, and returns the problems found. */
  async walk(): Promise<Mp4Problem[]> {
    // the walk is a generator that asks for bytes only when they are not loaded yet, so boxes
    // in memory are walked without a round trip through the event loop
    const loader = this.#loader;
    const it = this.#walkList({ start: 0, available: loader.view.size, context: null }, [], 0);
    let step = it.next(0);
    while (!step.done) {
      const need = step.value;
      let answer = 0;
      if (need.kind === "load") {
        // A file is read synchronously: the walk reaches the event loop only to hand output on.
        answer = loader.loadNow(need.offset, need.length) ??
          await loader.load(need.offset, need.length);
      } else if (need.kind === "end") answer = await loader.end(need.offset);
      else {
        const flushed = this.#flush();
        if (flushed) await flushed;
      }
      step = it.next(answer);
    }
    const lost = this.#loader.view.unreachable;
    if (lost !== undefined) {
      this.problems.push({
        offset: lost,
        message: "a box's fields run past the bytes that could be read from the stream",
      });
    }
    return this.problems;
  }

  #problem(offset: number, message: string): void {
    this.problems.push({ offset, message });
  }

  /** The bytes available at `offset` (up to `length`), loading them when needed. */
  *#load(offset: number, length: number): Generator<Need, number, number> {
    const have = this.#loaded(offset, length);
    if (have >= 0) return have;
    return yield { kind: "load", offset, length };
  }

  /**
   * The bytes available at `offset` (up to `length`) when they are all loaded, else -1: the
   * common case, checked without starting a generator.
   */
  #loaded(offset: number, length: number): number {
    const v = this.#loader.view;
    const end = Math.min(offset + length, v.size);
    return offset >= v.base && end <= v.base + v.bytes.length ? end - offset : -1;
  }

  *#walkList(list: Children, contexts: string[], depth: number): Generator<Need, void, number> {
    if (depth > MAX_DEPTH) {
      this.#problem(list.start, `boxes nested more than ${MAX_DEPTH} deep`);
      return;
    }
    let pos = list.start, available = list.available, count = 0;
    const max = list.max ?? Infinity;
    const file = list.reset ? list : undefined;
    const ins = this.#ins;
    while (count < max) {
      // A file's boxes are read synchronously; the generators below serve streams only.
      const h = this.#headerNow(pos, available, contexts, file) ??
        (yield* this.#readHeader(pos, available, contexts, file));
      if (h.kind === "stop") {
        if (h.problem) this.#problem(h.problem.offset, h.problem.message);
        break;
      }
      count++;
      let view = this.#viewNow(h, contexts);
      if (view === undefined) view = yield* this.#viewOf(h, contexts);
      if (view === false) break;
      const listed = this.#open(h, view);
      if (listed) {
        for (const _ of listed) yield FLUSH;
      }
      const children = view?.children;
      if (children) {
        const next = children.reset
          ? []
          : children.context === null
          ? contexts
          : [...contexts, children.context];
        yield* this.#walkList(children, next, depth + 1);
      }
      ins.endBox();
      if (++this.#walked % FLUSH_EVERY === 0) yield FLUSH;
      pos += h.size;
      available -= h.size;
    }
  }

  /**
   * {@linkcode #readHeader} without waiting: undefined when the header's bytes (or the end of
   * a stream) must be awaited, before anything is recorded.
   */
  #headerNow(
    pos: number,
    available: number,
    contexts: string[],
    file?: Children,
  ): Header | undefined {
    if (available < 8) return this.#leftover(pos, available, contexts);
    let have = this.#loaded(pos, 40);
    if (have < 0) {
      const got = this.#loader.loadNow(pos, 40);
      if (got === undefined) return undefined;
      have = got;
    }
    if (have < 8) {
      if (have <= 0) return { kind: "stop" };
      return this.#leftover(pos, have, contexts);
    }
    const v = this.#loader.view, i = pos - v.base, b = v.bytes;
    const size32 = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
    if (size32 === 0 && !file && !Number.isFinite(v.size)) return undefined;
    const type = ((b[i + 4] << 24) | (b[i + 5] << 16) | (b[i + 6] << 8) | b[i + 7]) >>> 0;
    this.#checkTopLevel(pos, type, contexts, b, i);
    const end = size32 === 0 ? (file ? file.start + file.available : v.size) : 0;
    return this.#sized(pos, available, have, contexts, type, size32, end, b, i);
  }

  /**
   * A header whose 32-bit size field is `size32` (0: the box runs to `end`; 1: a 64-bit size
   * follows the type), checked and with its codec picked.
   */
  #sized(
    pos: number,
    available: number,
    have: number,
    contexts: string[],
    type: number,
    size32: number,
    end: number,
    b: Uint8Array,
    i: number,
  ): Header {
    let size: number, large = false;
    if (size32 === 0) {
      size = end - pos;
      large = size > 0xffffffff;
    } else if (size32 === 1) {
      const name = fourccPrintable(type); // cached: one string per type
      if (available < 16 || have < 16) {
        return this.#invalid(pos, `truncated 64-bit box header of '${name}' in ${where(contexts)}`);
      }
      const hi = ((b[i + 8] << 24) | (b[i + 9] << 16) | (b[i + 10] << 8) | b[i + 11]) >>> 0;
      const lo = ((b[i + 12] << 24) | (b[i + 13] << 16) | (b[i + 14] << 8) | b[i + 15]) >>> 0;
      size = hi * 0x100000000 + lo;
      if (size < 16) {
        return this.#invalid(pos, `box '${name}' has size ${size}, smaller than its header`);
      }
      large = true;
    } else {
      size = size32;
    }
    return this.#header(pos, available, contexts, type, size, large, have, b, i);
  }

  /** Records bytes that are not ISO BMFF at the top level (once). */
  #checkTopLevel(pos: number, type: number, contexts: string[], b: Uint8Array, i: number): void {
    if (contexts.length === 0 && !this.#badTopLevel && !isTopLevelType(type)) {
      this.#badTopLevel = true;
      const hex = [4, 5, 6, 7].map((k) => hex2(b[i + k])).join(" ");
      this.#problem(pos, `not an ISO BMFF box (type bytes ${hex})`);
    }
  }

  /** Reads the header at `pos` as Bento4's factory does, and picks the codec. */
  *#readHeader(
    pos: number,
    available: number,
    contexts: string[],
    file?: Children,
  ): Generator<Need, Header, number> {
    const loader = this.#loader;
    if (available < 8) return this.#leftover(pos, available, contexts);
    let have = this.#loaded(pos, 40);
    if (have < 0) have = yield* this.#load(pos, 40);
    if (have < 8) {
      if (have <= 0) return { kind: "stop" };
      return this.#leftover(pos, have, contexts);
    }
    const v = loader.view, i = pos - v.base, b = v.bytes;
    const size32 = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
    const type = ((b[i + 4] << 24) | (b[i + 5] << 16) | (b[i + 6] << 8) | b[i + 7]) >>> 0;
    this.#checkTopLevel(pos, type, contexts, b, i);
    let end = 0;
    if (size32 === 0) {
      end = file
        ? file.start + file.available
        : Number.isFinite(loader.view.size)
        ? loader.view.size
        : yield { kind: "end", offset: pos };
    }
    return this.#sized(pos, available, have, contexts, type, size32, end, b, i);
  }

  /** The rest of a header once its size is known: checks it, picks the codec. */
  #header(
    pos: number,
    available: number,
    contexts: string[],
    type: number,
    size: number,
    large: boolean,
    have: number,
    b: Uint8Array,
    i: number,
  ): Header {
    if (size < 8) {
      return this.#invalid(
        pos,
        `box '${fourccPrintable(type)}' has size ${size}, smaller than its 8-byte header`,
      );
    }
    if (size > available) {
      return this.#invalid(
        pos,
        `box '${fourccPrintable(type)}' of size ${size} runs past the end of ` +
          `${where(contexts)} (${available} bytes left)`,
      );
    }
    // one object: the header the walker keeps and the BoxInfo the codec reads
    const h: BoxHeader = {
      kind: "box",
      type,
      key: typeKey(type),
      offset: pos,
      size,
      headerSize: large || size > 0xffffffff ? 16 : 8,
      large,
      codec: null,
      uuid: undefined,
    };
    const context = contexts.length ? contexts[contexts.length - 1] : "";
    const found = codecFor(h.key, context, contexts.length);
    if (found.refusesLarge && large) {
      return this.#invalid(
        pos,
        `box '${fourccPrintable(type)}' has a 64-bit size, which mp4dump does not read here ` +
          "(it stops the list)",
      );
    }
    if (found.uuid) {
      if (have < h.headerSize + 16) {
        return this.#invalid(pos, `truncated header of 'uuid' box in ${where(contexts)}`);
      }
      const at = i + h.headerSize;
      const uuid = b.slice(at, at + 16);
      h.headerSize += 16;
      h.codec = UUID_CODECS.get(uuidName(uuid)) ?? null;
      h.uuid = uuid;
      return h;
    }
    h.codec = found.codec;
    return h;
  }

  #invalid(offset: number, message: string): Header {
    return { kind: "stop", problem: { offset, message } };
  }

  #leftover(pos: number, available: number, contexts: string[]): Header {
    if (available <= 0 || !Number.isFinite(available)) return { kind: "stop" };
    const v = this.#loader.view;
    const i = pos - v.base;
    const left = v.bytes.subarray(Math.max(0, i), Math.max(0, i + available));
    if (contexts.length > 0 && left.length === available && left.every((x) => x === 0)) {
      return { kind: "stop" }; // zero padding at the end of a container
    }
    return this.#invalid(
      pos,
      `truncated box header: ${available} byte${available === 1 ? "" : "s"} left in ` +
        `${where(contexts)}, 8 needed`,
    );
  }

  /** Bytes of a box to load before its codec reads it. */
  #want(h: BoxHeader): number {
    const info = h, codec = h.codec;
    return !codec!.container || info.size <= this.#loadLimit
      ? info.size + SLACK
      : Math.min(info.size, CONTAINER_HEAD) + SLACK;
  }

  /**
   * How to show a box, read without waiting: null for its header alone, false when the list
   * must stop (the data ran out), undefined when its bytes must be awaited.
   */
  #viewNow(h: BoxHeader, contexts: string[]): BoxView | null | false | undefined {
    if (!h.codec) return Number.isFinite(this.#loader.view.size) ? null : undefined;
    const want = this.#want(h);
    let got = this.#loaded(h.offset, want);
    if (got < 0) {
      const now = this.#loader.loadNow(h.offset, want);
      if (now === undefined) return undefined;
      got = now;
    }
    return this.#read(h, contexts, got);
  }

  /** {@linkcode #viewNow}, waiting for the bytes it needs. */
  *#viewOf(h: BoxHeader, contexts: string[]): Generator<Need, BoxView | null | false, number> {
    const info = h;
    if (h.codec) return this.#read(h, contexts, yield* this.#load(info.offset, this.#want(h)));
    if (!Number.isFinite(this.#loader.view.size)) {
      // a stream: make sure the box is whole before showing it
      if ((yield* this.#load(info.offset + info.size - 1, 1)) < 1) {
        this.#problem(
          info.offset,
          `box '${fourccPrintable(info.type)}' runs past the end of the data`,
        );
        return false;
      }
    }
    return null;
  }

  /** Lets the codec read a box whose first `got` bytes are loaded. */
  #read(h: BoxHeader, contexts: string[], got: number): BoxView | null | false {
    const info = h, codec = h.codec;
    const whole = !codec!.container || info.size <= this.#loadLimit;
    if (got < Math.min(info.size, whole ? info.size : CONTAINER_HEAD)) {
      this.#problem(
        info.offset,
        `box '${fourccPrintable(info.type)}' runs past the end of the data`,
      );
      return false;
    }
    const c = new Cursor(this.#loader.view, info.offset + info.headerSize);
    this.#ctx.contexts = contexts;
    return codec!.read(c, h, this.#ctx);
  }

  /**
   * Opens a box in the Inspector and lists its fields; returns what is left to list when its
   * codec lists them a part at a time.
   */
  #open(h: BoxHeader, view: BoxView | null): Iterable<unknown> | undefined {
    const info = h, codec = h.codec;
    const ins = this.#ins;
    if (view === null) {
      // an unknown uuid box shows its UUID; a PIFF box Bento4 could not read shows 'uuid'
      const unknownUuid = h.uuid !== undefined && codec === null;
      const shown = this.#shown;
      shown.name = unknownUuid ? uuidName(h.uuid!) : fourccPrintable(info.type);
      shown.headerSize = unknownUuid
        ? info.headerSize
        : info.large || info.size > 0xffffffff
        ? 16
        : 8;
      shown.size = info.size;
      shown.version = 0;
      shown.flags = 0;
      shown.offset = info.offset;
      ins.startBox(shown);
      return undefined;
    }
    const shown = this.#shown;
    shown.name = view.name ?? (h.uuid ? uuidName(h.uuid) : fourccPrintable(info.type));
    shown.headerSize = view.headerSize ?? info.headerSize;
    shown.size = view.size ?? info.size;
    shown.version = view.version ?? 0;
    shown.flags = view.flags ?? 0;
    shown.offset = info.offset;
    ins.startBox(shown);
    const listed = view.fields?.(ins);
    return listed && typeof listed === "object" ? listed : undefined;
  }

  /** How many boxes a list would yield (headers only; the list must be loaded). */
  #countChildren(list: Children, contexts: readonly string[]): number {
    const v = this.#loader.view;
    const next = list.context === null ? contexts : [...contexts, list.context];
    const context = next.length ? next[next.length - 1] : "";
    let pos = list.start, available = list.available, count = 0;
    const max = list.max ?? Infinity;
    while (count < max && available >= 8) {
      const c = new Cursor(v, pos);
      const size32 = c.u32();
      const type = c.u32();
      if (!c.ok) break;
      let size = size32, large = false;
      if (size32 === 0) {
        size = v.size - pos;
        large = size > 0xffffffff;
      } else if (size32 === 1) {
        if (available < 16) break;
        size = Number(c.u64());
        if (size < 16) break;
        large = true;
      }
      if (size < 8 || size > available) break;
      const found = codecFor(typeKey(type), context, next.length);
      if (found.refusesLarge && large) break;
      if (found.uuid && pos + (large ? 16 : 8) + 16 > v.size) break;
      count++;
      pos += size;
      available -= size;
    }
    return count;
  }
}

/**
 * Walks every box of `src` to `ins`, as mp4dump does; returns the problems found.
 *
 * @param src the bytes
 * @param ins where the boxes go
 * @param options memory bound and flushing
 */
export function walkBoxes(
  src: ByteSource,
  ins: Inspector,
  options: WalkOptions = {},
): Promise<Mp4Problem[]> {
  return new Walker(src, ins, options).walk();
}
