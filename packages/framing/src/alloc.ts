/**
 * Allocation of frame buffers that are about to be filled completely. Uses Node's uninitialised
 * `Buffer.allocUnsafe` when the platform has it (the bytes are overwritten before anyone sees them),
 * falling back to a zeroed `Uint8Array` elsewhere. Zero-filling a 1 MiB frame would cost as much as
 * copying it.
 */
const nodeBuffer = (globalThis as { Buffer?: { allocUnsafe(size: number): Uint8Array } }).Buffer;

/** A buffer of `size` bytes that the caller overwrites completely (uninitialised on Node). */
export const allocUninitialized: (size: number) => Uint8Array =
  nodeBuffer === undefined ? (size) => new Uint8Array(size) : (size) => nodeBuffer.allocUnsafe(size);

/** Concatenate parts into one new buffer (one copy of each byte). */
export function concatBytes(parts: readonly Uint8Array[], total?: number): Uint8Array {
  let size = total ?? 0;
  if (total === undefined) for (const p of parts) size += p.length;
  const out = allocUninitialized(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A `Uint8Array` view of `bytes[start, end)` sharing its memory. Built with the constructor rather
 * than `subarray`: on a Node `Buffer`, `subarray` goes through the species constructor and costs
 * about 2.5x more, which dominates decoding of small frames.
 */
export function view(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
}
