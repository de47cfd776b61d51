import { fc, test } from '@fast-check/vitest';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { jsonCodec, msgpackCodec, rawCodec } from '../src/index.js';

const plain = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });
const json = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('"__proto__":'));
const rows = { items: Array.from({ length: 100 }, (_, i) => ({ id: i, name: `n${i}`, ok: i % 2 === 0 })) };

describe('msgpack codec', () => {
  for (const useRecords of [true, false, 'arrays'] as const) {
    // Compared as JSON: msgpack, like JSON, writes -0 as the integer 0. "__proto__" keys: see below.
    test.prop([json])(`useRecords ${useRecords}: round trip`, (value) => {
      const codec = msgpackCodec({ useRecords });
      expect(JSON.stringify(codec.decode(codec.encode(value)))).toBe(JSON.stringify(value));
    });
  }

  it('a "__proto__" key never sets a prototype (msgpackr renames it)', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true}}');
    for (const useRecords of [true, false, 'arrays'] as const) {
      const codec = msgpackCodec({ useRecords });
      const decoded = codec.decode(codec.encode(value)) as Record<string, unknown>;
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
      expect(decoded.polluted).toBeUndefined();
    }
  });

  it('the default writes plain MessagePack maps, arrays included, under the subtype msgpack', () => {
    const codec = msgpackCodec();
    expect(codec.name).toBe('msgpack');
    const message = { data: new Uint8Array(64).fill(0x61), nested: { a: 1 }, tags: ['a', 'b'] };
    expect(Buffer.from(codec.encode(message))).toEqual(Buffer.from(plain.pack(message)));
    expect(Buffer.from(codec.encode(rows))).toEqual(Buffer.from(plain.pack(rows)));
    expect(Buffer.from(msgpackCodec({ useRecords: false }).encode(rows))).toEqual(
      Buffer.from(plain.pack(rows)),
    );
  });

  it("records are opt-in (true, or 'arrays' where a message has an array) under the subtype msgpackr", () => {
    const codec = msgpackCodec({ useRecords: 'arrays' });
    expect(codec.name).toBe('msgpackr');
    const bytes = codec.encode(rows);
    expect(bytes.length).toBeLessThan(plain.pack(rows).length / 2);
    expect(bytes.length).toBe(msgpackCodec({ useRecords: true }).encode(rows).length);
    expect(codec.decode(bytes)).toEqual(rows);
    expect(codec.decode(codec.encode(rows.items))).toEqual(rows.items);
    const flat = { data: new Uint8Array(4), n: 1 };
    expect(Buffer.from(codec.encode(flat))).toEqual(Buffer.from(plain.pack(flat)));
  });
});

describe('other codecs', () => {
  it('json round-trips through UTF-8', () => {
    const value = { s: 'héllo ✓', n: [1, 2.5, null] };
    expect(jsonCodec.decode(jsonCodec.encode(value))).toEqual(value);
  });

  it('raw passes bytes through and refuses anything else', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(rawCodec.decode(rawCodec.encode(bytes))).toBe(bytes);
    expect(() => rawCodec.encode('text' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
