import { view } from './alloc.js';
import { ByteQueue } from './byte-queue.js';
import type { Codec, CommonCodecOptions, FrameDecoder } from './codec.js';
import { FramingError, FramingUsageError } from './errors.js';
import { asFailure, failedAgain, truncated } from './failure.js';
import { type ResolvedCommonOptions, resolveCommon } from './options.js';
import { suffixCodec } from './suffix-codec.js';

const LF = 0x0a;
const CR = 0x0d;

/** Options of {@link lines}. */
export interface LinesOptions extends CommonCodecOptions {
  /**
   * CRLF only. A bare LF (not preceded by CR) is rejected with `FRAMING_ERR_BARE_LF` instead of being
   * taken as a line end: accepting it is how SMTP smuggling works. Default `false` (LF or CRLF).
   */
  strict?: boolean;
  /** Line ending `encode` appends. Default `'\r\n'`; `'\n'` is allowed unless `strict`. */
  eol?: '\r\n' | '\n';
  /** Deliver lines without their ending (`true`, the default) or with it. */
  stripDelimiter?: boolean;
}

interface LineSpec extends ResolvedCommonOptions {
  strict: boolean;
  strip: boolean;
}

/**
 * Text lines as frames. Lenient mode ends a line at LF and drops one CR before it; strict mode ends
 * lines at CRLF only and rejects a bare LF as soon as it arrives. `maxFrameLength` bounds the line
 * without its ending.
 * @throws {FramingUsageError} `FRAMING_ERR_INVALID_OPTION`
 */
export function lines(options: LinesOptions = {}): Codec {
  const common = resolveCommon(options);
  const strict = options.strict ?? false;
  const eol = options.eol ?? '\r\n';
  if (eol !== '\r\n' && eol !== '\n') {
    throw new FramingUsageError('FRAMING_ERR_INVALID_OPTION', `eol must be '\\r\\n' or '\\n'`);
  }
  if (strict && eol !== '\r\n') {
    throw new FramingUsageError(
      'FRAMING_ERR_INVALID_OPTION',
      'strict lines end with CRLF: eol must be "\\r\\n"',
    );
  }
  const spec: LineSpec = { ...common, strict, strip: options.stripDelimiter ?? true };
  const name = `lines(${strict ? 'strict' : 'lenient'})`;
  const ending = eol === '\r\n' ? new Uint8Array([CR, LF]) : new Uint8Array([LF]);

  const check = (payload: Uint8Array) => {
    if (payload.length > common.maxFrameLength) {
      throw new FramingUsageError(
        'FRAMING_ERR_FRAME_TOO_LARGE',
        `${name}: line of ${payload.length} bytes exceeds maxFrameLength ${common.maxFrameLength}`,
      );
    }
    if (payload.indexOf(LF) !== -1) {
      throw new FramingUsageError('FRAMING_ERR_INVALID_PAYLOAD', `${name}: a line cannot contain LF`);
    }
    if (eol === '\n' && payload.length > 0 && payload[payload.length - 1] === CR) {
      throw new FramingUsageError(
        'FRAMING_ERR_INVALID_PAYLOAD',
        `${name}: a line ending in CR needs eol '\\r\\n'`,
      );
    }
  };

  return suffixCodec(name, common.maxFrameLength, ending, check, () => new LinesDecoder(spec, name));
}

/**
 * Streaming decoder of {@link lines}: one native `indexOf` scan for LF per line, resumed where it
 * stopped; the byte before each LF decides CRLF vs bare LF. Lines inside a chunk are views of it.
 * Holds at most `maxFrameLength + 1` bytes (a full line and its CR).
 */
export class LinesDecoder implements FrameDecoder {
  readonly #s: LineSpec;
  readonly #name: string;
  readonly #queue = new ByteQueue();
  /** Last byte held (for a CR just before a chunk boundary), or -1. */
  #lastHeld = -1;
  /** Discarding an overlong line: bytes dropped so far, or -1. */
  #discarded = -1;
  #failed: FramingError | undefined;

  /** @internal use `codec.decoder()` */
  constructor(spec: LineSpec, name: string) {
    this.#s = spec;
    this.#name = name;
  }

