import { describe, expect, it } from 'vitest';
import { HpackDecoder } from '../../src/hpack/decoder.js';
import { HpackEncoder } from '../../src/hpack/encoder.js';
import { writeInteger } from '../../src/hpack/integer.js';
import { expectCode, hex, toHex } from './helpers.js';

/** A literal-with-indexing field with a new name: 0x40, name, value (raw strings). */
function literalIndexed(name: string, value: string): number[] {
  const out = new Uint8Array(name.length + value.length + 12);
  let at = 0;
  out[at++] = 0x40;
  at = writeInteger(out, at, name.length, 7, 0);
  out.set(Buffer.from(name, 'latin1'), at);
  at += name.length;
  at = writeInteger(out, at, value.length, 7, 0);
  out.set(Buffer.from(value, 'latin1'), at);
  at += value.length;
  return Array.from(out.subarray(0, at));
}

describe('HPACK limits (attacks on a decoder)', () => {
  it('HPACK bomb (CVE-2016-6581): one 4 KiB entry referenced by thousands of 1-byte indices stops at the limit', () => {
    const d = new HpackDecoder({ maxHeaderListSize: 65536 });
    const entry = literalIndexed('x', 'v'.repeat(4000));
    // 0xbe: index 62, the entry just added. 100,000 references would decode to 400 MB.
    const bomb = Uint8Array.from([...entry, ...new Array(100_000).fill(0xbe)]);
    expectCode(() => d.decode(bomb), 'HPACK_ERR_HEADER_LIST_TOO_LARGE');
  });

  it('a string longer than the remaining list budget is refused before it is decoded', () => {
    const d = new HpackDecoder({ maxHeaderListSize: 100 });
    expectCode(
      () => d.decode(Uint8Array.from(literalIndexed('x', 'y'.repeat(200)))),
      'HPACK_ERR_HEADER_LIST_TOO_LARGE',
    );
  });

  it('a Huffman string stops decoding as soon as it exceeds the budget', () => {
    // 'a' is 00011: 8 of them are the 5 bytes 18 c6 31 8c 63. 200 bytes decode to 320 octets,
    // while the budget is 100 - 32 - 1 = 67; the minimum (200 * 8 / 30 = 54) does not reveal it.
    const aaaa = new Array(40).fill([0x18, 0xc6, 0x31, 0x8c, 0x63]).flat();
    const huff = Uint8Array.from([0x00, 0x01, 0x78, 0x80 | 0x7f, 200 - 127, ...aaaa]);
    expectCode(
      () => new HpackDecoder({ maxHeaderListSize: 100 }).decode(huff),
      'HPACK_ERR_HEADER_LIST_TOO_LARGE',
    );
    // The same string fits a larger budget and decodes to 320 'a's.
    expect(new HpackDecoder({ maxHeaderListSize: 1000 }).decode(huff)).toEqual([['x', 'a'.repeat(320)]]);
  });

  it('integers cannot overflow and strings cannot claim more than the block holds', () => {
    const d = new HpackDecoder();
    expectCode(() => d.decode(hex('ff ff ff ff ff 7f')), 'HPACK_ERR_INTEGER');
    expectCode(() => new HpackDecoder().decode(hex('00 0a 61')), 'HPACK_ERR_TRUNCATED');
    expectCode(() => new HpackDecoder().decode(hex('00 7f ff ff ff 07 61')), 'HPACK_ERR_TRUNCATED');
    expectCode(() => new HpackDecoder().decode(hex('40')), 'HPACK_ERR_TRUNCATED');
  });

  it('indices: 0 and beyond the tables are errors', () => {
    expectCode(() => new HpackDecoder().decode(hex('80')), 'HPACK_ERR_INDEX');
    expectCode(() => new HpackDecoder().decode(hex('be')), 'HPACK_ERR_INDEX');
    expectCode(() => new HpackDecoder().decode(hex('7f 00 01 61')), 'HPACK_ERR_INDEX');
  });

  it('table size updates: only at the start of a block, never above the limit', () => {
    expectCode(() => new HpackDecoder().decode(hex('82 20')), 'HPACK_ERR_TABLE_SIZE');
    expectCode(() => new HpackDecoder({ maxTableSize: 100 }).decode(hex('3f 46')), 'HPACK_ERR_TABLE_SIZE');
    const d = new HpackDecoder();
    expect(d.decode(hex('20 3f e1 1f 82'))).toEqual([[':method', 'GET']]);
    expect(d.tableSize).toBe(4096);
  });

  it('after our limit shrinks, the next block must open with a size update', () => {
    const d = new HpackDecoder();
    d.decode(Uint8Array.from(literalIndexed('x', 'y')));
    d.setMaxTableSize(0);
    expect(d.size).toBe(0);
    expectCode(() => d.decode(hex('82')), 'HPACK_ERR_TABLE_SIZE');
    const d2 = new HpackDecoder();
    d2.setMaxTableSize(0);
    expect(d2.decode(hex('20 82'))).toEqual([[':method', 'GET']]);
    // Raising the limit needs no update.
    const d3 = new HpackDecoder({ maxTableSize: 100 });
    d3.setMaxTableSize(4096);
    expect(d3.decode(hex('82'))).toEqual([[':method', 'GET']]);
  });

  it('a table entry larger than the table empties it instead of failing (RFC 7541 §4.4)', () => {
    const d = new HpackDecoder({ maxTableSize: 64 });
    d.decode(Uint8Array.from(literalIndexed('a', 'b')));
    expect(d.size).toBe(34);
    d.decode(Uint8Array.from(literalIndexed('big', 'v'.repeat(100))));
    expect(d.size).toBe(0);
    expect(d.entries()).toEqual([]);
  });

  it('validates options', () => {
    expectCode(() => new HpackDecoder({ maxTableSize: -1 }), 'HPACK_ERR_INVALID_OPTION');
    expectCode(() => new HpackDecoder({ maxHeaderListSize: 1.5 }), 'HPACK_ERR_INVALID_OPTION');
    expectCode(() => new HpackEncoder({ tableSize: 2 ** 32 }), 'HPACK_ERR_INVALID_OPTION');
    expectCode(() => new HpackEncoder({ huffman: 'sometimes' as 'auto' }), 'HPACK_ERR_INVALID_OPTION');
  });
});

