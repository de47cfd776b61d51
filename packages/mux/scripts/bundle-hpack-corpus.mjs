#!/usr/bin/env node
// Bundles the hpack-test-case corpus (https://github.com/http2jp/hpack-test-case, MIT licence) into
// test/fixtures/hpack-test-case.json.gz, so a fresh clone's tests run without ../shared.
//
//   node packages/mux/scripts/bundle-hpack-corpus.mjs [path/to/hpack-test-case]
//
// Output: { "<directory>": [ { "name": "story_00.json", "cases": [ { "seqno", "header_table_size"?,
// "wire"?, "headers": [[name, value], ...] } ] } ] } — the corpus's JSON, compacted.
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const source = resolve(process.argv[2] ?? join(here, '..', '..', '..', '..', 'shared', 'hpack-test-case'));
const fixtures = join(here, '..', 'test', 'fixtures');
const bundle = {};
for (const dir of readdirSync(source).sort()) {
  if (!statSync(join(source, dir)).isDirectory()) continue;
  bundle[dir] = readdirSync(join(source, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => {
      const story = JSON.parse(readFileSync(join(source, dir, name), 'utf8'));
      return {
        name,
        cases: story.cases.map((c) => ({
          seqno: c.seqno,
          ...(c.header_table_size == null ? {} : { header_table_size: c.header_table_size }),
          ...(c.wire === undefined ? {} : { wire: c.wire }),
          headers: c.headers.map((h) => Object.entries(h)[0]),
        })),
      };
    });
}
const gz = gzipSync(JSON.stringify(bundle), { level: 9 });
writeFileSync(join(fixtures, 'hpack-test-case.json.gz'), gz);
copyFileSync(join(source, 'LICENSE'), join(fixtures, 'hpack-test-case.LICENSE'));
console.log(`${Object.keys(bundle).length} directories, ${gz.length} bytes gzipped`);