  get buffered(): number {
    return this.#queue.length;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed !== undefined) throw failedAgain(this.#failed);
    const out: Uint8Array[] = [];
    const { strict, strip, maxFrameLength } = this.#s;
    let pos = 0;
    // Hoisted once per chunk: reading `.buffer` per line costs as much as the rest of the loop.
    const buffer = chunk.buffer;
    const base = chunk.byteOffset;
    try {
      if (this.#queue.length > 0 || this.#discarded >= 0) {
        pos = this.#finishHeld(chunk, out);
        if (pos < 0) return out;
      }
      // Hot loop: no held bytes, so each line lies inside this chunk.
      for (;;) {
        const lf = chunk.indexOf(LF, pos);
        if (lf < 0) break;
        const cr = lf > pos && chunk[lf - 1] === CR;
        if (strict && !cr)
          throw new FramingError('FRAMING_ERR_BARE_LF', `${this.#name}: bare LF ends no line`);
        const stop = cr ? lf - 1 : lf;
        if (stop - pos > maxFrameLength) {
          this.#refuse(stop - pos);
          this.#s.onDiscard?.(stop - pos);
        } else {
          out.push(new Uint8Array(buffer, base + pos, (strip ? stop : lf + 1) - pos));
        }
        pos = lf + 1;
      }
      this.#hold(chunk, pos);
    } catch (err) {
      this.#queue.clear();
      this.#failed = asFailure(err, this.#name, out);
      throw this.#failed;
    }
    return out;
  }

  /**
   * Complete the line held from earlier chunks (or the one being discarded) with the first LF of
   * `chunk`. Returns the position after that LF, or -1 when `chunk` has none (it was held).
   */
  #finishHeld(chunk: Uint8Array, out: Uint8Array[]): number {
    const s = this.#s;
    const q = this.#queue;
    const lf = chunk.indexOf(LF);
    if (lf < 0) {
      this.#hold(chunk, 0);
      return -1;
    }
    const cr = lf > 0 ? chunk[lf - 1] === CR : this.#lastHeld === CR;
    if (s.strict && !cr) throw new FramingError('FRAMING_ERR_BARE_LF', `${this.#name}: bare LF ends no line`);
    const content = q.length + lf - (cr ? 1 : 0);
    if (this.#discarded >= 0) {
      s.onDiscard?.(this.#discarded + content - q.length);
      this.#discarded = -1;
    } else if (content > s.maxFrameLength) {
      this.#refuse(content);
      q.clear();
      s.onDiscard?.(content);
    } else if (s.strip) {
      q.push(view(chunk, 0, lf));
      const line = q.take(content);
      q.clear();
      out.push(line);
    } else {
      q.push(view(chunk, 0, lf + 1));
      out.push(q.take(q.length));
    }
    this.#lastHeld = -1;
    return lf + 1;
  }

  end(): void {
    if (this.#failed !== undefined) throw failedAgain(this.#failed);
    if (this.#queue.length > 0 || this.#discarded >= 0) {
      this.#failed = truncated(this.#name, `an unterminated line (${this.#queue.length} bytes buffered)`);
      this.#queue.clear();
      throw this.#failed;
    }
  }

  /** Keep `chunk[pos..]` as the start of an unterminated line, enforcing the limit. */
  #hold(chunk: Uint8Array, pos: number): void {
    if (pos === chunk.length) return;
    // Only the last byte matters (a CR that the next chunk's LF completes).
    this.#lastHeld = chunk[chunk.length - 1]!;
    if (this.#discarded >= 0) {
      this.#discarded += chunk.length - pos;
      return;
    }
    this.#queue.push(view(chunk, pos, chunk.length));
    // A held line may still end with CR before its LF: content is at least held - 1 bytes.
    const minimum = this.#queue.length - 1;
    if (minimum > this.#s.maxFrameLength) {
      this.#refuse(minimum);
      this.#discarded = this.#queue.length;
      this.#queue.clear();
    }
  }

  #refuse(length: number): void {
    if (this.#s.oversize === 'error') {
      throw new FramingError(
        'FRAMING_ERR_FRAME_TOO_LARGE',
        `${this.#name}: line of at least ${length} bytes exceeds maxFrameLength ${this.#s.maxFrameLength}`,
      );
    }
  }
}
