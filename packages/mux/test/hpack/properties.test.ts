import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HpackDecoder } from '../../src/hpack/decoder.js';
import { type HeaderField, HpackEncoder } from '../../src/hpack/encoder.js';
import { HpackError } from '../../src/hpack/errors.js';
import { STATIC_TABLE } from '../../src/hpack/static-table.js';

/** Header strings are octets: latin1 strings, biased toward names and values that repeat. */
const octets = (max: number) =>
  fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b).toString('latin1'));
const name = fc.oneof(
  fc.constantFrom(...STATIC_TABLE.map(([n]) => n), 'x-a', 'x-b', 'cookie', 'authorization'),
  octets(20).map((s) => s.toLowerCase()),
);
const value = fc.oneof(
  fc.constantFrom('', 'GET', '200', 'gzip', 'same-value'),
  octets(60),
  fc.string({ maxLength: 200 }).map((s) => Array.from(s, (c) => (c.charCodeAt(0) > 0xff ? '?' : c)).join('')),
);
const field: fc.Arbitrary<HeaderField> = fc
  .tuple(name, value, fc.boolean())
  .map(([n, v, s]) => (s ? [n, v, true] : [n, v]));
const block = fc.array(field, { maxLength: 12 });

const plain = (fields: readonly HeaderField[]) => fields.map(([n, v]) => [n, v]);

describe('HPACK properties', () => {
  it('any sequence of header lists round-trips through one encoder/decoder pair (shared state across blocks)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8192 }),
        fc.constantFrom('auto' as const, 'always' as const, 'never' as const),
        fc.array(block, { minLength: 1, maxLength: 10 }),
        (tableSize, huffman, blocks) => {
          const e = new HpackEncoder({ tableSize, huffman });
          const d = new HpackDecoder({ maxTableSize: Math.max(tableSize, 4096), maxHeaderListSize: 1 << 20 });
          for (const b of blocks) {
            const got = d.decode(e.encode(b));
            expect(plain(got)).toEqual(plain(b));
            // Fields marked sensitive arrive marked never-indexed.
            b.forEach((f, i) => {
              if (f[2] === true && got[i]![2] !== true) {
                // A sensitive field that is an exact static-table match is sent indexed: nothing to protect.
                expect(STATIC_TABLE.some(([n, v]) => n === f[0] && v === f[1])).toBe(true);
              }
            });
          }
          expect(d.size).toBe(e.size);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('replaying a remembered block gives exactly the bytes a fresh lookup gives', () => {
    // A `sensitive` predicate turns the block memo off and changes nothing else when it answers
    // false: the two encoders must write the same bytes for every block, blocks repeating from a
    // small pool (the memo's case) between new values (table insertions) and resizes.
    fc.assert(
      fc.property(
        fc.array(block, { minLength: 1, maxLength: 4 }),
        fc.array(
          fc.oneof(
            fc.nat(3),
            fc.integer({ min: 0, max: 4096 }).map((n) => -1 - n),
          ),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        (pool, steps) => {
          const memoized = new HpackEncoder();
          const plainEncoder = new HpackEncoder({ sensitive: () => false });
          const d = new HpackDecoder({ maxHeaderListSize: 1 << 20 });
          for (const step of steps) {
            if (step < 0) {
              memoized.setTableSize(-1 - step);
              plainEncoder.setTableSize(-1 - step);
              d.setMaxTableSize(4096);
              continue;
            }
            const b = pool[step % pool.length]!;
            const bytes = memoized.encode(b);
            expect(Buffer.from(bytes)).toEqual(Buffer.from(plainEncoder.encode(b)));
            expect(plain(d.decode(bytes))).toEqual(plain(b));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a replayed block still counts in the repeat statistics', () => {
    // x-a's values: 1, 2, 3 (no repeats), then 1 again (indexed), then ten replays of that block.
    // Counted, the replays lift x-a's repeat rate past the threshold, so a new value is indexed on
    // first sight (a 0x40 literal); uncounted, it would not be.
    const memoized = new HpackEncoder();
    const plainEncoder = new HpackEncoder({ sensitive: () => false });
    const blocks = [['1'], ['2'], ['3'], ['1'], ...Array.from({ length: 10 }, () => ['1']), ['9']].map(
      ([v]) => [['x-a', v!]] as HeaderField[],
    );
    let last: Uint8Array = new Uint8Array(0);
    for (const b of blocks) {
      last = memoized.encode(b);
      expect(Buffer.from(last)).toEqual(Buffer.from(plainEncoder.encode(b)));
    }
    expect(last[0]! & 0xc0).toBe(0x40);
  });

  it('table size changes between blocks round-trip, and both tables stay the same size', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.option(fc.array(fc.integer({ min: 0, max: 4096 }), { minLength: 1, maxLength: 3 })),
            block,
          ),
          {
            minLength: 1,
            maxLength: 10,
          },
        ),
        (steps) => {
          const e = new HpackEncoder();
          const d = new HpackDecoder({ maxHeaderListSize: 1 << 20 });
          for (const [sizes, b] of steps) {
            for (const s of sizes ?? []) e.setTableSize(s);
            expect(plain(d.decode(e.encode(b)))).toEqual(plain(b));
            expect(d.tableSize).toBe(e.tableSize);
            expect(d.size).toBe(e.size);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the SETTINGS dance: a lowered limit is honoured by the encoder and checked by the decoder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4095 }), block, block, (limit, before, after) => {
        const e = new HpackEncoder();
        const d = new HpackDecoder({ maxHeaderListSize: 1 << 20 });
        d.decode(e.encode(before));
        d.setMaxTableSize(limit); // we advertised a smaller SETTINGS_HEADER_TABLE_SIZE, peer ACKed
        e.setTableSize(limit); // the peer's encoder applies it
        expect(plain(d.decode(e.encode(after)))).toEqual(plain(after));
        expect(d.size).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 200 },
    );
  });

  it('random bytes give only HpackError codes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 5 }), (blocks) => {
        const d = new HpackDecoder({ maxHeaderListSize: 4096 });
        for (const b of blocks) {
          try {
            d.decode(b);
          } catch (err) {
            expect(err).toBeInstanceOf(HpackError);
            return;
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated valid blocks give only HpackError codes, or a list within the limit', () => {
    fc.assert(
      fc.property(
        fc.array(block, { minLength: 1, maxLength: 4 }),
        fc.array(
          fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        (blocks, mutations) => {
          const e = new HpackEncoder();
          const wire = blocks.map((b) => Array.from(e.encode(b)));
          const target = wire[wire.length - 1]!;
          for (const [at, byte, kind] of mutations) {
            const i = target.length === 0 ? 0 : at % target.length;
            if (kind === 'set') target[i] = byte;
            else if (kind === 'insert') target.splice(i, 0, byte);
            else target.splice(i, 1);
          }
          const d = new HpackDecoder({ maxHeaderListSize: 8192 });
          try {
            for (const w of wire) {
              const fields = d.decode(Uint8Array.from(w));
              const size = fields.reduce((n, [k, v]) => n + k.length + v.length + 32, 0);
              expect(size).toBeLessThanOrEqual(8192);
            }
          } catch (err) {
            expect(err).toBeInstanceOf(HpackError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
