// After `tsc -b`: make every workspace package's `bin` files executable. npm links bins at install
// time, before the build has written them, and tsc writes new files without the executable bit, so
// `npx weft-registry` would fail on a fresh clone without this.
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const ws of workspaces) {
  const dirs = ws.endsWith('/*')
    ? readdirSync(join(root, dirname(ws))).map((d) => join(dirname(ws), d))
    : [ws];
  for (const dir of dirs) {
    const manifest = join(root, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { bin } = JSON.parse(readFileSync(manifest, 'utf8'));
    for (const file of typeof bin === 'string' ? [bin] : Object.values(bin ?? {})) {
      const path = join(root, dir, file);
      if (existsSync(path)) chmodSync(path, 0o755);
    }
  }
}
