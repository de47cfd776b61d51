// After `tsc -b`: make every workspace package's `bin` files executable and linked in
// node_modules/.bin. On a fresh clone npm links bins at `npm ci` time, before the build has written
// them — and skips the links whose files do not exist yet — and tsc writes new files without the
// executable bit; without this, `npx weft-registry` fails on a fresh clone. (POSIX symlinks, as npm
// makes on Linux and macOS.)
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const binDir = join(root, 'node_modules', '.bin');
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const ws of workspaces) {
  const dirs = ws.endsWith('/*')
    ? readdirSync(join(root, dirname(ws))).map((d) => join(dirname(ws), d))
    : [ws];
  for (const dir of dirs) {
    const manifest = join(root, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, bin } = JSON.parse(readFileSync(manifest, 'utf8'));
    const bins = typeof bin === 'string' ? { [name.split('/').pop()]: bin } : (bin ?? {});
    for (const [command, file] of Object.entries(bins)) {
      const target = join(root, 'node_modules', name, file);
      if (!existsSync(join(root, dir, file))) continue;
      chmodSync(join(root, dir, file), 0o755);
      const link = join(binDir, command);
      let present = false;
      try {
        lstatSync(link);
        present = true;
      } catch {
        // Not linked yet.
      }
      if (!present && existsSync(join(root, 'node_modules', name))) {
        mkdirSync(binDir, { recursive: true });
        symlinkSync(relative(binDir, target), link);
      }
    }
  }
}
