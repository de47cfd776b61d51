/**
 * Stream priorities through the Node adapter: `stream.setPriority()` on a client sends
 * PRIORITY_UPDATE, and the server serves the more urgent stream first.
 */
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connect, createServer, type MuxStream } from '../../src/node/index.js';

describe('stream.setPriority', () => {
  it.each([true, false])('a client raises a later stream above an earlier one (set: %s)', async (raise) => {
    const waiting: MuxStream[] = [];
    const server = createServer({}, (stream: MuxStream) => {
      waiting.push(stream);
      if (waiting.length < 2) return;
      // Both requests are in (and the PRIORITY_UPDATE with them): answer both at once.
      setTimeout(() => {
        for (const s of waiting) {
          s.respond({ ':status': 200 });
          s.end(Buffer.alloc(2 << 20));
        }
      }, 50);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const session = connect(`http://127.0.0.1:${port}`);
    try {
      const finished: string[] = [];
      const fetch = (name: string) => {
        const s = session.request({ ':path': `/${name}` }, { endStream: true });
        s.resume();
        return { s, done: new Promise<void>((r) => s.on('end', () => r(void finished.push(name)))) };
      };
      const a = fetch('a');
      const b = fetch('b');
      if (raise) b.s.setPriority({ urgency: 0 });
      await Promise.all([a.done, b.done]);
      expect(finished).toEqual(raise ? ['b', 'a'] : ['a', 'b']);
    } finally {
      session.destroy();
      server.close();
    }
  });

  it('refuses an urgency outside 0-7', async () => {
    const server = createServer({}, () => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const session = connect(`http://127.0.0.1:${port}`);
    try {
      const s = session.request({ ':path': '/' }, { endStream: true });
      s.on('error', () => {});
      expect(() => s.setPriority({ urgency: 9 })).toThrow(
        expect.objectContaining({ code: 'MUX_ERR_INVALID_OPTION' }),
      );
    } finally {
      session.destroy();
      server.close();
    }
  });
});
