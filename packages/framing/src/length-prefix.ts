import { allocUninitialized, view } from './alloc.js';
import { ByteQueue } from './byte-queue.js';
import type { Codec, CommonCodecOptions, FrameDecoder } from './codec.js';
import { FramingError, FramingUsageError } from './errors.js';
import { asFailure, failedAgain, truncated } from './failure.js';
import { checkInteger, type ResolvedCommonOptions, resolveCommon } from './options.js';
import { MAX_VARINT_BYTES, readVarint, varintLength, writeVarint } from './varint.js';

/** Width of the length field in bytes, or `'varint'` for unsigned LEB128. */
export type LengthWidth = 1 | 2 | 3 | 4 | 8 | 'varint';

/**
 * Options of {@link lengthPrefixed}. The layout follows Netty's `LengthFieldBasedFrameDecoder`:
 *
 * ```
 * | lengthOffset bytes | length field | lengthAdjustment bytes (if > 0) | payload |
 * ```
 *
 * The frame's total size is `lengthOffset + fieldBytes + fieldValue + lengthAdjustment`. A positive
 * adjustment counts header bytes after the field that the value does not include (an HTTP/2 frame is
 * `{ width: 3, lengthAdjustment: 6 }`); a negative one says the value counts bytes before the payload
 * (a 2-byte field that includes itself is `{ width: 2, lengthAdjustment: -2 }`). The payload is
 * `fieldValue + min(0, lengthAdjustment)` bytes.
 */
export interface LengthPrefixedOptions extends CommonCodecOptions {
  /** Length field width. Default 4. */
  width?: LengthWidth;
  /** Byte order of fixed-width fields. Default `'be'` (network order). */
  byteOrder?: 'be' | 'le';
  /** Header bytes before the length field. Default 0, at most 1024. */
  lengthOffset?: number;
  /** Signed compensation added to the field's value to reach the end of the frame. Default 0. */
  lengthAdjustment?: number;
  /** Deliver the payload only (`true`, the default) or the whole frame, header included. */
  stripHeader?: boolean;
}

/** A length-prefixed codec: {@link Codec} plus an `extraHeader` argument for layouts with extra header bytes. */
export interface LengthPrefixedCodec extends Codec {
  /** Bytes of header besides the length field: `lengthOffset + max(0, lengthAdjustment)`. */
  readonly extraHeaderLength: number;
  /**
   * @param extraHeader `extraHeaderLength` bytes: the first `lengthOffset` go before the length field,
   *   the rest after it. Zeros when omitted.
   * @throws {FramingUsageError} `FRAMING_ERR_FRAME_TOO_LARGE`, `FRAMING_ERR_INVALID_PAYLOAD`
   */
  encode(payload: Uint8Array, extraHeader?: Uint8Array): Uint8Array;
  /** Zero-copy form: `[header, payload]`. */
  encodeParts(payload: Uint8Array, extraHeader?: Uint8Array): Uint8Array[];
  /** Bytes of the header of a frame whose payload is `payloadLength` bytes. */
  headerLength(payloadLength: number): number;
  /**
   * Write the header of a frame whose payload is `payloadLength` bytes into `target` at `offset`,
   * for a payload written after it by the caller (in parts, say, or straight into the same buffer).
   * Returns the offset after the header.
   * @throws {FramingUsageError} as {@link LengthPrefixedCodec.encode}
   */
  writeHeader(payloadLength: number, target: Uint8Array, offset: number, extraHeader?: Uint8Array): number;
  decoder(): LengthPrefixedDecoder;
}

/** Largest `lengthOffset`: bounds the bytes a decoder peeks at before it knows a frame's length. */
const MAX_LENGTH_OFFSET = 1024;

interface Layout extends ResolvedCommonOptions {
  width: LengthWidth;
  le: boolean;
  lengthOffset: number;
  lengthAdjustment: number;
  strip: boolean;
  /** Header bytes before the field value is known: offset + field. */
  peekBytes: number;
  /** Largest value the field can carry. */
  fieldMax: number;
  /** Bytes of header after the field. */
  trailing: number;
}

/**
 * A codec that prefixes each payload with its length: the classic answer to TCP's sticky packets.
 *
 * @example
 * const codec = lengthPrefixed({ width: 4 });
 * socket.write(codec.encode(payload));
 * const dec = codec.decoder();
 * socket.on('data', (chunk) => { for (const frame of dec.push(chunk)) handle(frame); });
 * @throws {FramingUsageError} `FRAMING_ERR_INVALID_OPTION` for an option out of range.
 */
