/**
 * Every TypeScript block in the READMEs and `docs/` runs, or says it is a fragment: each block
 * whose first line is not `// fragment…` is written out as a module, the lot type-checked under a
 * strict `nodenext` config against the built packages, and each run to exit within a budget.
 * `KEEP_BLOCKS=1` keeps the modules in `test/.blocks` to run them by hand.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
/** Inside the repository, so that `@weft/*` resolves to the workspace packages. */
const out = join(root, 'test', '.blocks');

interface Block {
  file: string;
  line: number;
  code: string;
  module: string;
}

function markdownFiles(): string[] {
  const files = ['README.md', 'bench/README.md'];
  for (const dir of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, dir))) files.push(`${dir}/${name}/README.md`);
  }
  const docs = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? docs(`${dir}/${e.name}`) : e.name.endsWith('.md') ? [`${dir}/${e.name}`] : [],
    );
  return [...files, ...docs('docs')].filter((f) => {
    try {
      readFileSync(join(root, f));
      return true;
    } catch {
      return false;
    }
  });
}

const blocks: Block[] = [];
const fragments: string[] = [];
for (const file of markdownFiles()) {
  const text = readFileSync(join(root, file), 'utf8');
  for (const m of text.matchAll(/^```(ts|typescript|js)\n([\s\S]*?)^```/gm)) {
    const line = text.slice(0, m.index).split('\n').length;
    const code = m[2]!;
    if (/^\/\/ fragment\b/.test(code)) {
      fragments.push(`${file}:${line}`);
      continue;
    }
    const module = `${file.replace(/[^a-z0-9]+/gi, '-')}-${line}.ts`;
    blocks.push({ file, line, code, module });
  }
}

beforeAll(() => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(
    join(out, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023', 'DOM'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        types: ['node'],
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: true,
        outDir: 'dist',
      },
      include: ['*.ts'],
    }),
  );
  for (const b of blocks) writeFileSync(join(out, b.module), `${b.code}\nexport {};\n`);
});

afterAll(() => process.env.KEEP_BLOCKS || rmSync(out, { recursive: true, force: true }));

describe('README and docs code blocks', () => {
  it('there are blocks, and every fragment says so on its first line', () => {
    expect(blocks.length).toBeGreaterThan(5);
    expect(fragments.length).toBeGreaterThan(0);
  });

  it('type-check under strict nodenext', () => {
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', out], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      const text = String((err as { stdout?: string }).stdout ?? err);
      // Name each error by the README line it comes from.
      const located = text.replace(
        /^(?:\S*\/)?([\w.-]+\.ts)\((\d+),(\d+)\)/gm,
        (_, module: string, l: string) => {
          const b = blocks.find((x) => x.module === module);
          return b === undefined ? module : `${b.file}:${b.line + Number(l)} (${module})`;
        },
      );
      throw new Error(`README blocks do not type-check:\n${located}`);
    }
  }, 60_000);

  it.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))(
    '%s runs to exit',
    (_, b) => {
      const js = join(out, 'dist', b.module.replace(/\.ts$/, '.js'));
      try {
        execFileSync(process.execPath, [js], { cwd: out, encoding: 'utf8', stdio: 'pipe', timeout: 20_000 });
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; signal?: string };
        throw new Error(
          `${relative(root, js)} (${b.file}:${b.line}) failed${e.signal ? ` (${e.signal}: did not exit)` : ''}:\n${e.stdout ?? ''}${e.stderr ?? ''}`,
        );
      }
    },
    30_000,
  );
});
