#!/usr/bin/env node
/**
 * Fails when the runtime imports between the TypeScript files of a package's `src/` form a cycle.
 * Type-only imports (`import type`, `export type`) are erased at build time and do not count.
 * Usage: node scripts/check-import-cycles.mjs [package dirs...] (default: every workspace package).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dirs =
  process.argv.length > 2
    ? process.argv.slice(2).map((d) => resolve(d))
    : readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p));

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Relative runtime imports and re-exports of one file, as absolute .ts paths. */
function imports(file) {
  const text = readFileSync(file, 'utf8');
  const out = [];
  const re =
    /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s+['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]/gm;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[2] !== undefined) continue; // import type / export type
    const clause = m[3] ?? '';
    // `import { type A, type B } from` imports nothing at run time.
    const braces = /^\{([^}]*)\}$/.exec(clause.trim());
    if (braces?.[1].split(',').every((n) => n.trim() === '' || n.trim().startsWith('type '))) continue;
    const spec = m[4] ?? m[5];
    out.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return out;
}

let cycles = 0;
for (const dir of dirs) {
  const src = join(dir, 'src');
  let all;
  try {
    all = files(src);
  } catch {
    continue;
  }
  const graph = new Map(all.map((f) => [f, imports(f).filter((t) => t !== f)]));
  const state = new Map(); // 1: on the stack, 2: done
  const stack = [];
  const seen = new Set();
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (!graph.has(t)) continue;
      if (state.get(t) === 1) {
        const cycle = stack.slice(stack.indexOf(t)).map((p) => relative(root, p));
        const key = [...cycle].sort().join('|');
        if (!seen.has(key)) {
          seen.add(key);
          cycles++;
          console.error(`import cycle: ${[...cycle, relative(root, t)].join(' → ')}`);
        }
      } else if (state.get(t) === undefined) visit(t);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of all) if (state.get(f) === undefined) visit(f);
}
if (cycles > 0) {
  console.error(`${cycles} import cycle(s) in src/`);
  process.exit(1);
}
console.log('no import cycles in src/');