export function lengthPrefixed(options: LengthPrefixedOptions = {}): LengthPrefixedCodec {
  const common = resolveCommon(options);
  const width = options.width ?? 4;
  if (![1, 2, 3, 4, 8, 'varint'].includes(width)) {
    throw new FramingUsageError(
      'FRAMING_ERR_INVALID_OPTION',
      `width must be 1, 2, 3, 4, 8 or 'varint', got ${String(width)}`,
    );
  }
  const byteOrder = options.byteOrder ?? 'be';
  if (byteOrder !== 'be' && byteOrder !== 'le') {
    throw new FramingUsageError(
      'FRAMING_ERR_INVALID_OPTION',
      `byteOrder must be 'be' or 'le', got ${String(byteOrder)}`,
    );
  }
  const lengthOffset = options.lengthOffset ?? 0;
  checkInteger('lengthOffset', lengthOffset, 0, MAX_LENGTH_OFFSET);
  const lengthAdjustment = options.lengthAdjustment ?? 0;
  checkInteger('lengthAdjustment', lengthAdjustment, -0xffff, 0xffff);
  const fieldMax = width === 'varint' || width === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * width) - 1;
  const layout: Layout = {
    ...common,
    width,
    le: byteOrder === 'le',
    lengthOffset,
    lengthAdjustment,
    strip: options.stripHeader ?? true,
    peekBytes: lengthOffset + (width === 'varint' ? MAX_VARINT_BYTES : width),
    fieldMax,
    trailing: Math.max(0, lengthAdjustment),
  };
  const extraHeaderLength = lengthOffset + layout.trailing;
  const name = `lengthPrefixed(${String(width)}${width === 'varint' ? '' : byteOrder})`;

  const fieldValue = (payloadLength: number): number => payloadLength - Math.min(0, lengthAdjustment);
  const headerLength = (payloadLength: number): number =>
    extraHeaderLength + (width === 'varint' ? varintLength(fieldValue(payloadLength)) : width);
  const writeHeader = (
    payloadLength: number,
    target: Uint8Array,
    at: number,
    extraHeader?: Uint8Array,
  ): number => {
    const value = fieldValue(payloadLength);
    if (payloadLength > common.maxFrameLength || value > fieldMax) {
      throw new FramingUsageError(
        'FRAMING_ERR_FRAME_TOO_LARGE',
        `${name}: payload of ${payloadLength} bytes exceeds ${Math.min(common.maxFrameLength, fieldMax + Math.min(0, lengthAdjustment))}`,
      );
    }
    if (extraHeader !== undefined && extraHeader.length !== extraHeaderLength) {
      throw new FramingUsageError(
        'FRAMING_ERR_INVALID_PAYLOAD',
        `${name}: extraHeader must be ${extraHeaderLength} bytes, got ${extraHeader.length}`,
      );
    }
    const fieldBytes = width === 'varint' ? varintLength(value) : width;
    // Byte loops: extra headers are a few bytes, and subarray views would cost more than the copy.
    for (let i = 0; i < lengthOffset; i++) target[at + i] = extraHeader === undefined ? 0 : extraHeader[i]!;
    for (let i = lengthOffset; i < extraHeaderLength; i++) {
      target[at + fieldBytes + i] = extraHeader === undefined ? 0 : extraHeader[i]!;
    }
    writeField(layout, value, target, at + lengthOffset);
    return at + extraHeaderLength + fieldBytes;
  };
  const encodeParts = (payload: Uint8Array, extraHeader?: Uint8Array): Uint8Array[] => {
    const header = new Uint8Array(headerLength(payload.length));
    writeHeader(payload.length, header, 0, extraHeader);
    return [header, payload];
  };

  return {
    name,
    maxFrameLength: common.maxFrameLength,
    extraHeaderLength,
    encodeParts,
    headerLength,
    writeHeader,
    encode(payload, extraHeader) {
      const [header, body] = encodeParts(payload, extraHeader) as [Uint8Array, Uint8Array];
      const out = allocUninitialized(header.length + body.length);
      out.set(header, 0);
      out.set(body, header.length);
      return out;
    },
    decoder: () => new LengthPrefixedDecoder(layout, name),
  };
}

function writeField(layout: Layout, value: number, target: Uint8Array, at: number): void {
  const { width, le } = layout;
  if (width === 'varint') {
    writeVarint(value, target, at);
    return;
  }
  if (width === 8) {
    const hi = Math.floor(value / 2 ** 32);
    const lo = value >>> 0;
    writeUint(target, le ? at : at + 4, 4, lo, le);
    writeUint(target, le ? at + 4 : at, 4, hi, le);
    return;
  }
  writeUint(target, at, width, value, le);
}

/** `value` (below 2^32: an 8-byte field is written as two halves) in `width` ≤ 4 bytes. */
function writeUint(target: Uint8Array, at: number, width: number, value: number, le: boolean): void {
  for (let i = 0; i < width; i++) target[le ? at + i : at + width - 1 - i] = (value >>> (8 * i)) & 0xff;
}

