import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../src/byte-queue.js';

describe('ByteQueue', () => {
  it('returns a subarray (no copy) when the run lies inside the first chunk of 1 KiB or more', () => {
    const q = new ByteQueue();
    const chunk = Uint8Array.from({ length: 2048 }, (_, i) => i % 256);
    q.push(chunk);
    const out = q.take(2);
    expect(out.buffer).toBe(chunk.buffer);
    expect(Array.from(out)).toEqual([0, 1]);
    expect(q.length).toBe(2046);
  });

  it('gathers small chunks behind held bytes in buffers of its own, and copies frames out of them', () => {
    const q = new ByteQueue();
    const first = Uint8Array.from([1]);
    q.push(first); // into an empty queue: by reference
    q.push(Uint8Array.from([2, 3, 4]));
    q.push(Uint8Array.from([5]));
    const one = q.take(1);
    expect(one.buffer).toBe(first.buffer);
    const out = q.take(3);
    expect(Array.from(out)).toEqual([2, 3, 4]);
    expect(out.buffer.byteLength).toBe(3); // a copy of its own, not a view pinning the 16 KiB buffer
    q.push(Uint8Array.from([6]));
    expect(Array.from(q.take(2))).toEqual([5, 6]);
    expect(q.length).toBe(0);
  });

  it('memory follows the bytes held, not the chunks they came in: 1 MB in 1-byte chunks', () => {
    const q = new ByteQueue();
    const before = process.memoryUsage();
    for (let i = 0; i < 1_000_000; i++) q.push(new Uint8Array(1).fill(i & 0xff));
    const after = process.memoryUsage();
    const grew = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    // Kept one by one the chunks cost ~100 MB (a view and an ArrayBuffer each); gathered, ~1 MB.
    expect(q.length).toBe(1_000_000);
    expect(grew).toBeLessThan(16 * 1024 * 1024);
    const all = q.take(1_000_000);
    expect(all[999_999]).toBe(999_999 & 0xff);
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

  it('reads right over 10,000 rounds of push and take', () => {
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

  it('drops the slots of consumed chunks while others are still held', () => {
    const q = new ByteQueue();
    // Chunks of 2 KiB go by reference (no gathering): 1,000 of them, all but the last consumed.
    for (let i = 0; i < 1000; i++) q.push(new Uint8Array(2048).fill(i & 0xff));
    for (let i = 0; i < 999; i++) q.skip(2048);
    expect(q.length).toBe(2048);
    expect(q.take(1)[0]).toBe(999 & 0xff);
    // Without compaction the list would still hold 1,000 slots, 999 of them dead.
    expect(q._slots).toBeLessThan(64);
  });
});
