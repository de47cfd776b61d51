/**
 * Our equivalents of the Autobahn test suite's sections 12 (compressed messages of many sizes and
 * kinds, echoed) and 13 (each combination of permessage-deflate parameters), against the ws package
 * in both roles.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WsPackage, { WebSocketServer as WsPackageServer } from 'ws';
import type { PerMessageDeflateOptions } from '../../src/index.js';
import { WebSocket, WebSocketServer } from '../../src/node/index.js';

type Sock = {
  on(e: 'message', l: (d: Buffer, binary: boolean) => void): unknown;
  once(e: string, l: (...a: never[]) => void): unknown;
  send(d: string | Buffer, o?: { binary?: boolean }): void;
  close(code?: number): void;
  extensions: string | object;
};

const SIZES = [16, 64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576];
const textOf = (n: number) =>
  Array.from({ length: Math.ceil(n / 40) }, (_, i) => `line ${i}: lorem ipsum dolor sit amet\n`)
    .join('')
    .slice(0, n);

/** Echo `count` messages of each size, text then random binary, and compare what comes back. */
async function echoSizes(client: Sock, count: number, sizes = SIZES): Promise<void> {
  const sent: Array<string | Buffer> = [];
  for (const n of sizes) {
    for (let i = 0; i < count; i++) sent.push(textOf(n + i), randomBytes(n));
  }
  const got: Buffer[] = [];
  const done = new Promise<void>((resolve) =>
    client.on('message', (d) => {
      got.push(Buffer.from(d));
      if (got.length === sent.length) resolve();
    }),
  );
  for (const m of sent) client.send(m);
  await done;
  for (let i = 0; i < sent.length; i++) {
    const want = typeof sent[i] === 'string' ? Buffer.from(sent[i] as string) : (sent[i] as Buffer);
    expect(got[i]!.equals(want), `message ${i}`).toBe(true);
  }
}

const echo = (ws: Sock) => ws.on('message', (d, binary) => ws.send(d, { binary }));
const opened = (s: Sock) => new Promise((r) => s.once('open', r as never));
const closed = (s: Sock) => new Promise((r) => s.once('close', r as never));

/** Section 13's parameter sets (13.1-13.7 use these offers and acceptances). */
const PARAMS: Array<[string, PerMessageDeflateOptions]> = [
  ['defaults', {}],
  ['server_no_context_takeover', { serverNoContextTakeover: true }],
  ['client_no_context_takeover', { clientNoContextTakeover: true }],
  ['both no_context_takeover', { serverNoContextTakeover: true, clientNoContextTakeover: true }],
  ['server_max_window_bits=9', { serverMaxWindowBits: 9 }],
  ['client_max_window_bits=9', { clientMaxWindowBits: 9 }],
  [
    'both 9 bits, no takeover',
    {
      serverMaxWindowBits: 9,
      clientMaxWindowBits: 9,
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
    },
  ],
  ['both 15 bits', { serverMaxWindowBits: 15, clientMaxWindowBits: 15 }],
];

/** The response parameters a server configured with `o` must send (the ws client offers client_max_window_bits). */
function wireParams(o: PerMessageDeflateOptions): string[] {
  return [
    ...(o.serverNoContextTakeover ? ['server_no_context_takeover'] : []),
    ...(o.clientNoContextTakeover ? ['client_no_context_takeover'] : []),
    ...(o.serverMaxWindowBits === undefined ? [] : [`server_max_window_bits=${o.serverMaxWindowBits}`]),
    ...(o.clientMaxWindowBits === undefined ? [] : [`client_max_window_bits=${o.clientMaxWindowBits}`]),
  ];
}

describe('Autobahn 12 equivalent: compressed echo of 16 B to 1 MiB, text and random binary', () => {
  let server: WebSocketServer;
  let url: string;
  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { threshold: 0 } });
    server.on('connection', (ws: WebSocket) => echo(ws as never));
    await new Promise((r) => server.once('listening', r));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('ws client -> weft server, 5 of each', async () => {
    const c = new WsPackage(url, { perMessageDeflate: { threshold: 0 } }) as unknown as Sock;
    await opened(c);
    await echoSizes(c, 5);
    c.close();
  });

  it('weft client -> weft server, 5 of each', async () => {
    const c = new WebSocket(url, undefined, { perMessageDeflate: { threshold: 0 } }) as unknown as Sock;
    await opened(c);
    expect(c.extensions).toBe('permessage-deflate');
    await echoSizes(c, 5);
    c.close();
  });
});

/**
 * One section-13 case: an echoing `server`, a client from `connect`, `check` on the open client and
 * the servers' `Sec-WebSocket-Extensions` answers, then three sizes echoed and a clean close.
 */
async function deflateCase(
  server: WebSocketServer | WsPackageServer,
  connect: (url: string) => Sock,
  check: (client: Sock, answers: string[]) => void,
): Promise<void> {
  const answers: string[] = [];
  server.on('connection', (ws: Sock) => {
    answers.push(String(ws.extensions));
    echo(ws);
  });
  await new Promise((r) => server.once('listening', r));
  try {
    const c = connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await opened(c);
    check(c, answers);
    await echoSizes(c, 3, [64, 4096, 65_536]);
    c.close();
    await closed(c);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const listen = { port: 0, host: '127.0.0.1' };

describe('Autobahn 13 equivalent: each parameter combination', () => {
  for (const [name, params] of PARAMS) {
    it(`ws client offers ${name} -> weft server accepts it`, () =>
      deflateCase(
        new WebSocketServer({ ...listen, perMessageDeflate: { threshold: 0 } }),
        (url) => new WsPackage(url, { perMessageDeflate: { ...params, threshold: 0 } }) as unknown as Sock,
        (c, answers) => {
          expect(c.extensions).toMatch(/^permessage-deflate/);
          // The server's own parameters the client asked for are confirmed (RFC 7692 §7.1.1-7.1.2).
          const asked = wireParams(params).filter((p) => !p.startsWith('client_max_window_bits'));
          for (const p of asked) expect(answers[0]).toContain(p);
        },
      ));

    it(`weft client offers ${name} -> ws server`, () =>
      deflateCase(
        new WsPackageServer({ ...listen, perMessageDeflate: { threshold: 0 } }),
        (url) =>
          new WebSocket(url, undefined, {
            perMessageDeflate: { ...params, threshold: 0 },
          }) as unknown as Sock,
        (c) => expect(c.extensions).toMatch(/^permessage-deflate/),
      ));

    it(`weft server configured with ${name} -> ws client`, () =>
      deflateCase(
        new WebSocketServer({ ...listen, perMessageDeflate: { ...params, threshold: 0 } }),
        (url) => new WsPackage(url, { perMessageDeflate: { threshold: 0 } }) as unknown as Sock,
        (c, answers) => {
          // Our answer carried every configured parameter, and the ws client accepted it.
          expect(c.extensions).toBe('permessage-deflate');
          expect(answers[0]).toMatch(/^permessage-deflate/);
          for (const p of wireParams(params)) expect(answers[0]).toContain(p);
        },
      ));
  }
});
