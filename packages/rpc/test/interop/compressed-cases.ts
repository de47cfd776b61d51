/**
 * The compressed interop cases of grpc's doc/interop-test-descriptions.md (client_compressed_unary,
 * server_compressed_unary, client_compressed_streaming, server_compressed_streaming). They need
 * per-message control of compression and the compressed flag of received messages, which the
 * weft client has (`compress`, `onResponseMessage`); Connect-ES's and grpc-js's clients do not.
 * Each case throws on a failed expectation.
 */
import { expect } from 'vitest';
import type { Client, MethodsOf } from '../../src/index.js';
import { RpcError } from '../../src/index.js';
import type { TestService } from '../gen/grpc/testing/test_pb.js';

export type TestClient = Client<MethodsOf<typeof TestService>>;

const zeros = (n: number) => ({ body: new Uint8Array(n) });
const timeoutMs = 10_000;

async function code(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RpcError) return err.code;
    throw err;
  }
  throw new Error('the call succeeded; it should have failed');
}

async function* of<T>(...items: T[]) {
  yield* items;
}

/** The cases by their names in the interop test descriptions. */
export const COMPRESSED_CASES: Record<string, (c: TestClient) => Promise<void>> = {
  async client_compressed_unary(c) {
    const request = (expect: boolean) => ({
      expectCompressed: { value: expect },
      responseSize: 314159,
      payload: zeros(271828),
    });
    // The probe: expected compressed, sent plain — the server must refuse it.
    expect(await code(c.unaryCall(request(true), { compress: false, timeoutMs }))).toBe(3);
    const compressed = await c.unaryCall(request(true), { compress: true, timeoutMs });
    expect(compressed.payload?.body.length).toBe(314159);
    const plain = await c.unaryCall(request(false), { compress: false, timeoutMs });
    expect(plain.payload?.body.length).toBe(314159);
  },

  async server_compressed_unary(c) {
    for (const value of [true, false]) {
      const flags: boolean[] = [];
      const res = await c.unaryCall(
        { responseCompressed: { value }, responseSize: 314159, payload: zeros(271828) },
        { timeoutMs, onResponseMessage: (m) => flags.push(m.compressed) },
      );
      expect(flags).toEqual([value]);
      expect(res.payload?.body.length).toBe(314159);
    }
  },

  async client_compressed_streaming(c) {
    const probe = c.streamingInputCall(of({ expectCompressed: { value: true }, payload: zeros(27182) }), {
      compress: false,
      timeoutMs,
    });
    expect(await code(probe)).toBe(3);
    const res = await c.streamingInputCall(
      of(
        { expectCompressed: { value: true }, payload: zeros(27182) },
        { expectCompressed: { value: false }, payload: zeros(45904) },
      ),
      { compress: (index) => index === 0, timeoutMs },
    );
    expect(res.aggregatedPayloadSize).toBe(73086);
  },

  async server_compressed_streaming(c) {
    const flags: boolean[] = [];
    const sizes: number[] = [];
    const stream = c.streamingOutputCall(
      {
        responseParameters: [
          { compressed: { value: true }, size: 31415 },
          { compressed: { value: false }, size: 92653 },
        ],
      },
      { timeoutMs, onResponseMessage: (m) => flags.push(m.compressed) },
    );
    for await (const r of stream) sizes.push(r.payload?.body.length ?? 0);
    expect(sizes).toEqual([31415, 92653]);
    expect(flags).toEqual([true, false]);
  },
};
