import fc from 'fast-check';
import { splitAt } from './bytes.js';

/** Options of {@link rechunk}. */
export interface RechunkOptions {
  /**
   * Offsets where frames (and so headers) start. Among the chunkings is one that splits at every one
   * of the `headerBytes` bytes after each boundary: where length prefixes and varints break.
   */
  boundaries?: readonly number[];
  /** Bytes after each boundary to split at every byte. Default 12 (covers a 10-byte varint plus offset). */
  headerBytes?: number;
  /** Most random split points in one chunking. Default 64. */
  maxSplits?: number;
}

/** Above this size the one-byte-at-a-time chunking is replaced by a coarser one. */
const BYTEWISE_LIMIT = 1 << 16;

/**
 * A fast-check arbitrary of ways TCP could deliver `bytes`: whole; one byte at a time; split at every
 * byte of each header; in fixed-size chunks; at arbitrary points. Concatenated, every chunking equals
 * `bytes`. Shrinks toward fewer splits.
 */
export function rechunk(bytes: Uint8Array, options: RechunkOptions = {}): fc.Arbitrary<Uint8Array[]> {
  const n = bytes.length;
  if (n <= 1) return fc.constant([bytes]);
  const maxSplits = options.maxSplits ?? 64;
  const headerBytes = options.headerBytes ?? 12;
  const bytewise = (): Uint8Array[] => {
    const step = n > BYTEWISE_LIMIT ? Math.ceil(n / BYTEWISE_LIMIT) : 1;
    const points: number[] = [];
    for (let i = step; i < n; i += step) points.push(i);
    return splitAt(bytes, points);
  };
  const headerSplits = (): Uint8Array[] => {
    const set = new Set<number>();
    for (const b of options.boundaries ?? [0]) {
      for (let k = 0; k <= headerBytes; k++) {
        const p = b + k;
        if (p > 0 && p < n) set.add(p);
      }
    }
    return splitAt(
      bytes,
      [...set].sort((x, y) => x - y),
    );
  };
  const random = fc
    .uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: Math.min(maxSplits, n - 1) })
    .map((points) =>
      splitAt(
        bytes,
        points.sort((x, y) => x - y),
      ),
    );
  const fixed = fc.integer({ min: 1, max: n }).map((size) => {
    const points: number[] = [];
    for (let i = size; i < n; i += size) points.push(i);
    return splitAt(bytes, points);
  });
  return fc.oneof(
    { arbitrary: random, weight: 4 },
    { arbitrary: fc.constant(null).map(() => [bytes]), weight: 1 },
    { arbitrary: fc.constant(null).map(bytewise), weight: 1 },
    { arbitrary: fc.constant(null).map(headerSplits), weight: 1 },
    { arbitrary: fixed, weight: 1 },
  );
}
