/**
 * The interop cases of grpc's doc/interop-test-descriptions.md, written once for clients with
 * promise and async-iterable calls — the weft client and Connect-ES's — through a small adapter
 * for the differences (call options, headers, errors). Each case throws on a failed expectation.
 */
import { expect } from 'vitest';
import type { TestService } from '../gen/grpc/testing/test_pb.js';
import { ECHO_INITIAL, ECHO_TRAILING } from './test-service.js';

/** A metadata value as the stack gives it back: text, or the decoded bytes of a -bin key. */
type Value = string | Uint8Array | undefined;

export interface CallOpts {
  metadata?: Record<string, string | Uint8Array>;
  timeoutMs?: number;
  signal?: AbortSignal;
  onHeaders?: (get: (key: string) => Value) => void;
  onTrailers?: (get: (key: string) => Value) => void;
}

// biome-ignore lint/suspicious/noExplicitAny: both stacks' clients are typed by the service; the cases use them alike.
type AnyFn = (...args: any[]) => any;

/** What a case needs of a stack. */
export interface ClientStack {
  /** A TestService client. */
  test: Record<keyof typeof TestService.method, AnyFn>;
  /** A client of UnimplementedService. */
  unimplemented: { unimplementedCall: AnyFn };
  /** The stack's call options for `o`. */
  options(o: CallOpts): object;
  /** The gRPC status code and message of a failed call. */
  status(err: unknown): { code: number; message: string };
}

/** Requests pushed one at a time (ping_pong), as an async iterable. */
class Pushed<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #ended = false;
  #wake: (() => void) | undefined;
  push(item: T): void {
    this.#items.push(item);
    this.#wake?.();
  }
  end(): void {
    this.#ended = true;
    this.#wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      while (this.#items.length > 0) yield this.#items.shift()!;
      if (this.#ended) return;
      await new Promise<void>((r) => (this.#wake = r));
      this.#wake = undefined;
    }
  }
}

async function* of<T>(...items: T[]) {
  yield* items;
}

const zeros = (n: number) => ({ body: new Uint8Array(n) });
const sizeOf = (res: { payload?: { body: Uint8Array } }) => res.payload?.body.length ?? 0;

async function rejected(p: Promise<unknown> | (() => Promise<unknown>), s: ClientStack) {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return s.status(err);
  }
  throw new Error('the call succeeded; it should have failed');
}

async function drain(stream: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const m of stream) out.push(m);
  return out;
}

const SPECIAL = '\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n';
const REQ_SIZES = [27182, 8, 1828, 45904];
const RES_SIZES = [31415, 9, 2653, 58979];

