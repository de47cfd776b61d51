import zlib from 'node:zlib';
import type { DeflateSide, PerMessageDeflateOptions } from '../deflate/negotiate.js';
import { WsError } from '../errors.js';
import { CloseCode } from '../frame/types.js';

/** The bytes a sync flush ends with, removed from / appended to every message (RFC 7692 §7.2.1). */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * zlib's output buffer size. Node's zlib streams hop to the thread pool once per output chunk, so
 * the default 16 KiB costs 64 round trips per inflated MiB; 64 KiB measured 1.4× faster on the
 * 1 MiB echo (bench --suite ws). A connection holds its buffers once it has compressed, next to
 * zlib's own state (about 300 KiB for a 15-bit window); connections that never do hold none.
 */
const CHUNK = 64 * 1024;

/** Process-wide FIFO limit on concurrent zlib jobs (they run on libuv's small thread pool). */
class Limiter {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  constructor(readonly limit: number) {}
  run<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.#running++;
        job()
          .then(resolve, reject)
          .finally(() => {
            this.#running--;
            this.#waiting.shift()?.();
          });
      };
      if (this.#running < this.limit) start();
      else this.#waiting.push(start);
    });
  }
}

let limiter: Limiter | undefined;

/**
 * Write `input` through a zlib stream, sync-flush it, and collect what comes out. Output past
 * `limit` bytes stops the job with `WS_ERR_MESSAGE_TOO_BIG`; on that or a zlib error the stream is
 * destroyed (its state is lost) and the promise rejects.
 */
function pass(
  z: zlib.DeflateRaw | zlib.InflateRaw,
  input: readonly Uint8Array[],
  limit: number,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      z.off('data', onData);
      z.off('error', finish);
      if (err === undefined) {
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
        return;
      }
      z.on('error', () => {}); // errors of the abandoned stream go nowhere
      z.destroy();
      reject(err);
    };
    const onData = (c: Buffer) => {
      total += c.length;
      if (total <= limit) chunks.push(c);
      else
        finish(
          new WsError(
            'WS_ERR_MESSAGE_TOO_BIG',
            CloseCode.MessageTooBig,
            `inflated message exceeds maxPayload ${limit}`,
          ),
        );
    };
    z.on('data', onData);
    z.on('error', finish);
    for (const b of input) z.write(b);
    z.flush(zlib.constants.Z_SYNC_FLUSH, () => finish());
  });
}

/**
 * One connection's permessage-deflate codec over node:zlib. The compressor and decompressor are
 * created on first use (idle connections hold none) and, with context takeover, kept between
 * messages. Jobs of one connection run in order; all connections share a {@link Limiter}.
 */
export class PerMessageDeflate {
  readonly #side: DeflateSide;
  readonly #options: PerMessageDeflateOptions;
  #deflate: zlib.DeflateRaw | undefined;
  #inflate: zlib.InflateRaw | undefined;

  constructor(side: DeflateSide, options: PerMessageDeflateOptions) {
    this.#side = side;
    this.#options = options;
    limiter ??= new Limiter(options.concurrencyLimit ?? 10);
  }

  /** Messages below this size go out uncompressed. */
  get threshold(): number {
    return this.#options.threshold ?? 1024;
  }

  /**
   * Deflate one fragment (`fin`: the message's last, whose tail is removed).
   * @throws {WsError} `WS_ERR_DEFLATE` (1011) if zlib fails; the compressor is discarded.
   */
  compress(data: Uint8Array, fin: boolean): Promise<Buffer> {
    return limiter!.run(async () => {
      this.#deflate ??= zlib.createDeflateRaw({
        windowBits: this.#side.deflateWindowBits,
        level: this.#options.level ?? 1,
        memLevel: this.#options.memLevel ?? 8,
        chunkSize: CHUNK,
      });
      const d = this.#deflate;
      let out: Buffer;
      try {
        out = await pass(d, [data], Number.POSITIVE_INFINITY);
      } catch (err) {
        this.#deflate = undefined;
        throw new WsError(
          'WS_ERR_DEFLATE',
          CloseCode.InternalError,
          `deflate failed: ${(err as Error).message}`,
        );
      }
      if (!fin) return out;
      if (this.#side.deflateNoContextTakeover) d.reset();
      return out.subarray(0, out.length - TAIL.length);
    });
  }

  /**
   * Inflate one message. The output is counted as it is produced: past `maxPayload` inflation stops
   * and the promise rejects with `WS_ERR_MESSAGE_TOO_BIG` (1009), so a zip bomb costs at most one
   * chunk over the limit. Corrupt input rejects with `WS_ERR_INFLATE` (1007).
   */
  decompress(data: Uint8Array, maxPayload: number): Promise<Buffer> {
    return limiter!.run(async () => {
      this.#inflate ??= zlib.createInflateRaw({
        windowBits: this.#side.inflateWindowBits,
        chunkSize: CHUNK,
      });
      const inf = this.#inflate;
      try {
        return await pass(inf, [data, TAIL], maxPayload);
      } catch (err) {
        this.#inflate = undefined; // its state is lost with an error or an abandoned message
        if (err instanceof WsError) throw err;
        throw new WsError(
          'WS_ERR_INFLATE',
          CloseCode.InvalidPayload,
          `inflate failed: ${(err as Error).message}`,
        );
      }
    });
  }

  /** Free zlib's memory (the connection closed). */
  close(): void {
    this.#deflate?.close();
    this.#inflate?.close();
    this.#deflate = undefined;
    this.#inflate = undefined;
  }
}
