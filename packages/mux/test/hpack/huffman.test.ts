import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { huffmanDecode, huffmanEncode, huffmanLength } from '../../src/hpack/huffman.js';
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from '../../src/hpack/huffman-table.js';
import { expectCode, hex, toHex } from './helpers.js';

const encode = (s: string) => {
  const out = new Uint8Array(huffmanLength(s));
  expect(huffmanEncode(s, out, 0)).toBe(out.length);
  return out;
};
const decode = (b: Uint8Array) => {
  const out = new Uint8Array(Math.ceil((b.length * 8) / 5));
  return Buffer.from(out.subarray(0, huffmanDecode(b, 0, b.length, out))).toString('latin1');
};

describe('Huffman code (RFC 7541 §5.2, Appendix B)', () => {
  it('encodes the strings of RFC 7541 C.4 and C.6', () => {
    expect(toHex(encode('www.example.com'))).toBe('f1e3c2e5f23a6ba0ab90f4ff');
    expect(toHex(encode('no-cache'))).toBe('a8eb10649cbf');
    expect(toHex(encode('custom-key'))).toBe('25a849e95ba97d7f');
    expect(toHex(encode('custom-value'))).toBe('25a849e95bb8e8b4bf');
    expect(toHex(encode('302'))).toBe('6402');
    expect(toHex(encode('private'))).toBe('aec3771a4b');
    expect(toHex(encode('Mon, 21 Oct 2013 20:13:21 GMT'))).toBe(
      'd07abe941054d444a8200595040b8166e082a62d1bff',
    );
    expect(toHex(encode('https://www.example.com'))).toBe('9d29ad171863c78f0b97c8e9ae82ae43d3');
  });

  it('decodes them back', () => {
    expect(decode(hex('f1e3c2e5f23a6ba0ab90f4ff'))).toBe('www.example.com');
    expect(decode(hex('9bd9ab'))).toBe('gzip');
  });

  it('every one of the 256 symbols round-trips alone and the table is the RFC code', () => {
    expect(HUFFMAN_CODES[0]).toBe(0x1ff8);
    expect(HUFFMAN_LENGTHS[256]).toBe(30);
    expect(HUFFMAN_CODES[256]).toBe(0x3fffffff);
    for (let s = 0; s < 256; s++) {
      const str = String.fromCharCode(s);
      expect(decode(encode(str))).toBe(str);
      expect(encode(str).length).toBe(Math.ceil(HUFFMAN_LENGTHS[s]! / 8));
    }
  });

  it('round-trips any octet string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const s = Buffer.from(bytes).toString('latin1');
        expect(decode(encode(s))).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects EOS inside a string (30 ones)', () => {
    expectCode(() => decode(hex('ffffffff')), 'HPACK_ERR_HUFFMAN');
    expectCode(() => decode(hex('fffffffc')), 'HPACK_ERR_HUFFMAN');
  });

  it('rejects padding longer than 7 bits', () => {
    // 'a' is 00011 (5 bits): 00011111 is 'a' + 3 bits of padding; a further 0xff byte is 11 bits.
    expect(decode(hex('1f'))).toBe('a');
    expectCode(() => decode(hex('1fff')), 'HPACK_ERR_HUFFMAN');
    expectCode(() => decode(hex('ff')), 'HPACK_ERR_HUFFMAN');
  });

  it('rejects padding that is not all ones', () => {
    // 'a' then padding 110 instead of 111.
    expectCode(() => decode(hex('1e')), 'HPACK_ERR_HUFFMAN');
    expectCode(() => decode(hex('18')), 'HPACK_ERR_HUFFMAN');
  });

  it('reports characters above 0xff instead of encoding them', () => {
    expect(huffmanLength('é')).toBe(huffmanLength('\u00e9'));
    expect(huffmanLength('\u0100')).toBe(-1);
  });
});