/** The cases by their names in the interop test descriptions. */
export const INTEROP_CASES: Record<string, (s: ClientStack) => Promise<void>> = {
  async empty_unary(s) {
    const res = await s.test.emptyCall({}, s.options({ timeoutMs: 5000 }));
    expect(res.$typeName).toBe('grpc.testing.Empty');
  },

  async large_unary(s) {
    const res = await s.test.unaryCall(
      { responseSize: 314159, payload: zeros(271828) },
      s.options({ timeoutMs: 10_000 }),
    );
    expect(sizeOf(res)).toBe(314159);
    expect(res.payload.body.every((b: number) => b === 0)).toBe(true);
  },

  async client_streaming(s) {
    const res = await s.test.streamingInputCall(
      of(...REQ_SIZES.map((n) => ({ payload: zeros(n) }))),
      s.options({ timeoutMs: 5000 }),
    );
    expect(res.aggregatedPayloadSize).toBe(74922);
  },

  async server_streaming(s) {
    const responses = await drain(
      s.test.streamingOutputCall(
        { responseParameters: RES_SIZES.map((size) => ({ size })) },
        s.options({ timeoutMs: 5000 }),
      ),
    );
    expect(responses.map((r) => sizeOf(r as never))).toEqual(RES_SIZES);
  },

  async ping_pong(s) {
    const requests = new Pushed<object>();
    const responses = s.test.fullDuplexCall(requests, s.options({ timeoutMs: 5000 }))[Symbol.asyncIterator]();
    for (let i = 0; i < 4; i++) {
      requests.push({ responseParameters: [{ size: RES_SIZES[i] }], payload: zeros(REQ_SIZES[i]!) });
      const next = await responses.next();
      expect(next.done).toBe(false);
      expect(sizeOf(next.value)).toBe(RES_SIZES[i]);
    }
    requests.end();
    expect((await responses.next()).done).toBe(true);
  },

  async empty_stream(s) {
    expect(await drain(s.test.fullDuplexCall(of(), s.options({ timeoutMs: 5000 })))).toEqual([]);
  },

  async custom_metadata(s) {
    const bin = new Uint8Array([0xab, 0xab, 0xab]);
    const metadata = { [ECHO_INITIAL]: 'test_initial_metadata_value', [ECHO_TRAILING]: bin };
    for (const shape of ['unary', 'fullDuplex'] as const) {
      let initial: Value;
      let trailing: Value;
      const opts = s.options({
        metadata,
        timeoutMs: 5000,
        onHeaders: (get) => (initial = get(ECHO_INITIAL)),
        onTrailers: (get) => (trailing = get(ECHO_TRAILING)),
      });
      if (shape === 'unary') {
        const res = await s.test.unaryCall({ responseSize: 314159, payload: zeros(271828) }, opts);
        expect(sizeOf(res)).toBe(314159);
      } else {
        const out = await drain(
          s.test.fullDuplexCall(of({ responseParameters: [{ size: 314159 }], payload: zeros(271828) }), opts),
        );
        expect(out.map((r) => sizeOf(r as never))).toEqual([314159]);
      }
      expect(initial).toBe('test_initial_metadata_value');
      expect(trailing).toEqual(bin);
    }
  },

  async status_code_and_message(s) {
    const responseStatus = { code: 2, message: 'test status message' };
    expect(await rejected(s.test.unaryCall({ responseStatus }, s.options({ timeoutMs: 5000 })), s)).toEqual(
      responseStatus,
    );
    const duplex = () => drain(s.test.fullDuplexCall(of({ responseStatus }), s.options({ timeoutMs: 5000 })));
    expect(await rejected(duplex, s)).toEqual(responseStatus);
  },

  async special_status_message(s) {
    const responseStatus = { code: 2, message: SPECIAL };
    expect(await rejected(s.test.unaryCall({ responseStatus }, s.options({ timeoutMs: 5000 })), s)).toEqual(
      responseStatus,
    );
  },

  async unimplemented_method(s) {
    expect((await rejected(s.test.unimplementedCall({}, s.options({ timeoutMs: 5000 })), s)).code).toBe(12);
  },

  async unimplemented_service(s) {
    const err = await rejected(s.unimplemented.unimplementedCall({}, s.options({ timeoutMs: 5000 })), s);
    expect(err.code).toBe(12);
  },

  async cancel_after_begin(s) {
    const abort = new AbortController();
    const never = new Pushed<object>();
    const call = s.test.streamingInputCall(never, s.options({ signal: abort.signal, timeoutMs: 5000 }));
    abort.abort();
    expect((await rejected(call, s)).code).toBe(1);
  },

  async cancel_after_first_response(s) {
    const abort = new AbortController();
    const requests = new Pushed<object>();
    const responses = s.test
      .fullDuplexCall(requests, s.options({ signal: abort.signal, timeoutMs: 5000 }))
      [Symbol.asyncIterator]();
    requests.push({ responseParameters: [{ size: 31415 }], payload: zeros(27182) });
    expect(sizeOf((await responses.next()).value)).toBe(31415);
    abort.abort();
    expect((await rejected(responses.next(), s)).code).toBe(1);
  },

  async timeout_on_sleeping_server(s) {
    const requests = new Pushed<object>();
    requests.push({ payload: zeros(27182) });
    const call = drain(s.test.fullDuplexCall(requests, s.options({ timeoutMs: 1 })));
    expect((await rejected(call, s)).code).toBe(4);
  },
};
