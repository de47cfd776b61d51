/**
 * The packages as a user gets them: `npm pack` each workspace package, install the tarballs into a
 * fresh ES module project and a fresh CommonJS one, type-check a consumer under `nodenext`
 * (without skipLibCheck, so the shipped declarations are checked too), run it, and lint each
 * package with publint and are-the-types-wrong.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const PACKAGES = ['framing', 'mux', 'rpc', 'ws'];
const bin = (pkg: string, file: string) => join(root, 'node_modules', pkg, file);
const versionOf = (pkg: string) =>
  (JSON.parse(readFileSync(bin(pkg, 'package.json'), 'utf8')) as { version: string }).version;

let dir: string;
const tarballs = new Map<string, string>();

/** Run a command to completion; a failure carries what it printed. */
function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'weft-pack-'));
  for (const name of PACKAGES) {
    const out = run('npm', ['pack', '--silent', '--pack-destination', dir], join(root, 'packages', name));
    tarballs.set(name, join(dir, out.trim().split('\n').pop()!));
  }
}, 120_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe.each(['module', 'commonjs'])('a fresh "type": "%s" project', (type) => {
  let project: string;

  beforeAll(() => {
    project = join(dir, type);
    mkdirSync(project);
    const dependencies: Record<string, string> = {
      // The optional peers, so that every entry point can load.
      'fast-check': versionOf('fast-check'),
      '@opentelemetry/api': versionOf('@opentelemetry/api'),
      '@types/node': versionOf('@types/node'),
    };
    for (const [name, tarball] of tarballs) dependencies[`@weft/${name}`] = `file:${tarball}`;
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: `consumer-${type}`, private: true, type, dependencies }),
    );
    cpSync(join(root, 'test/consumer/app.ts'), join(project, 'app.ts'));
    cpSync(join(root, 'test/consumer/tsconfig.json'), join(project, 'tsconfig.json'));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);
  }, 180_000);

  it('type-checks under nodenext, shipped declarations included', () => {
    run(process.execPath, [bin('typescript', 'bin/tsc'), '-p', '.'], project);
  }, 60_000);

  it('runs: every entry point loads and a call crosses each transport', () => {
    const out = JSON.parse(run(process.execPath, ['dist/app.js'], project)) as unknown;
    expect(out).toEqual({
      frames: 1,
      path: '/',
      replies: ['mux: Hello, Ada!', 'pooled: Hello, Ada!', 'ws: Hello, Ada!'],
    });
  }, 30_000);
});

describe.each(PACKAGES)('@weft/%s as packed', (name) => {
  it('ships its sources next to the maps that name them, and no tests', () => {
    const files = run('tar', ['-tzf', tarballs.get(name)!], dir).split('\n');
    expect(files).toContain('package/LICENSE');
    expect(files).toContain('package/src/index.ts');
    expect(files).toContain('package/dist/index.js.map');
    expect(files.filter((f) => f.startsWith('package/test/'))).toEqual([]);
  });

  it('has README links that still resolve once published', () => {
    const readme = readFileSync(join(root, 'packages', name, 'README.md'), 'utf8');
    const relative = [...readme.matchAll(/\]\(([^)#]+)[^)]*\)/g)]
      .map((m) => m[1]!)
      .filter((href) => !/^[a-z]+:/.test(href) && !/^(src|dist|proto)\//.test(href));
    expect(relative).toEqual([]);
  });

  it('is clean by publint', () => {
    const out = run(
      process.execPath,
      [bin('publint', 'src/cli.js'), '--strict', join(root, 'packages', name)],
      root,
    );
    expect(out).not.toMatch(/error|warning|suggestion/i);
  }, 60_000);

  it('is clean by are-the-types-wrong (ESM only, as documented)', () => {
    run(
      process.execPath,
      [
        bin('@arethetypeswrong/cli', 'dist/index.js'),
        tarballs.get(name)!,
        '--profile',
        'esm-only',
        '--format',
        'ascii',
      ],
      root,
    );
  }, 60_000);
});
