/**
 * HPACK, @weft/mux/hpack vs hpack.js, side by side in one run: encode + decode every block of the
 * hpack-test-case raw-data stories (one encoder/decoder pair per story, 4096-byte tables), in
 * fields per second. Target: ≥ 5× hpack.js.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { HpackDecoder, HpackEncoder } from '@weft/mux/hpack';
import type { MicroGroup } from '../src/micro.js';

interface HpackJs {
  compressor: {
    create(o: object): { write(h: { name: string; value: string }[]): void; read(): Buffer | null };
  };
  decompressor: { create(o: object): { write(b: Buffer): void; execute(): void; read(): unknown } };
}

const require = createRequire(import.meta.url);
const hpackjs = require('hpack.js') as HpackJs;

type Story = { cases: { headers: [string, string][] }[] };

function rawData(): Story[] {
  const root = dirname(require.resolve('@weft/mux/package.json'));
  const corpus = JSON.parse(
    gunzipSync(readFileSync(join(root, 'test', 'fixtures', 'hpack-test-case.json.gz'))).toString(),
  );
  return corpus['raw-data'] as Story[];
}

/** The HPACK micro suite. */
export function hpackGroups(): MicroGroup[] {
  const stories = rawData();
  const asObjects = stories.map((s) =>
    s.cases.map((c) => c.headers.map(([name, value]) => ({ name, value }))),
  );
  let fields = 0;
  for (const s of stories) for (const c of s.cases) fields += c.headers.length;
  return [
    {
      suite: 'hpack',
      title: 'encode + decode, hpack-test-case raw-data',
      unit: 'fields',
      target: { ratio: 5, case: 'weft HpackEncoder + HpackDecoder' },
      cases: [
        {
          name: 'hpack.js 2.1.6',
          baseline: true,
          unitsPerOp: fields,
          expect: fields,
          fn: () => {
            let n = 0;
            for (const story of asObjects) {
              const comp = hpackjs.compressor.create({ table: { size: 4096 } });
              const decomp = hpackjs.decompressor.create({ table: { size: 4096 } });
              for (const headers of story) {
                comp.write(headers);
                for (let b = comp.read(); b !== null; b = comp.read()) decomp.write(b);
                decomp.execute();
                while (decomp.read() !== null) n++;
              }
            }
            return n;
          },
        },
        {
          name: 'weft HpackEncoder + HpackDecoder',
          unitsPerOp: fields,
          expect: fields,
          fn: () => {
            let n = 0;
            for (const story of stories) {
              const e = new HpackEncoder();
              const d = new HpackDecoder({ maxHeaderListSize: 1 << 20 });
              for (const c of story.cases) n += d.decode(e.encode(c.headers)).length;
            }
            return n;
          },
        },
      ],
    },
  ];
}
