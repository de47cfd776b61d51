/**
 * Discovery as plug-ins: a scheme registered with `registerResolver` is what a client's target
 * resolves through, one registered with `registerRegistrar` is where a server registers itself; the
 * built-in `registry://` and `etcd://` are plug-ins of the same kind.
 */
import { describe, expect, it } from 'vitest';
import {
  type Address,
  createClient,
  createServer,
  defineService,
  type RegisteredAddress,
  registerRegistrar,
  registerResolver,
  unary,
} from '../src/index.js';

const Echo = defineService('weft.test.v1.Echo', { echo: unary<{ n: number }, { n: number }>() });

describe('discovery plug-ins', () => {
  it('a client resolves a registered scheme through its factory, with its service name', async () => {
    const server = createServer();
    server.add(Echo, { echo: async (m) => m });
    const { port } = await server.listen();
    const asked: { target: string; service: string }[] = [];
    registerResolver('memory', (target, { service }) => {
      asked.push({ target, service });
      let closed = false;
      return {
        start(onUpdate) {
          if (!closed) onUpdate([{ host: '127.0.0.1', port } satisfies Address]);
        },
        refresh() {},
        close() {
          closed = true;
        },
      };
    });
    const client = createClient(Echo, { target: 'memory://echoes' });
    try {
      expect(await client.echo({ n: 7 }, { timeoutMs: 5000 })).toEqual({ n: 7 });
    } finally {
      client.close();
      await server.close({ graceMs: 50 });
    }
    expect(asked).toEqual([{ target: 'memory://echoes', service: 'weft.test.v1.Echo' }]);
  });

  it('a server registers at a registered scheme on listen and leaves on close', async () => {
    const events: string[] = [];
    let registered: { services: string[]; address: RegisteredAddress; ttl: number } | undefined;
    registerRegistrar('memory', {
      check(target) {
        if (!target.startsWith('memory://')) throw new Error('not mine');
        events.push(`check ${target}`);
      },
      create(target, services, address, ttl) {
        registered = { services, address, ttl };
        return {
          start: async () => void events.push(`start ${target}`),
          stop: async () => void events.push(`stop ${target}`),
        };
      },
    });
    const server = createServer();
    server.add(Echo, { echo: async (m) => m });
    const { port } = await server.listen({ register: { target: 'memory://here', ttlSeconds: 3 } });
    await server.close({ graceMs: 50 });
    expect(events).toEqual(['check memory://here', 'start memory://here', 'stop memory://here']);
    expect(registered).toEqual({
      services: ['weft.test.v1.Echo'],
      address: { host: '127.0.0.1', port },
      ttl: 3,
    });
  });

  it('refuses the channel’s own schemes and malformed ones, and unknown register targets', async () => {
    const factory = () => ({ start() {}, refresh() {}, close() {} });
    for (const scheme of ['static', 'dns', 'dns+srv', 'Upper', '1x', 'a b'])
      expect(() => registerResolver(scheme, factory), scheme).toThrow(
        expect.objectContaining({ code: 'RPC_ERR_INVALID_OPTION' }),
      );
    const server = createServer();
    server.add(Echo, { echo: async (m) => m });
    await expect(server.listen({ register: { target: 'nowhere://x' } })).rejects.toMatchObject({
      code: 'RPC_ERR_INVALID_TARGET',
      message: expect.stringContaining('registry://'),
    });
    await server.close({ graceMs: 10 });
  });
});
