/** Byte helpers for the testing kit. */
import { concatBytes } from '../alloc.js';

/** True when `a` and `b` hold the same bytes (Buffer or Uint8Array alike). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Concatenate byte arrays into one new array. */
export const concat = (parts: readonly Uint8Array[]): Uint8Array => concatBytes(parts);

/** Cut `bytes` at the given sorted, distinct split points (each in 1..length-1). */
export function splitAt(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

/** Short hex rendering for failure messages. */
export function hex(bytes: Uint8Array, max = 48): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${shown} … (${bytes.length} bytes)` : shown;
}
