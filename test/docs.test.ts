/**
 * The API reference builds (`npm run docs`, TypeDoc) with no warning: every public export
 * documented there resolves, and every `{@link}` in a doc comment points at something real.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

it('TypeDoc builds the API reference without warnings', () => {
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typedoc/bin/typedoc'), '--emit', 'none'], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`typedoc failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}, 120_000);
