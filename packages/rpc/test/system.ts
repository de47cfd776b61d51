/**
 * System programs the interop tests need (installed by `.ci/run`). On a developer's machine a
 * missing one skips its tests with a loud reason; under `CI=true` it fails them instead.
 */
import { execFileSync } from 'node:child_process';

/** Debian's python3 with the modules `modules` importable, or undefined (and a warning). */
export function debianPython(modules: string[], why: string): string | undefined {
  const python = '/usr/bin/python3';
  try {
    execFileSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
    return python;
  } catch {
    const reason = `${why}: needs ${python} with ${modules.join(', ')} (Debian python3-grpcio, python3-grpc-tools, python3-msgpack; .ci/run installs them)`;
    if (process.env.CI === 'true') throw new Error(`missing in CI — ${reason}`);
    console.warn(`SKIPPED ${reason}`);
    return undefined;
  }
}
