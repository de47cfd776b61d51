import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageBuffer } from '../src/message-buffer.js';

describe('MessageBuffer', () => {
  it('gives back the concatenation of any fragments, counting empty ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 60 }),
        fc.nat(100_000),
        (parts, extra) => {
          const total = parts.reduce((n, p) => n + p.length, 0);
          const b = new MessageBuffer(total + extra);
          for (const p of parts) b.push(p);
          expect(b.fragments).toBe(parts.length);
          expect(b.length).toBe(total);
          expect(Array.from(b.take())).toEqual(parts.flatMap((p) => Array.from(p)));
        },
      ),
    );
  });

  it('returns a single fragment without copying it', () => {
    const b = new MessageBuffer(1 << 20);
    const p = new Uint8Array([1, 2, 3]);
    b.push(p);
    b.push(new Uint8Array(0));
    expect(b.take()).toBe(p);
  });
});
