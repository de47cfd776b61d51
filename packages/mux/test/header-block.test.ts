/** Header block assembly: fragments joined in order, and every bound a CONTINUATION flood meets. */
import { describe, expect, it } from 'vitest';
import { HeaderBlockAssembler, MAX_CONTINUATIONS } from '../src/header-block.js';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('HeaderBlockAssembler', () => {
  it('a HEADERS with END_HEADERS is a block at once', () => {
    const a = new HeaderBlockAssembler(100);
    expect(a.start(1, bytes(1, 2), true, true)).toEqual({ streamId: 1, block: bytes(1, 2), endStream: true });
    expect(a.open).toBe(false);
  });

  it('CONTINUATIONs extend it in order; a PUSH_PROMISE keeps its promised stream', () => {
    const a = new HeaderBlockAssembler(100);
    expect(a.start(3, bytes(1), false, false, 4)).toBeUndefined();
    expect(a.open).toBe(true);
    expect(a.continue(3, bytes(2, 3), false)).toBeUndefined();
    const done = a.continue(3, bytes(4), true)!;
    expect({ ...done, block: [...done.block] }).toEqual({
      streamId: 3,
      block: [1, 2, 3, 4],
      endStream: false,
      promisedId: 4,
    });
    expect(a.open).toBe(false);
  });

  it('a CONTINUATION without an open block, or on another stream, is PROTOCOL_ERROR', () => {
    const a = new HeaderBlockAssembler(100);
    expect(() => a.continue(1, bytes(1), true)).toThrow(
      expect.objectContaining({ code: 'MUX_ERR_PROTOCOL' }),
    );
    a.start(1, bytes(1), false, false);
    expect(() => a.continue(3, bytes(1), true)).toThrow(/without a header block on its stream/);
  });

  it(`more than ${MAX_CONTINUATIONS} frames, or more than maxBytes, is ENHANCE_YOUR_CALM`, () => {
    const flood = new HeaderBlockAssembler(1 << 20);
    flood.start(1, bytes(), false, false);
    for (let i = 1; i < MAX_CONTINUATIONS; i++) flood.continue(1, bytes(), false);
    expect(() => flood.continue(1, bytes(), false)).toThrow(expect.objectContaining({ h2Code: 0xb }));
    const big = new HeaderBlockAssembler(10);
    big.start(1, new Uint8Array(6), false, false);
    expect(() => big.continue(1, new Uint8Array(5), false)).toThrow(/11 bytes/);
  });
});
