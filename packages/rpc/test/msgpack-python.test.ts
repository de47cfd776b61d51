/**
 * The default codec is standard MessagePack: Python's msgpack (Debian python3-msgpack) decodes
 * what it writes — arrays of objects included, where msgpackr records once went — with ext types
 * refused, and what Python writes decodes here.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { msgpackCodec } from '../src/index.js';
import { debianPython } from './system.js';

const python = debianPython(['msgpack'], 'standard MessagePack against Python');
const script = fileURLToPath(new URL('./python/msgpack_roundtrip.py', import.meta.url));

function throughPython(docs: Uint8Array[]): { value: unknown; hex: string }[] {
  const input = JSON.stringify(docs.map((d) => Buffer.from(d).toString('hex')));
  return JSON.parse(execFileSync(python!, [script], { input, encoding: 'utf8' }));
}

/** JSON's view of a decoded message, bytes as `{ $bytes: base64 }` (as the script prints them). */
function asJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(asJson);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asJson(v)]));
  }
  return value;
}

const message = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      fc.string().filter((k) => k !== '__proto__'),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

describe.skipIf(python === undefined)('the default msgpack codec and Python msgpack', () => {
  const codec = msgpackCodec();
  const rows = {
    sku: 'A-1',
    name: 'widget',
    stock: 3,
    tags: ['x', 'y'],
    items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `n${i}`, ok: i % 2 === 0 })),
    blob: new Uint8Array([0, 1, 255]),
  };

  it('Python decodes a message with arrays of objects, and its bytes decode back here', () => {
    const [out] = throughPython([codec.encode(rows)]);
    expect(out!.value).toEqual(asJson(rows));
    expect(asJson(codec.decode(Buffer.from(out!.hex, 'hex')))).toEqual(asJson(rows));
  });

  it('property: whatever the codec writes, Python reads the same value', () => {
    const samples = fc.sample(message, { numRuns: 200, seed: 42 });
    const results = throughPython(samples.map((s) => codec.encode(s)));
    results.forEach((r, i) => {
      expect(r.value).toEqual(asJson(samples[i]));
      expect(asJson(codec.decode(Buffer.from(r.hex, 'hex')))).toEqual(asJson(samples[i]));
    });
  });

  it('opted-in records are not plain MessagePack (Python refuses the ext type)', () => {
    const records = msgpackCodec({ useRecords: true });
    expect(() => throughPython([records.encode(rows)])).toThrow(/ext type/);
  });
});
