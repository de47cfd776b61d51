/**
 * gzip for messages (gRPC `grpc-encoding: gzip`). The call layer compresses and inflates through
 * these two functions; the runtime's adapter provides the implementation (`src/node/gzip.ts`,
 * node:zlib), so that the call layer itself does no I/O and imports no Node module.
 */
import { RpcError } from './errors.js';
import { Status } from './status.js';

/** What a runtime provides. */
export interface Gzip {
  compress(bytes: Uint8Array): Promise<Uint8Array>;
  /**
   * Inflate, refusing to produce more than `maxBytes`.
   * @throws {RpcError} `RESOURCE_EXHAUSTED` past the limit, `INTERNAL` for data that is not gzip.
   */
  decompress(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array>;
}

let provided: Gzip | undefined;

/** Install the runtime's gzip (the Node adapter does, on import). */
export function provideGzip(impl: Gzip): void {
  provided = impl;
}

/** Whether the runtime provided gzip (a client advertises it only then). */
export function hasGzip(): boolean {
  return provided !== undefined;
}

function runtime(): Gzip {
  if (provided === undefined) {
    throw new RpcError(Status.UNIMPLEMENTED, 'gzip is not available: no runtime adapter provided it');
  }
  return provided;
}

/** Compress one message. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return runtime().compress(bytes);
}

/** Decompress one message, at most `maxBytes` of it (see {@link Gzip.decompress}). */
export async function gunzip(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  return runtime().decompress(bytes, maxBytes);
}
