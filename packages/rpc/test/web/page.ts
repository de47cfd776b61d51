/**
 * The browser side of `web-chromium.test.ts`, bundled with esbuild and served by the test's Weft
 * server: each function runs one scenario with `@weft/rpc/web` and reports a plain object.
 */
import { createClient, decodeDetail, isRpcError } from '../../src/web/index.js';
import { type Msg, WebTest } from './contract.js';

const page = globalThis as unknown as { location: { origin: string }; weft: unknown };
const client = createClient(WebTest, { target: page.location.origin, maxMessageBytes: 8 * 1024 * 1024 });
const gzipping = createClient(WebTest, { target: page.location.origin, compression: { thresholdBytes: 1 } });

/** An error as the test reads it. */
function failure(err: unknown) {
  return isRpcError(err)
    ? { code: err.code, message: err.message, details: err.details.map(decodeDetail) }
    : { code: -1, message: String(err), details: [] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Requests pushed by the page as it goes, for the streaming shapes. */
function queue<T>() {
  const items: T[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  return {
    push(item: T) {
      items.push(item);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (items.length > 0) yield items.shift()!;
        else if (ended) return;
        else await new Promise<void>((r) => (wake = r));
      }
    },
  };
}

page.weft = {
  async unary() {
    let header: unknown;
    let trailer: unknown;
    const res = await client.echo(
      { text: 'héllo', n: 7 },
      {
        timeoutMs: 5000,
        metadata: { 'x-token': 'abc', 'x-bin': new Uint8Array([0, 255]) },
        onHeaders: (h) => (header = h.get('x-header')),
        onTrailers: (t) => (trailer = t.get('x-trailer')),
      },
    );
    return { res, header, trailer };
  },
  async serverStream() {
    const got: number[] = [];
    for await (const m of client.count({ n: 100 }, { timeoutMs: 5000 })) got.push(m.n!);
    return got;
  },
  async clientStream() {
    async function* numbers() {
      for (let i = 1; i <= 100; i++) yield { n: i };
    }
    return client.sum(numbers(), { timeoutMs: 5000 });
  },
  async bidi() {
    // Full duplex: each message goes out only after the previous one came back.
    const requests = queue<Msg>();
    const replies = client.chat(requests, { timeoutMs: 5000 });
    const got: string[] = [];
    requests.push({ text: 'm0' });
    for await (const m of replies) {
      got.push(m.text!);
      if (got.length === 20) requests.end();
      else requests.push({ text: `m${got.length}` });
    }
    return got;
  },
  async cancel() {
    const controller = new AbortController();
    let got = 0;
    try {
      for await (const _ of client.ticks({ sleepMs: 20 }, { signal: controller.signal, timeoutMs: 10_000 })) {
        if (++got === 3) controller.abort();
      }
      return { got, error: undefined };
    } catch (err) {
      return { got, error: failure(err) };
    }
  },
  async deadline() {
    const started = Date.now();
    const error = await client.sleep({ sleepMs: 10_000 }, { timeoutMs: 300 }).then(
      () => undefined,
      (err) => failure(err),
    );
    return { error, ms: Date.now() - started };
  },
  async big() {
    const bytes = new Uint8Array(1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
    const res = await client.echo({ bytes }, { timeoutMs: 10_000 });
    const back = res.bytes!;
    let same = back.length === bytes.length;
    for (let i = 0; same && i < bytes.length; i++) same = back[i] === bytes[i];
    return { length: back.length, same };
  },
  async slowReader() {
    // Read five messages, then nothing for 500 ms: the server must be held back meanwhile.
    let read = 0;
    for await (const _ of client.flood({ n: 2000, size: 64 * 1024 }, { timeoutMs: 20_000 })) {
      if (++read === 5) {
        await sleep(500);
        break;
      }
    }
    return read;
  },
  async fail() {
    return client.fail({ code: 9, text: 'not now' }, { timeoutMs: 5000 }).then(
      () => undefined,
      (err) => failure(err),
    );
  },
  async gzip() {
    const text = 'weft '.repeat(20_000);
    const compressed: boolean[] = [];
    const res = await gzipping.echo(
      { text, n: 1 },
      { timeoutMs: 5000, onResponseMessage: (m) => compressed.push(m.compressed) },
    );
    return { same: res.text === text, compressed };
  },
  async reconnect() {
    // Calls spaced over several of the server's connection lifetimes (it closes each with Goaway).
    let ok = 0;
    for (let i = 0; i < 30; i++) {
      if ((await client.echo({ n: i }, { timeoutMs: 5000 })).n === i) ok++;
      await sleep(50);
    }
    return ok;
  },
  async many() {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => client.echo({ n: i }, { timeoutMs: 10_000 })),
    );
    return answers.every((a, i) => a.n === i);
  },
};
