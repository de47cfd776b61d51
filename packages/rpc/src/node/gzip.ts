import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { provideGzip } from '../compression.js';
import { RpcError } from '../errors.js';
import { Status } from '../status.js';

const gzipAsync = promisify(zlib.gzip);
const gunzipAsync = promisify(zlib.gunzip);

/** Compress one message (gRPC `grpc-encoding: gzip`). */
async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return gzipAsync(bytes);
}

/**
 * Decompress one message, refusing to inflate past `maxBytes` (zlib stops at `maxOutputLength`, so
 * a gzip bomb costs at most `maxBytes` of memory).
 * @throws {RpcError} `RESOURCE_EXHAUSTED` past the limit, `INTERNAL` for data that is not gzip.
 */
async function gunzip(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  try {
    return await gunzipAsync(bytes, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new RpcError(Status.RESOURCE_EXHAUSTED, `decompressed message exceeds ${maxBytes} bytes`);
    }
    throw new RpcError(Status.INTERNAL, 'a compressed message could not be decompressed', { cause: err });
  }
}

provideGzip({ compress: gzip, decompress: gunzip });