describe('HPACK encoder behaviour', () => {
  it('never indexes authorization, proxy-authorization, short cookies or user-named fields', () => {
    const e = new HpackEncoder({ sensitive: ['X-Api-Key'] });
    const d = new HpackDecoder();
    const fields = d.decode(
      e.encode([
        ['authorization', 'Bearer abc'],
        ['proxy-authorization', 'Basic xyz'],
        ['cookie', 'sid=1'],
        ['cookie', 'a-long-cookie-value-that-is-not-brute-forceable=1'],
        ['x-api-key', 'k'],
      ]),
    );
    expect(fields.map((f) => f[2] === true)).toEqual([true, true, true, false, true]);
    expect(
      new HpackEncoder({ sensitive: (n, v) => n === 'x' && v === 's' }).encode([['x', 's']])[0]! & 0xf0,
    ).toBe(0x10);
  });

  it('setTableSize emits the smallest size then the final one at the start of the next block', () => {
    const e = new HpackEncoder();
    e.setTableSize(100);
    e.setTableSize(0);
    e.setTableSize(2000);
    // 0x20 = update to 0; 0x3f e1 0e = update to 31 + 0x0e61... 2000 = 31 + 1969 = 0x7b1 -> b1 0f
    expect(toHex(e.encode([[':method', 'GET']]))).toBe('203fb10f82');
    expect(toHex(e.encode([[':method', 'GET']]))).toBe('82');
  });

  it('announces a table size other than the initial 4096 in its first block', () => {
    expect(toHex(new HpackEncoder({ tableSize: 0 }).encode([[':method', 'GET']]))).toBe('2082');
    expect(toHex(new HpackEncoder().encode([[':method', 'GET']]))).toBe('82');
  });

  it('uses Huffman only when it is shorter', () => {
    // '%' is 6 bits, but '\x00' is 13: raw is shorter for a NUL-heavy value.
    const e = new HpackEncoder();
    const block = e.encode([['x-a', '\x00\x00\x00']]);
    expect(block[block.length - 4]).toBe(3); // raw length 3, H bit clear
  });

  it('refuses characters above U+00FF and non-string values', () => {
    expectCode(() => new HpackEncoder().encode([['x', 'ü€']]), 'HPACK_ERR_INVALID_FIELD');
    expectCode(() => new HpackEncoder({ huffman: 'never' }).encode([['x', '€']]), 'HPACK_ERR_INVALID_FIELD');
    expectCode(() => new HpackEncoder().encode([['x', 1 as unknown as string]]), 'HPACK_ERR_INVALID_FIELD');
  });

  it('indexes a value once it recurs, even for a name whose values rarely do', () => {
    const e = new HpackEncoder();
    const first = e.encode([['content-length', '1234']]);
    const second = e.encode([['content-length', '1234']]);
    const third = e.encode([['content-length', '1234']]);
    expect(first[0]! & 0xf0).toBe(0x00); // without indexing
    expect(second[0]! & 0xc0).toBe(0x40); // recurred: with indexing
    expect(toHex(third)).toBe('be'); // indexed, 1 byte
  });
});
