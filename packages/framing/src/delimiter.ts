import { allocUninitialized, view } from './alloc.js';
import { ByteQueue } from './byte-queue.js';
import type { Codec, CommonCodecOptions, FrameDecoder } from './codec.js';
import { FramingError, FramingUsageError } from './errors.js';
import { asFailure, failedAgain, truncated } from './failure.js';
import { type ResolvedCommonOptions, resolveCommon } from './options.js';
import { suffixCodec } from './suffix-codec.js';

/** A delimiter as text (UTF-8 encoded) or bytes. */
export type Delimiter = string | Uint8Array;

/** Options of {@link delimited}. */
export interface DelimitedOptions extends CommonCodecOptions {
  /**
   * One delimiter or several. With several, the one that ends the shortest frame wins (at one start
   * position, the longest delimiter). `encode` appends the first, which must not be a proper prefix
   * of another (a decoder could not tell where it ends). At most 16 delimiters of 1 to 64 bytes.
   */
  delimiter: Delimiter | readonly Delimiter[];
  /** Deliver frames without their delimiter (`true`, the default) or with it. */
  stripDelimiter?: boolean;
}

/** Most delimiters one codec accepts. */
const MAX_DELIMITERS = 16;
/** Longest delimiter: bounds the bytes peeked across a chunk boundary. */
const MAX_DELIMITER_LENGTH = 64;

const NONE = -1;
/** A partial delimiter runs off the end of the data: the frame end cannot be decided yet. */
const WAIT = -2;

interface Spec extends ResolvedCommonOptions {
  delimiters: Uint8Array[];
  /** The delimiter byte when there is exactly one one-byte delimiter (a plain `indexOf` scan), else -1. */
  single: number;
  /** Longest delimiter length. */
  longest: number;
  strip: boolean;
}

const utf8 = new TextEncoder();

/**
 * A codec that ends each frame with a delimiter (`\r\n`, `\0`, ...). The decoder's scan resumes where
 * it stopped: its cost is linear in the input however long a line grows.
 * @throws {FramingUsageError} `FRAMING_ERR_INVALID_OPTION` for a bad delimiter or limit.
 */
export function delimited(options: DelimitedOptions): Codec {
  const common = resolveCommon(options);
  const list = (Array.isArray(options.delimiter) ? options.delimiter : [options.delimiter]) as Delimiter[];
  if (list.length === 0 || list.length > MAX_DELIMITERS) {
    throw new FramingUsageError(
      'FRAMING_ERR_INVALID_OPTION',
      `between 1 and ${MAX_DELIMITERS} delimiters required`,
    );
  }
  const delimiters = list.map((d) => (typeof d === 'string' ? utf8.encode(d) : d.slice()));
  for (const d of delimiters) {
    if (d.length === 0 || d.length > MAX_DELIMITER_LENGTH) {
      throw new FramingUsageError(
        'FRAMING_ERR_INVALID_OPTION',
        `a delimiter must be 1 to ${MAX_DELIMITER_LENGTH} bytes, got ${d.length}`,
      );
    }
  }
  const first = delimiters[0]!;
  if (delimiters.some((d) => d.length > first.length && isPrefixOf(first, d))) {
    throw new FramingUsageError(
      'FRAMING_ERR_INVALID_OPTION',
      'the first delimiter (the one encode appends) is a proper prefix of another delimiter',
    );
  }
  const spec: Spec = {
    ...common,
    delimiters,
    single: delimiters.length === 1 && first.length === 1 ? first[0]! : -1,
    longest: Math.max(...delimiters.map((d) => d.length)),
    strip: options.stripDelimiter ?? true,
  };
  const name = `delimited(${delimiters.length === 1 ? JSON.stringify(new TextDecoder().decode(first)) : `${delimiters.length} delimiters`})`;

  const check = (payload: Uint8Array) => {
    if (payload.length > common.maxFrameLength) {
      throw new FramingUsageError(
        'FRAMING_ERR_FRAME_TOO_LARGE',
        `${name}: payload of ${payload.length} bytes exceeds maxFrameLength ${common.maxFrameLength}`,
      );
    }
    // The frame must end exactly at the appended delimiter: no delimiter inside the payload, and
    // none formed by the payload's last bytes together with the delimiter.
    const boundary = Math.max(0, payload.length - spec.longest + 1);
    const inside = findEarliest(payload, 0, payload.length, spec, true, undefined);
    const tail = concat2(payload.subarray(boundary), first);
    const across = findEarliest(tail, 0, tail.length, spec, true, undefined);
    if (inside !== NONE || decodePos(across) !== payload.length - boundary) {
      throw new FramingUsageError('FRAMING_ERR_INVALID_PAYLOAD', `${name}: payload contains a delimiter`);
    }
  };

  return suffixCodec(name, common.maxFrameLength, first, check, () => new DelimitedDecoder(spec, name));
}

