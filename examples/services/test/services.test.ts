/**
 * The examples run as their README says, each to exit, printing what it claims.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
// `npm test` has built them (tsc -b); the npm scripts build first.
const script = async (name: string) =>
  (await run(process.execPath, [join(root, 'dist', `${name}.js`)], { timeout: 30_000 })).stdout
    .trim()
    .split('\n');

describe('examples/services', () => {
  it('first-service: a unary call, an order, a stream left early, a refused order', async () => {
    const lines = await script('first-service');
    expect(lines[0]).toMatch(/^shop listening on 127\.0\.0\.1:\d+$/);
    expect(lines.slice(1)).toEqual([
      'tea costs 450 cents',
      'order shop-1: 900 cents',
      'tea left: 3',
      'tea left: 2',
      'tea left: 1',
      'refused: FAILED_PRECONDITION: only 3 tea left',
    ]);
  });

  it('transports: the same contract over mux, pooled and ws', async () => {
    const lines = await script('transports');
    expect(lines.map((l) => l.replace(/\d+ calls\/s/, 'N calls/s'))).toEqual([
      'mux: 2000 calls, N calls/s',
      'pooled: 2000 calls, N calls/s',
      'ws: 2000 calls, N calls/s',
    ]);
  });

  it('tls: a call over TLS, and later connections resuming the session', async () => {
    expect(await script('tls')).toEqual([
      'over TLS: tea costs 450 cents',
      'connections: 3, TLS sessions resumed: 2',
    ]);
  });

  it('discovery: calls spread over two registered servers, then go on when one leaves', async () => {
    expect(await script('discovery')).toEqual([
      '10 calls: shop-a 5, shop-b 5',
      'after shop-a left, 10 calls: shop-b 10',
    ]);
  });
});
