import { expect } from 'vitest';
import type { Codec } from '../src/codec.js';

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
export const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

/** Decode `input` pushed in the given chunks; returns frames and what stays buffered. */
export function decodeChunks(codec: Codec, chunks: Uint8Array[]): { frames: Uint8Array[]; buffered: number } {
  const d = codec.decoder();
  const frames: Uint8Array[] = [];
  for (const c of chunks) frames.push(...d.push(c));
  return { frames, buffered: d.buffered };
}

/**
 * The three-ways harness (h11 tests/test_io.py): decode the input whole, one byte at a time, and with
 * trailing bytes of a following partial frame; all three must agree.
 */
export function threeWays(
  codec: Codec,
  input: Uint8Array,
  expected: Uint8Array[],
  trailing: Uint8Array,
): void {
  const whole = decodeChunks(codec, [input]);
  expect(whole.frames.map((f) => Array.from(f))).toEqual(expected.map((f) => Array.from(f)));
  expect(whole.buffered).toBe(0);

  const bytewise = decodeChunks(
    codec,
    Array.from(input, (_, i) => input.subarray(i, i + 1)),
  );
  expect(bytewise.frames.map((f) => Array.from(f))).toEqual(expected.map((f) => Array.from(f)));
  expect(bytewise.buffered).toBe(0);

  const withTrailing = new Uint8Array(input.length + trailing.length);
  withTrailing.set(input);
  withTrailing.set(trailing, input.length);
  const d = codec.decoder();
  const frames = d.push(withTrailing);
  expect(frames.map((f) => Array.from(f))).toEqual(expected.map((f) => Array.from(f)));
  expect(d.buffered).toBe(trailing.length);
  expect(() => d.end()).toThrow(expect.objectContaining({ code: 'FRAMING_ERR_TRUNCATED' }));
}

/** Assert that `fn` throws an error with `code`. */
export function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected a throw with code ${code}`).toBeDefined();
  expect((thrown as { code?: string }).code).toBe(code);
}

/** Assert two byte arrays hold the same bytes (Buffer and Uint8Array compare equal). */
export function expectBytes(actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual === undefined ? undefined : Array.from(actual)).toEqual(Array.from(expected));
}
