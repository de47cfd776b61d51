import net from 'node:net';
import {
  bidiStream,
  type Client,
  clientStream,
  createServer,
  defineService,
  errorDetails,
  type Metadata,
  RpcError,
  rawCodec,
  type Server,
  type ServerCallContext,
  type ServerOptions,
  Status,
  serverStream,
  type TransportKind,
  unary,
} from '../src/index.js';

export interface Msg {
  text?: string;
  n?: number;
  sleepMs?: number;
  code?: number;
  bytes?: Uint8Array;
  size?: number;
  count?: number;
}

/** The service the conformance suite runs on every transport. */
export const Test = defineService('weft.test.v1.Test', {
  echo: unary<Msg, Msg>({ idempotent: true }),
  count: serverStream<Msg, Msg>(),
  sum: clientStream<Msg, Msg>(),
  chat: bidiStream<Msg, Msg>(),
  big: unary<Msg, Msg>({ maxMessageBytes: 16 * 1024 * 1024 }),
  small: unary<Msg, Msg>({ maxMessageBytes: 1024 }),
  sized: unary<Msg, Msg>(),
  fail: unary<Msg, Msg>(),
  throwPlain: unary<Msg, Msg>(),
  /** Handlers that are not async: they return their response, or throw, synchronously. */
  syncEcho: unary<Msg, Msg>(),
  throwSync: unary<Msg, Msg>(),
  sleep: unary<Msg, Msg>(),
  sleepStream: serverStream<Msg, Msg>(),
  meta: unary<Msg, Msg>(),
  flood: serverStream<Msg, Msg>(),
  /** `n` messages, a pause of `sleepMs`, `n` more, then the status. */
  burst: serverStream<Msg, Msg>(),
  slowSum: clientStream<Msg, Msg>(),
  nested: unary<Msg, Msg>(),
});

/** The same service with raw bytes labelled msgpack: sends bytes the msgpack methods cannot decode. */
export const RawTest = defineService(
  'weft.test.v1.Test',
  { echo: unary<Uint8Array, Uint8Array>() },
  { codec: { ...rawCodec, name: 'msgpack' } },
);

/** The same service in another encoding (content-subtype `raw`): the server refuses it by name. */
export const OtherEncodingTest = defineService(
  'weft.test.v1.Test',
  { echo: unary<Uint8Array, Uint8Array>() },
  { codec: rawCodec },
);

/** A service the server does not serve. */
export const Missing = defineService('weft.test.v1.Missing', { nothing: unary<Msg, Msg>() });

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/** What handlers observed, for assertions. */
export interface Observed {
  aborted: string[];
  produced: number;
  consumed: number;
  lastMetadata: Metadata | undefined;
  /** `ctx.peer` of the last `meta` call. */
  lastPeer: string | undefined;
  streamEnded: string[];
}

/** A client of the test service. */
export type TestClient = Client<typeof Test.methods>;

export function startTestServer(options: ServerOptions = {}): {
  server: Server;
  observed: Observed;
  setNestedClient: (client: TestClient) => void;
} {
  const observed: Observed = {
    aborted: [],
    produced: 0,
    consumed: 0,
    lastMetadata: undefined,
    lastPeer: undefined,
    streamEnded: [],
  };
  const server = createServer(options);
  const watch = (ctx: ServerCallContext, label: string) =>
    ctx.signal.addEventListener('abort', () => observed.aborted.push(label));
  let nestedClient: TestClient | undefined;
  server.add(Test, {
    echo: async (req) => req,
    async *count(req) {
      for (let i = 0; i < (req.n ?? 0); i++) yield { n: i };
    },
    async *burst(req) {
      const n = req.n ?? 0;
      for (let i = 0; i < n; i++) yield { n: i };
      await sleep(req.sleepMs ?? 0);
      for (let i = n; i < 2 * n; i++) yield { n: i };
    },
    async sum(reqs) {
      let total = 0;
      for await (const r of reqs) total += r.n ?? 0;
      return { n: total };
    },
    async *chat(reqs, ctx) {
      watch(ctx, 'chat');
      try {
        for await (const m of reqs) yield m;
      } finally {
        observed.streamEnded.push('chat');
      }
    },
    big: async (req) => req,
    small: async (req) => req,
    sized: async (req) => ({ bytes: new Uint8Array(req.size ?? 0) }),
    fail: async (req) => {
      throw new RpcError((req.code ?? Status.UNKNOWN) as Status, req.text ?? '', {
        details: [errorDetails.errorInfo({ reason: 'TEST', domain: 'weft.test', metadata: { why: 'test' } })],
      });
    },
    throwPlain: async () => {
      throw new Error('secret internal detail');
    },
    syncEcho: (req) => ({ text: `sync ${req.text ?? ''}` }),
    throwSync: () => {
      throw new Error('secret synchronous detail');
    },
    sleep: async (req, ctx) => {
      watch(ctx, 'sleep');
      await sleep(req.sleepMs ?? 0, ctx.signal);
      return { text: ctx.cancelled ? 'cancelled' : 'done' };
    },
    async *sleepStream(req, ctx) {
      watch(ctx, 'sleepStream');
      try {
        for (let i = 0; ; i++) {
          yield { n: i };
          await sleep(req.sleepMs ?? 10, ctx.signal);
        }
      } finally {
        observed.streamEnded.push('sleepStream');
      }
    },
    meta: async (_req, ctx) => {
      observed.lastMetadata = ctx.metadata;
      observed.lastPeer = ctx.peer;
      ctx.setHeader('x-header', 'h');
      ctx.setTrailer('x-trailer', 't');
      ctx.setTrailer('x-trailer-bin', new Uint8Array([0, 1, 2, 255]));
      return { text: String(ctx.metadata.get('x-token')) };
    },
    async *flood(req) {
      for (let i = 0; i < (req.n ?? 0); i++) {
        observed.produced++;
        yield { n: i, bytes: new Uint8Array(req.size ?? 0) };
      }
    },
    async slowSum(reqs) {
      let total = 0;
      for await (const r of reqs) {
        observed.consumed++;
        total += r.n ?? 0;
        await sleep(5);
      }
      return { n: total };
    },
    nested: async (req, ctx) => {
      // An outgoing call made inside a handler inherits the handler's (shorter) deadline.
      const started = Date.now();
      try {
        await nestedClient!.sleep({ sleepMs: req.sleepMs ?? 0 }, { timeoutMs: 60_000 });
        return { text: 'finished' };
      } catch (err) {
        return { text: `${(err as RpcError).code}`, n: Date.now() - started, count: ctx.deadline ?? 0 };
      }
    },
  });
  return { server, observed, setNestedClient: (c: TestClient) => (nestedClient = c) };
}

export const TRANSPORTS: TransportKind[] = ['mux', 'pooled', 'ws'];

/** Resolves when `predicate` holds, polling; rejects after `ms`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

/** Resolves true when `socket` closes within `ms`, false if it is still open then. */
export const closedWithin = (socket: net.Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    socket.on('close', () => {
      clearTimeout(t);
      resolve(true);
    });
    socket.on('error', () => {});
  });

/** A loopback port nothing listens on (just freed; for servers to bind, or as a dead endpoint). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