/**
 * Streaming decoder of {@link delimited}. Frames inside a chunk are views of its memory; a frame that
 * spans chunks is assembled with one copy of each byte when its delimiter arrives. Holds at most
 * `maxFrameLength + longest delimiter - 1` bytes.
 */
export class DelimitedDecoder implements FrameDecoder {
  readonly #s: Spec;
  readonly #name: string;
  /** Bytes of the current, unterminated frame. */
  readonly #queue = new ByteQueue();
  /** The last `longest - 1` bytes of held (or discarded) data, to find delimiters across chunks. */
  readonly #tail: Uint8Array;
  #tailLength = 0;
  /** Scratch: tail + the start of the next chunk. */
  readonly #window: Uint8Array;
  /** Per delimiter, its next occurrence in the chunk being scanned (keeps multi-delimiter scans linear). */
  readonly #cache: ScanCache;
  /** Discarding an oversize frame: bytes dropped so far, or -1 when not discarding. */
  #discarded = -1;
  #failed: FramingError | undefined;

  /** @internal use `codec.decoder()` */
  constructor(spec: Spec, name: string) {
    this.#s = spec;
    this.#name = name;
    this.#tail = new Uint8Array(spec.longest - 1);
    this.#window = new Uint8Array(2 * (spec.longest - 1));
    this.#cache = { chunk: undefined, from: [], at: [] };
  }

