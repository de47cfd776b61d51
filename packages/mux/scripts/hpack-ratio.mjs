#!/usr/bin/env node
// Compression ratio on the hpack-test-case raw-data stories: total encoded bytes / total name+value
// bytes (the corpus's own formula), for our encoder and for every encoder whose output the corpus
// holds (same stories). Needs a build (npm run build).
//
//   node packages/mux/scripts/hpack-ratio.mjs [--table 4096]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { HpackDecoder, HpackEncoder } from '../dist/hpack/index.js';

const { values } = parseArgs({ options: { table: { type: 'string', default: '4096' } } });
const tableSize = Number(values.table);
const here = dirname(fileURLToPath(import.meta.url));
const corpus = JSON.parse(
  gunzipSync(readFileSync(join(here, '..', 'test', 'fixtures', 'hpack-test-case.json.gz'))).toString(),
);

const plainBytes = (stories) => {
  let n = 0;
  for (const s of stories) for (const c of s.cases) for (const [k, v] of c.headers) n += k.length + v.length;
  return n;
};

const rows = [];
const raw = corpus['raw-data'];
const rawBytes = plainBytes(raw);
let ours = 0;
for (const story of raw) {
  const e = new HpackEncoder({ tableSize });
  const d = new HpackDecoder({ maxTableSize: tableSize, maxHeaderListSize: 1 << 20 });
  for (const c of story.cases) {
    const block = e.encode(c.headers);
    ours += block.length;
    const back = d.decode(block);
    if (back.length !== c.headers.length) throw new Error(`round trip failed in ${story.name}`);
  }
}
rows.push(['weft (@weft/mux/hpack)', ours / rawBytes]);

// hpack.js ignores a table size option: it is measured at its (and the protocol's) default only.
if (tableSize === 4096)
  try {
    const { createRequire } = await import('node:module');
    const hpack = createRequire(import.meta.url)('hpack.js');
    let n = 0;
    for (const story of raw) {
      const comp = hpack.compressor.create({ table: { size: 4096 } });
      for (const c of story.cases) {
        comp.write(c.headers.map(([name, value]) => ({ name, value })));
        n += Buffer.concat(comp.read ? drain(comp) : []).length;
      }
    }
    rows.push(['hpack.js 2.1.6 (measured here)', n / rawBytes]);
  } catch (err) {
    rows.push([`hpack.js: not measured (${err.message})`, Number.NaN]);
  }

function drain(stream) {
  const chunks = [];
  for (let c = stream.read(); c !== null; c = stream.read()) chunks.push(c);
  return chunks;
}

if (tableSize === 4096) {
  for (const [dir, stories] of Object.entries(corpus)) {
    if (dir === 'raw-data' || dir === 'nghttp2-change-table-size') continue;
    let wire = 0;
    for (const s of stories) for (const c of s.cases) wire += c.wire.length / 2;
    rows.push([`${dir} (from the corpus)`, wire / plainBytes(stories)]);
  }
}

rows.sort((a, b) => a[1] - b[1]);
console.log(
  `HPACK compression ratio on hpack-test-case raw-data (${raw.length} stories, table ${tableSize}, lower is better)`,
);
for (const [name, ratio] of rows) console.log(`  ${ratio.toFixed(4)}  ${name}`);
