import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';

export const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Assert that `fn` throws an error with `code`. */
export function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected a throw with code ${code}`).toBeDefined();
  expect((thrown as { code?: string }).code, String(thrown)).toBe(code);
}

export interface CorpusCase {
  seqno: number;
  header_table_size?: number;
  wire?: string;
  headers: [string, string][];
}
export type Corpus = Record<string, { name: string; cases: CorpusCase[] }[]>;

let corpus: Corpus | undefined;
/** The hpack-test-case corpus (MIT), bundled by scripts/bundle-hpack-corpus.mjs. */
export function loadCorpus(): Corpus {
  corpus ??= JSON.parse(
    gunzipSync(readFileSync(new URL('../fixtures/hpack-test-case.json.gz', import.meta.url))).toString(
      'utf8',
    ),
  ) as Corpus;
  return corpus;
}