  get buffered(): number {
    return this.#queue.length;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed !== undefined) throw failedAgain(this.#failed);
    const out: Uint8Array[] = [];
    try {
      let pos = 0;
      while (this.#tailLength > 0) {
        const r = this.#acrossBoundary(chunk, out);
        if (r === WAIT) {
          this.#hold(chunk, 0);
          return out;
        }
        if (r === NONE) break;
        pos = r;
      }
      const s = this.#s;
      const cache = this.#cache;
      const buffer = chunk.buffer;
      const base = chunk.byteOffset;
      cache.chunk = chunk;
      cache.from.length = 0;
      cache.at.length = 0;
      while (pos < chunk.length) {
        const found = findEarliest(chunk, pos, chunk.length, s, false, cache);
        if (found === NONE || found === WAIT) {
          this.#hold(chunk, pos);
          break;
        }
        const at = decodePos(found);
        const end = at + decodeLen(found);
        const frameLength = this.#queue.length + (at - pos);
        if (this.#discarded >= 0) {
          this.#finishDiscard(frameLength);
        } else if (frameLength > s.maxFrameLength) {
          this.#queue.clear();
          this.#drop(frameLength);
        } else if (this.#queue.length === 0) {
          out.push(new Uint8Array(buffer, base + pos, (s.strip ? at : end) - pos));
        } else {
          this.#queue.push(view(chunk, pos, s.strip ? at : end));
          out.push(this.#queue.take(this.#queue.length));
        }
        this.#tailLength = 0;
        pos = end;
      }
      cache.chunk = undefined;
    } catch (err) {
      this.#queue.clear();
      this.#tailLength = 0;
      this.#cache.chunk = undefined;
      this.#failed = asFailure(err, this.#name, out);
      throw this.#failed;
    }
    return out;
  }

  end(): void {
    if (this.#failed !== undefined) throw failedAgain(this.#failed);
    if (this.#queue.length > 0 || this.#discarded >= 0) {
      this.#failed = truncated(this.#name, `an unterminated frame (${this.#queue.length} bytes buffered)`);
      this.#queue.clear();
      throw this.#failed;
    }
  }

  /**
   * Look for a delimiter that starts in the tail of the held data. Returns NONE, WAIT (`chunk` is too
   * short to decide), or the position in `chunk` just after the delimiter. When the delimiter lies
   * wholly inside the tail (a wait that this chunk resolved), the held bytes after it become the new
   * tail and the caller looks again.
   */
  #acrossBoundary(chunk: Uint8Array, out: Uint8Array[]): number {
    const t = this.#tailLength;
    const w = this.#window;
    w.set(this.#tail.subarray(0, t), 0);
    const fromChunk = Math.min(chunk.length, this.#s.longest - 1);
    w.set(chunk.subarray(0, fromChunk), t);
    const complete = fromChunk === this.#s.longest - 1;
    const found = findEarliest(w.subarray(0, t + fromChunk), 0, t, this.#s, complete, undefined);
    if (found === WAIT || found === NONE) return found;
    const at = decodePos(found);
    const len = decodeLen(found);
    const heldFromMatch = t - at; // held bytes from the delimiter's start on
    const delimiterInHeld = Math.min(len, heldFromMatch);
    const afterInChunk = len - delimiterInHeld;
    const q = this.#queue;
    const frameLength = q.length - heldFromMatch;
    if (this.#discarded >= 0) {
      // Nothing is queued while discarding: the bytes after the delimiter are copied from the tail.
      this.#finishDiscard(frameLength);
      const rest = heldFromMatch - delimiterInHeld;
      if (rest > 0) q.push(this.#tail.slice(t - rest, t));
    } else if (frameLength > this.#s.maxFrameLength) {
      q.skip(q.length - (heldFromMatch - delimiterInHeld));
      this.#drop(frameLength);
    } else if (this.#s.strip) {
      out.push(q.take(frameLength));
      q.skip(delimiterInHeld);
    } else {
      q.push(view(chunk, 0, afterInChunk));
      out.push(q.take(frameLength + len));
    }
    // Held bytes after a delimiter that ended inside the tail start the next frame.
    const rest = heldFromMatch - delimiterInHeld;
    this.#tail.copyWithin(0, t - rest, t);
    this.#tailLength = rest;
    return afterInChunk;
  }

  /** Keep `chunk[pos..]` as the start of an unterminated frame, enforcing the limit. */
  #hold(chunk: Uint8Array, pos: number): void {
    const piece = view(chunk, pos, chunk.length);
    if (piece.length === 0) return;
    this.#remember(piece);
    if (this.#discarded >= 0) {
      this.#discarded += piece.length;
      return;
    }
    this.#queue.push(piece);
    // The last `longest - 1` held bytes may start a delimiter; anything before them is frame content.
    const minimumFrame = this.#queue.length - (this.#s.longest - 1);
    if (minimumFrame > this.#s.maxFrameLength) {
      const dropped = this.#queue.length;
      this.#queue.clear();
      this.#refuse(minimumFrame);
      this.#discarded = dropped;
    }
  }

  /** Record the last bytes seen, for delimiters that straddle the next chunk boundary. */
  #remember(piece: Uint8Array): void {
    const keep = this.#s.longest - 1;
    if (keep === 0) return;
    if (piece.length >= keep) {
      this.#tail.set(piece.subarray(piece.length - keep));
      this.#tailLength = keep;
      return;
    }
    const total = Math.min(keep, this.#tailLength + piece.length);
    const fromOld = total - piece.length;
    this.#tail.copyWithin(0, this.#tailLength - fromOld, this.#tailLength);
    this.#tail.set(piece, fromOld);
    this.#tailLength = total;
  }

  /** A complete oversize frame of `length` bytes: throw, or in discard mode report it dropped. */
  #drop(length: number): void {
    this.#refuse(length);
    this.#s.onDiscard?.(length);
  }

  /** In error mode, throw for a frame of at least `length` bytes; in discard mode, return. */
  #refuse(length: number): void {
    if (this.#s.oversize === 'error') {
      throw new FramingError(
        'FRAMING_ERR_FRAME_TOO_LARGE',
        `${this.#name}: frame of at least ${length} bytes exceeds maxFrameLength ${this.#s.maxFrameLength}`,
      );
    }
  }

  /** The delimiter ending a frame being discarded arrived: report the whole frame's size. */
  #finishDiscard(extra: number): void {
    this.#s.onDiscard?.(this.#discarded + extra);
    this.#discarded = -1;
  }
}

/** Pack a match as one number: position * 128 + length (length <= 64). */
function encodeMatch(pos: number, len: number): number {
  return pos * 128 + len;
}
function decodePos(m: number): number {
  return Math.floor(m / 128);
}
function decodeLen(m: number): number {
  return m % 128;
}

/** Next-occurrence cache for one chunk: per delimiter, where the last search started and what it found. */
interface ScanCache {
  chunk: Uint8Array | undefined;
  from: number[];
  at: number[];
}

/**
 * The earliest delimiter starting in `buf[from, startLimit)` (longest at a tie), as an encoded match;
 * NONE; or, unless `complete`, WAIT when a delimiter could still start at or before that position but
 * runs off the end of `buf`. With a cache, each delimiter's occurrences are searched once per chunk.
 */
function findEarliest(
  buf: Uint8Array,
  from: number,
  startLimit: number,
  s: Spec,
  complete: boolean,
  cache: ScanCache | undefined,
): number {
  if (s.single >= 0) {
    // One one-byte delimiter: nothing can straddle, wait or tie.
    const p = buf.indexOf(s.single, from);
    return p < 0 || p >= startLimit ? NONE : encodeMatch(p, 1);
  }
  let bestPos = Number.POSITIVE_INFINITY;
  let bestLen = 0;
  const ds = s.delimiters;
  for (let i = 0; i < ds.length; i++) {
    const d = ds[i]!;
    let p: number;
    if (cache === undefined) {
      p = indexOfSequence(buf, d, from, startLimit);
    } else {
      const cachedFrom = cache.from[i];
      const cachedAt = cache.at[i]!;
      if (cachedFrom !== undefined && cachedFrom <= from && (cachedAt < 0 || cachedAt >= from)) {
        p = cachedAt;
      } else {
        p = indexOfSequence(buf, d, from, buf.length);
        cache.from[i] = from;
        cache.at[i] = p;
      }
      if (p >= startLimit) p = -1;
    }
    if (p < 0) continue;
    if (p < bestPos || (p === bestPos && d.length > bestLen)) {
      bestPos = p;
      bestLen = d.length;
    }
  }
  if (!complete) {
    // A partial match at q <= bestPos that runs off the end could still become an earlier or longer one.
    const lastStart = Math.min(bestPos, startLimit - 1);
    for (let q = Math.max(from, buf.length - s.longest + 1); q <= lastStart; q++) {
      for (const d of ds) {
        if (q + d.length > buf.length && isPrefixOf(buf.subarray(q), d)) return WAIT;
      }
    }
  }
  return bestPos === Number.POSITIVE_INFINITY ? NONE : encodeMatch(bestPos, bestLen);
}

/** First index in [from, startLimit) where `needle` occurs completely in `buf`, or -1. */
function indexOfSequence(buf: Uint8Array, needle: Uint8Array, from: number, startLimit: number): number {
  const first = needle[0]!;
  const n = needle.length;
  let i = buf.indexOf(first, from);
  while (i >= 0 && i < startLimit) {
    if (i + n > buf.length) return -1;
    let k = 1;
    while (k < n && buf[i + k] === needle[k]) k++;
    if (k === n) return i;
    i = buf.indexOf(first, i + 1);
  }
  return -1;
}

/** True when `part` equals the first `part.length` bytes of `whole`. */
function isPrefixOf(part: Uint8Array, whole: Uint8Array): boolean {
  if (part.length > whole.length) return false;
  for (let i = 0; i < part.length; i++) if (part[i] !== whole[i]) return false;
  return true;
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = allocUninitialized(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
