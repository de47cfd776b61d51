/**
 * The .proto example runs as its README says: `npm start` prints the greeting and the ticks, and
 * the checked-in generated code is what `npm run generate` writes from proto/.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

describe('examples/greeter', () => {
  it('npm start: a server and a client that greets it and counts', async () => {
    // `npm test` has built it (tsc -b); `npm start` would build it first.
    const { stdout } = await run(process.execPath, [join(root, 'dist/main.js')], { timeout: 20_000 });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^greeter listening on 127\.0\.0\.1:\d+$/);
    expect(lines.slice(1)).toEqual(['Hello, Ada!', 'tick 1', 'tick 2', 'tick 3']);
  });

  it('src/gen is what npm run generate writes', async () => {
    const out = mkdtempSync(join(tmpdir(), 'weft-greeter-gen-'));
    try {
      await run('npx', ['buf', 'generate', '--output', out], { cwd: root, timeout: 60_000 });
      const file = 'src/gen/greeter/v1/greeter_pb.ts';
      expect(readFileSync(join(out, file), 'utf8')).toBe(readFileSync(join(root, file), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
