/** A msgpack-only process never loads the protobuf runtime (importing it costs ~80 ms). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('serving and calling msgpack services loads no @bufbuild module', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-cost-'));
  try {
    const log = join(dir, 'modules.txt');
    const fixture = fileURLToPath(new URL('./import-cost-fixture.mjs', import.meta.url));
    expect(execFileSync(process.execPath, [fixture, log], { encoding: 'utf8' }).trim()).toBe('done');
    const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    // The hook saw the process load @weft/rpc and its dependencies...
    expect(urls.some((u) => u.includes('/packages/rpc/dist/index.js'))).toBe(true);
    expect(urls.some((u) => u.includes('/msgpackr/'))).toBe(true);
    // ...and nothing of protobuf-es.
    expect(urls.filter((u) => u.includes('@bufbuild'))).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
