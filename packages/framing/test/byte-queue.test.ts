import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../src/byte-queue.js';

describe('ByteQueue', () => {
  it('returns a subarray (no copy) when the run lies inside the first chunk', () => {
    const q = new ByteQueue();
    const chunk = Uint8Array.from([1, 2, 3, 4]);
    q.push(chunk);
    const out = q.take(2);
    expect(out.buffer).toBe(chunk.buffer);
    expect(Array.from(out)).toEqual([1, 2]);
    expect(q.length).toBe(2);
  });

  it('copies once across chunks, and skips across chunks', () => {
    const q = new ByteQueue();
    q.push(Uint8Array.from([1, 2]));
    q.push(new Uint8Array(0));
    q.push(Uint8Array.from([3, 4, 5]));
    q.push(Uint8Array.from([6]));
    expect(q.length).toBe(6);
    q.skip(1);
    const out = q.take(4);
    expect(Array.from(out)).toEqual([2, 3, 4, 5]);
    expect(q.length).toBe(1);
    const peek = new Uint8Array(1);
    q.peekInto(peek, 1);
    expect(peek[0]).toBe(6);
    expect(Array.from(q.take(1))).toEqual([6]);
    expect(q.length).toBe(0);
    expect(q.take(0).length).toBe(0);
  });

  it('stays compact over many chunks', () => {
    const q = new ByteQueue();
    let expected = 0;
    for (let i = 0; i < 10_000; i++) {
      q.push(Uint8Array.of(i & 0xff, (i + 1) & 0xff));
      const b = q.take(1)[0];
      expect(b).toBe(expected & 0xff);
      expected = i + 1;
      q.skip(1);
    }
    expect(q.length).toBe(0);
    q.push(Uint8Array.of(9));
    q.clear();
    expect(q.length).toBe(0);
  });
});
