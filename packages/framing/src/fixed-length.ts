import { view } from './alloc.js';
import { ByteQueue } from './byte-queue.js';
import type { Codec, FrameDecoder } from './codec.js';
import { type FramingError, FramingUsageError } from './errors.js';
import { failedAgain, truncated } from './failure.js';
import { checkInteger } from './options.js';

/**
 * A codec whose frames all have exactly `size` bytes and no header: encode checks the size,
 * decode cuts the stream every `size` bytes.
 * @throws {FramingUsageError} `FRAMING_ERR_INVALID_OPTION` unless 1 <= size <= 2^32 - 1.
 */
export function fixedLength(size: number): Codec {
  checkInteger('size', size, 1, 0xffff_ffff);
  const name = `fixedLength(${size})`;
  const check = (payload: Uint8Array) => {
    if (payload.length !== size) {
      throw new FramingUsageError(
        'FRAMING_ERR_INVALID_PAYLOAD',
        `${name}: payload must be ${size} bytes, got ${payload.length}`,
      );
    }
  };
  return {
    name,
    maxFrameLength: size,
    encode(payload) {
      check(payload);
      return payload.slice();
    },
    encodeParts(payload) {
      check(payload);
      return [payload];
    },
    decoder: () => new FixedLengthDecoder(size, name),
  };
}

/** Streaming decoder of {@link fixedLength}: views within a chunk, one copy across chunks. */
export class FixedLengthDecoder implements FrameDecoder {
  readonly #size: number;
  readonly #name: string;
  readonly #queue = new ByteQueue();
  #failed: FramingError | undefined;

  /** @internal use `codec.decoder()` */
  constructor(size: number, name: string) {
    this.#size = size;
    this.#name = name;
  }

  get buffered(): number {
    return this.#queue.length;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed !== undefined) throw failedAgain(this.#failed);
    const out: Uint8Array[] = [];
    const size = this.#size;
    const q = this.#queue;
    let pos = 0;
    if (q.length > 0) {
      const need = size - q.length;
      if (chunk.length < need) {
        q.push(chunk);
        return out;
      }
      q.push(view(chunk, 0, need));
      out.push(q.take(size));
      pos = need;
    }
    const buffer = chunk.buffer;
    const base = chunk.byteOffset;
    while (chunk.length - pos >= size) {
      out.push(new Uint8Array(buffer, base + pos, size));
      pos += size;
    }
    if (pos < chunk.length) q.push(view(chunk, pos, chunk.length));
    return out;
  }

  end(): void {
    if (this.#failed !== undefined) throw failedAgain(this.#failed);
    if (this.#queue.length > 0) {
      this.#failed = truncated(this.#name, `a frame (${this.#queue.length} of ${this.#size} bytes)`);
      this.#queue.clear();
      throw this.#failed;
    }
  }
}
