import type { Codec, CommonCodecOptions, FrameDecoder } from './codec.js';
import { type DelimitedDecoder, delimited } from './delimiter.js';
import { FramingError, FramingUsageError } from './errors.js';
import { failedAgain } from './length-prefix.js';
import { resolveCommon } from './options.js';

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

/**
 * Text lines as frames. Lenient mode ends a line at LF and drops one CR before it; strict mode ends
 * lines at CRLF only and rejects a bare LF. `maxFrameLength` bounds the line without its ending.
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
  const strip = options.stripDelimiter ?? true;
  const name = `lines(${strict ? 'strict' : 'lenient'})`;
  // Lenient mode splits at LF; the CR before it counts against the limit, so allow one more byte.
  const inner = delimited({
    delimiter: strict ? '\r\n' : '\n',
    stripDelimiter: false,
    maxFrameLength: strict ? common.maxFrameLength : Math.min(common.maxFrameLength + 1, 0xffff_ffff),
    oversize: common.oversize,
    ...(common.onDiscard === undefined ? {} : { onDiscard: common.onDiscard }),
  });
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

  return {
    name,
    maxFrameLength: common.maxFrameLength,
    encode(payload) {
      check(payload);
      const out = new Uint8Array(payload.length + ending.length);
      out.set(payload, 0);
      out.set(ending, payload.length);
      return out;
    },
    encodeParts(payload) {
      check(payload);
      return [payload, ending];
    },
    decoder: () =>
      new LinesDecoder(
        inner.decoder() as DelimitedDecoder,
        strict,
        strip,
        common.maxFrameLength,
        name,
        common.oversize === 'discard' ? (common.onDiscard ?? (() => {})) : undefined,
      ),
  };
}

/** Streaming decoder of {@link lines}: a delimited decoder plus line-ending rules. */
export class LinesDecoder implements FrameDecoder {
  readonly #inner: DelimitedDecoder;
  readonly #strict: boolean;
  readonly #strip: boolean;
  readonly #max: number;
  readonly #name: string;
  readonly #onDiscard: ((length: number) => void) | undefined;
  #failed: FramingError | undefined;

  /** @internal use `codec.decoder()` */
  constructor(
    inner: DelimitedDecoder,
    strict: boolean,
    strip: boolean,
    max: number,
    name: string,
    onDiscard: ((length: number) => void) | undefined,
  ) {
    this.#inner = inner;
    this.#strict = strict;
    this.#strip = strip;
    this.#max = max;
    this.#name = name;
    this.#onDiscard = onDiscard;
  }

  get buffered(): number {
    return this.#failed === undefined ? this.#inner.buffered : 0;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed !== undefined) throw failedAgain(this.#failed);
    let raw: Uint8Array[];
    let innerError: FramingError | undefined;
    try {
      raw = this.#inner.push(chunk);
    } catch (err) {
      innerError = err as FramingError;
      raw = [...innerError.frames];
    }
    const out: Uint8Array[] = [];
    try {
      for (const line of raw) {
        const mapped = this.#line(line);
        if (mapped !== undefined) out.push(mapped);
      }
    } catch (err) {
      this.#failed = new FramingError((err as FramingError).code, (err as Error).message, { frames: out });
      throw this.#failed;
    }
    if (innerError !== undefined) {
      this.#failed = new FramingError(innerError.code, innerError.message, {
        frames: out,
        cause: innerError.cause,
      });
      throw this.#failed;
    }
    return out;
  }

  end(): void {
    if (this.#failed !== undefined) throw failedAgain(this.#failed);
    try {
      this.#inner.end();
    } catch (err) {
      this.#failed = err as FramingError;
      throw err;
    }
  }

  /** Apply the line-ending rules to one raw frame (which still carries its ending). */
  #line(raw: Uint8Array): Uint8Array | undefined {
    // Strict frames end in CRLF, lenient ones in LF with an optional CR before it.
    const endingLength = this.#strict ? 2 : raw.length >= 2 && raw[raw.length - 2] === CR ? 2 : 1;
    const content = raw.subarray(0, raw.length - endingLength);
    if (this.#strict && content.indexOf(LF) !== -1) {
      throw new FramingError('FRAMING_ERR_BARE_LF', `${this.#name}: bare LF inside a line`);
    }
    if (content.length > this.#max) {
      if (this.#onDiscard === undefined) {
        throw new FramingError(
          'FRAMING_ERR_FRAME_TOO_LARGE',
          `${this.#name}: line of ${content.length} bytes exceeds maxFrameLength ${this.#max}`,
        );
      }
      this.#onDiscard(content.length);
      return undefined;
    }
    return this.#strip ? content : raw;
  }
}