const NEED_MORE = -1;

/**
 * Streaming decoder of a {@link lengthPrefixed} codec. Frames inside one chunk are views of its memory;
 * a frame spanning chunks is assembled with one copy of each byte once its last byte arrives, so the
 * decoder holds at most one frame plus one header, and only bytes that actually arrived.
 */
export class LengthPrefixedDecoder implements FrameDecoder {
  readonly #l: Layout;
  readonly #name: string;
  /** Bytes of a frame spanning chunks (made on first need: most decoders never hold any). */
  #queue: ByteQueue | undefined;
  /** Scratch for a header split across chunks (peeked, never part of a frame). */
  #scratch: Uint8Array | undefined;
  /** Header length of the frame being parsed (valid after a successful `#readHeader`). */
  #headerLength = 0;
  /** Total length of the pending frame in the queue, or -1 while its header is incomplete. */
  #total = -1;
  /** Bytes still to drop of a discarded oversize frame. */
  #discard = 0;
  #failed: FramingError | undefined;

  /** @internal use `codec.decoder()` */
  constructor(layout: Layout, name: string) {
    this.#l = layout;
    this.#name = name;
  }

  get buffered(): number {
    return this.#queue?.length ?? 0;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed !== undefined) throw failedAgain(this.#failed);
    const out: Uint8Array[] = [];
    try {
      let pos = 0;
      if (this.#discard > 0) {
        pos = Math.min(this.#discard, chunk.length);
        this.#discard -= pos;
      }
      if (this.#queue !== undefined && this.#queue.length > 0) pos = this.#continuePending(chunk, pos, out);
      const end = chunk.length;
      const l = this.#l;
      const { strip, lengthOffset, trailing, width, le } = l;
      const max = l.maxFrameLength;
      const negative = Math.min(0, l.lengthAdjustment);
      const buffer = chunk.buffer;
      const base = chunk.byteOffset;
      while (pos < end) {
        // Inline reads of the common header shapes; everything else goes through #readHeader.
        const at = pos + lengthOffset;
        let payload = NEED_MORE;
        let headerLength = 0;
        if (width === 'varint') {
          if (at < end && chunk[at]! < 0x80) {
            payload = chunk[at]! + negative;
            headerLength = lengthOffset + 1 + trailing;
          }
        } else if (width === 4 && !le) {
          if (at + 4 <= end) {
            payload =
              chunk[at]! * 0x100_0000 +
              ((chunk[at + 1]! << 16) | (chunk[at + 2]! << 8) | chunk[at + 3]!) +
              negative;
            headerLength = lengthOffset + 4 + trailing;
          }
        } else if (width === 2 && !le) {
          if (at + 2 <= end) {
            payload = ((chunk[at]! << 8) | chunk[at + 1]!) + negative;
            headerLength = lengthOffset + 2 + trailing;
          }
        }
        if (payload < 0) {
          payload = this.#readHeader(chunk, pos, end);
          if (payload === NEED_MORE) {
            this.#held().push(view(chunk, pos, end));
            break;
          }
          headerLength = this.#headerLength;
        }
        const total = headerLength + payload;
        if (payload > max) {
          this.#headerLength = headerLength;
          pos += this.#startDiscard(payload, total, end - pos);
          continue;
        }
        if (end - pos < total) {
          this.#headerLength = headerLength;
          this.#total = total;
          this.#held().push(view(chunk, pos, end));
          break;
        }
        // A view of the chunk (see `view` for why not `subarray`), built inline on the hottest path.
        const start = strip ? pos + headerLength : pos;
        out.push(new Uint8Array(buffer, base + start, pos + total - start));
        pos += total;
      }
    } catch (err) {
      this.#fail(err, out);
    }
    return out;
  }

  end(): void {
    if (this.#failed !== undefined) throw failedAgain(this.#failed);
    const held = this.#queue?.length ?? 0;
    if (held > 0 || this.#discard > 0) {
      this.#fail(
        truncated(
          this.#name,
          `a frame (${held} bytes buffered${this.#total >= 0 ? ` of ${this.#total}` : ''})`,
        ),
        [],
      );
    }
  }

  /** Feed bytes of `chunk` from `pos` into the frame pending in the queue; return the new position. */
  #continuePending(chunk: Uint8Array, pos: number, out: Uint8Array[]): number {
    const q = this.#held();
    if (this.#total < 0) {
      const held = q.length;
      const n = Math.min(this.#l.peekBytes - held, chunk.length - pos);
      this.#scratch ??= new Uint8Array(this.#l.peekBytes);
      const scratch = this.#scratch;
      q.peekInto(scratch, held);
      scratch.set(chunk.subarray(pos, pos + n), held);
      const payload = this.#readHeader(scratch, 0, held + n);
      if (payload === NEED_MORE) {
        q.push(view(chunk, pos, chunk.length));
        return chunk.length;
      }
      const total = this.#headerLength + payload;
      if (payload > this.#l.maxFrameLength) {
        // `held` bytes of this frame came in earlier chunks and are dropped now.
        q.clear();
        return pos + this.#startDiscard(payload, total - held, chunk.length - pos);
      }
      this.#total = total;
    }
    const need = this.#total - q.length;
    if (chunk.length - pos < need) {
      q.push(view(chunk, pos, chunk.length));
      return chunk.length;
    }
    q.push(view(chunk, pos, pos + need));
    if (this.#l.strip) q.skip(this.#headerLength);
    out.push(q.take(q.length));
    this.#total = -1;
    return pos + need;
  }

  /** Begin dropping an oversize frame; return how many bytes of the current chunk it covers. */
  #startDiscard(payload: number, total: number, available: number): number {
    if (this.#l.oversize === 'error') {
      throw new FramingError(
        'FRAMING_ERR_FRAME_TOO_LARGE',
        `${this.#name}: frame payload of ${payload} bytes exceeds maxFrameLength ${this.#l.maxFrameLength}`,
      );
    }
    this.#l.onDiscard?.(payload);
    const drop = Math.min(total, available);
    this.#discard = total - drop;
    return drop;
  }

  /**
   * Parse the header at `bytes[start, end)`: return the payload length and set `#headerLength`, or
   * return NEED_MORE. Throws for a malformed length, and — in error mode — for an oversize one as soon
   * as the field shows it.
   */
  #readHeader(bytes: Uint8Array, start: number, end: number): number {
    const l = this.#l;
    const at = start + l.lengthOffset;
    let value: number;
    let fieldBytes: number;
    const w = l.width;
    if (w === 'varint') {
      if (at >= end) return NEED_MORE;
      const first = bytes[at]!;
      if (first < 0x80) {
        // One-byte varint: the common case for small frames, read without a call or an allocation.
        value = first;
        fieldBytes = 1;
      } else {
        // In error mode the varint reader stops at the first byte that proves the value too large.
        const limit =
          l.oversize === 'error'
            ? l.maxFrameLength - Math.min(0, l.lengthAdjustment)
            : Number.MAX_SAFE_INTEGER;
        let r: ReturnType<typeof readVarint>;
        try {
          r = readVarint(bytes, at, end, limit);
        } catch (err) {
          if (err instanceof FramingError) throw new FramingError(err.code, `${this.#name}: ${err.message}`);
          throw err;
        }
        if (r === undefined) return NEED_MORE;
        value = r.value;
        fieldBytes = r.bytes;
      }
    } else {
      if (end - at < w) return NEED_MORE;
      fieldBytes = w;
      if (w === 8) {
        const hi = readUint(bytes, l.le ? at + 4 : at, 4, l.le);
        const lo = readUint(bytes, l.le ? at : at + 4, 4, l.le);
        if (hi >= 0x20_0000) {
          throw new FramingError('FRAMING_ERR_FRAME_TOO_LARGE', `${this.#name}: 64-bit length beyond 2^53`);
        }
        value = hi * 2 ** 32 + lo;
      } else value = readUint(bytes, at, w, l.le);
    }
    const payload = value + Math.min(0, l.lengthAdjustment);
    if (payload < 0) {
      throw new FramingError(
        'FRAMING_ERR_INVALID_LENGTH',
        `${this.#name}: length ${value} with adjustment ${l.lengthAdjustment} leaves a negative payload`,
      );
    }
    this.#headerLength = l.lengthOffset + fieldBytes + l.trailing;
    return payload;
  }

  #held(): ByteQueue {
    this.#queue ??= new ByteQueue();
    return this.#queue;
  }

  #fail(err: unknown, frames: Uint8Array[]): never {
    this.#queue?.clear();
    this.#discard = 0;
    this.#total = -1;
    this.#failed = asFailure(err, this.#name, frames);
    throw this.#failed;
  }
}

function readUint(bytes: Uint8Array, at: number, width: number, le: boolean): number {
  switch (width) {
    case 1:
      return bytes[at]!;
    case 2:
      return le ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
    case 4:
      // Multiply the top byte instead of shifting it: `<< 24` would go negative above 2^31.
      return le
        ? bytes[at + 3]! * 0x100_0000 + ((bytes[at + 2]! << 16) | (bytes[at + 1]! << 8) | bytes[at]!)
        : bytes[at]! * 0x100_0000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
    default: {
      let v = 0;
      for (let i = 0; i < width; i++) v = v * 256 + bytes[le ? at + width - 1 - i : at + i]!;
      return v;
    }
  }
}
