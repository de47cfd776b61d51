/** Real discovery back-ends and real server processes for the discovery and fault tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EtcdGateway } from '../src/etcd/gateway.js';
import { eventually, freePort } from './fixtures.js';

export const etcdBin = ['/usr/bin/etcd', '/usr/local/bin/etcd'].find((p) => existsSync(p));

/** A real etcd on loopback ports of its own, with a data directory that survives restarts. */
export class EtcdProcess {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'weft-etcd-'));
  clientPort = 0;
  peerPort = 0;
  #child: ChildProcess | undefined;

  /** `etcd://127.0.0.1:port/prefix`. */
  target(prefix: string): string {
    return `etcd://127.0.0.1:${this.clientPort}/${prefix}`;
  }

  async start(): Promise<void> {
    if (this.clientPort === 0) {
      this.clientPort = await freePort();
      this.peerPort = await freePort();
    }
    this.#child = spawn(
      etcdBin!,
      [
        '--name=weft',
        `--data-dir=${this.dataDir}`,
        `--listen-client-urls=http://127.0.0.1:${this.clientPort}`,
        `--advertise-client-urls=http://127.0.0.1:${this.clientPort}`,
        `--listen-peer-urls=http://127.0.0.1:${this.peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${this.peerPort}`,
        `--initial-cluster=weft=http://127.0.0.1:${this.peerPort}`,
      ],
      { stdio: 'ignore' },
    );
    const gateway = new EtcdGateway(`127.0.0.1:${this.clientPort}`, 500);
    await eventually(
      () =>
        gateway.range('probe/').then(
          () => true,
          () => false,
        ),
      15_000,
    );
  }

  /** SIGKILL, and wait until it is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * A server in a child process serving `service` with a unary idempotent `who` answering `name`,
 * registered at `target` with `ttlSeconds`; resolves once it has registered.
 */
export async function serverProcess(
  service: string,
  name: string,
  target: string,
  ttlSeconds: number,
): Promise<ChildProcess> {
  const dist = join(import.meta.dirname, '..', 'dist', 'index.js');
  const script = `
    import { createServer, defineService, unary } from ${JSON.stringify(dist)};
    const S = defineService(${JSON.stringify(service)}, { who: unary({ idempotent: true }) });
    const server = createServer();
    server.add(S, { who: async () => ({ text: ${JSON.stringify(name)} }) });
    await server.listen({ register: { target: ${JSON.stringify(target)}, ttlSeconds: ${ttlSeconds} } });
    console.log('ready');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server ${name} exited (${code})`)));
  });
  return child;
}

/**
 * Call `call` one at a time (5 ms apart) for `ms`; returns how many calls were made and how many
 * failed — the load the kill-a-server tests keep up while an endpoint dies.
 */
export async function callFor(
  ms: number,
  call: () => Promise<unknown>,
): Promise<{ calls: number; failures: number }> {
  const t0 = Date.now();
  let calls = 0;
  let failures = 0;
  while (Date.now() - t0 < ms) {
    calls++;
    await call().catch(() => failures++);
    await new Promise((r) => setTimeout(r, 5));
  }
  return { calls, failures };
}
