/**
 * The hpack-test-case corpus (https://github.com/http2jp/hpack-test-case, MIT; bundled in
 * test/fixtures): every story of every encoder's directory decodes to its headers, and every raw-data
 * story round-trips through our encoder and decoder.
 */
import { describe, expect, it } from 'vitest';
import { HpackDecoder } from '../../src/hpack/decoder.js';
import { HpackEncoder } from '../../src/hpack/encoder.js';
import { hex, loadCorpus } from './helpers.js';

const corpus = loadCorpus();

describe('hpack-test-case: decoding every encoder directory', () => {
  for (const [dir, stories] of Object.entries(corpus)) {
    if (dir === 'raw-data') continue;
    it(`${dir}: ${stories.length} stories`, () => {
      let blocks = 0;
      for (const story of stories) {
        const d = new HpackDecoder();
        for (const c of story.cases) {
          if (c.header_table_size !== undefined) d.setMaxTableSize(c.header_table_size);
          const got = d.decode(hex(c.wire!)).map(([n, v]) => [n, v]);
          expect(got, `${dir}/${story.name} #${c.seqno}`).toEqual(c.headers);
          blocks++;
        }
      }
      expect(blocks).toBeGreaterThan(0);
    });
  }
});

describe('hpack-test-case: raw-data round trips through our encoder and decoder', () => {
  const stories = corpus['raw-data']!;
  for (const tableSize of [4096, 256, 0]) {
    it(`${stories.length} stories, table size ${tableSize}`, () => {
      for (const story of stories) {
        const e = new HpackEncoder({ tableSize });
        const d = new HpackDecoder({ maxTableSize: tableSize, maxHeaderListSize: 1 << 20 });
        for (const c of story.cases) {
          const got = d.decode(e.encode(c.headers));
          expect(
            got.map(([n, v]) => [n, v]),
            `${story.name} #${c.seqno}`,
          ).toEqual(c.headers);
          // Only the default-sensitive fields come back marked never-indexed.
          for (const [n, v, never] of got) {
            expect(never === true, `${n}: ${v}`).toBe(
              n === 'authorization' || (n === 'cookie' && v.length < 20),
            );
          }
        }
      }
    });
  }
});
