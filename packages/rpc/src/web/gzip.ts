/**
 * gzip in a browser, from `CompressionStream` and `DecompressionStream` (every current browser has
 * them), installed on import where they exist and the runtime has no gzip of its own. Inflating
 * stops as soon as the output passes the message limit, so a small bomb cannot fill the page's
 * memory.
 */

import { concatBytes } from '@weft/framing';
import { hasGzip, provideGzip } from '../compression.js';
import { RpcError } from '../errors.js';
import { Status } from '../status.js';

async function collect(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concatBytes(chunks);
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new RpcError(
        Status.RESOURCE_EXHAUSTED,
        `a gzip message inflates past the limit of ${maxBytes} bytes`,
      );
    }
    chunks.push(value);
  }
}

async function through(
  bytes: Uint8Array,
  transform: TransformStream<Uint8Array, Uint8Array>,
  maxBytes: number,
) {
  const writer = transform.writable.getWriter();
  // Errors surface on the readable side; the writer's promises are only awaited for order.
  const written = writer.write(bytes).then(() => writer.close());
  written.catch(() => {});
  return collect(transform.readable, maxBytes);
}

// A runtime with gzip of its own (Node, when a shared module imports this entry) keeps it.
if (
  !hasGzip() &&
  typeof globalThis.DecompressionStream === 'function' &&
  typeof globalThis.CompressionStream === 'function'
) {
  provideGzip({
    compress: (bytes) =>
      through(
        bytes,
        new CompressionStream('gzip') as TransformStream<Uint8Array, Uint8Array>,
        Number.POSITIVE_INFINITY,
      ),
    async decompress(bytes, maxBytes) {
      try {
        return await through(
          bytes,
          new DecompressionStream('gzip') as TransformStream<Uint8Array, Uint8Array>,
          maxBytes,
        );
      } catch (err) {
        if (err instanceof RpcError) throw err;
        throw new RpcError(Status.INTERNAL, 'a message marked gzip does not inflate', { cause: err });
      }
    },
  });
}
