/**
 * The interop cases of grpc's doc/interop-test-descriptions.md for a stock @grpc/grpc-js client
 * (proto-loader on test/proto/grpc/testing), written with grpc-js's callback and stream API.
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'vitest';
import { ECHO_INITIAL, ECHO_TRAILING } from './test-service.js';

// biome-ignore lint/suspicious/noExplicitAny: proto-loader clients are untyped.
type Untyped = any;
interface Clients {
  test: grpc.Client;
  unimplemented: grpc.Client;
}
type Res = { payload?: { body: Buffer } } & Record<string, unknown>;

const deadline = (ms = 5000) => ({ deadline: Date.now() + ms });
const zeros = (n: number) => ({ body: Buffer.alloc(n) });
const sizeOf = (r: Res) => r.payload?.body.length ?? 0;

function unary(
  client: grpc.Client,
  method: string,
  req: object,
  md = new grpc.Metadata(),
  opts = deadline(),
) {
  return new Promise<{ res: Res; headers: grpc.Metadata | undefined; trailers: grpc.Metadata }>(
    (resolve, reject) => {
      let headers: grpc.Metadata | undefined;
      let res: Res | undefined;
      const call = (client as Untyped)[method](req, md, opts, (err: grpc.ServiceError | null, r: Res) => {
        if (err) reject(err);
        else res = r;
      });
      call.on('metadata', (m: grpc.Metadata) => (headers = m));
      call.on('status', (s: grpc.StatusObject) => res && resolve({ res, headers, trailers: s.metadata }));
    },
  );
}

function collect(
  stream: Untyped,
): Promise<{ out: Res[]; trailers: grpc.Metadata; headers: grpc.Metadata | undefined }> {
  return new Promise((resolve, reject) => {
    const out: Res[] = [];
    let headers: grpc.Metadata | undefined;
    let ended = false;
    stream.on('metadata', (m: grpc.Metadata) => (headers = m));
    stream.on('data', (m: Res) => out.push(m));
    stream.on('end', () => (ended = true));
    stream.on('error', reject);
    stream.on('status', (s: grpc.StatusObject) => {
      if (s.code === grpc.status.OK)
        setImmediate(() => ended && resolve({ out, headers, trailers: s.metadata }));
    });
  });
}

async function failed(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: e.code, message: e.details };
  }
  throw new Error('the call succeeded; it should have failed');
}

const SPECIAL = '\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n';
const REQ_SIZES = [27182, 8, 1828, 45904];
const RES_SIZES = [31415, 9, 2653, 58979];

export const GRPC_JS_CASES: Record<string, (c: Clients) => Promise<void>> = {
  async empty_unary({ test }) {
    expect((await unary(test, 'EmptyCall', {})).res).toEqual({});
  },

  async large_unary({ test }) {
    const { res } = await unary(test, 'UnaryCall', { responseSize: 314159, payload: zeros(271828) });
    expect(sizeOf(res)).toBe(314159);
  },

  async client_streaming({ test }) {
    const res = await new Promise<Res>((resolve, reject) => {
      const call = (test as Untyped).StreamingInputCall(deadline(), (e: Error | null, r: Res) =>
        e ? reject(e) : resolve(r),
      );
      for (const n of REQ_SIZES) call.write({ payload: zeros(n) });
      call.end();
    });
    expect(res.aggregatedPayloadSize).toBe(74922);
  },

  async server_streaming({ test }) {
    const call = (test as Untyped).StreamingOutputCall(
      { responseParameters: RES_SIZES.map((size) => ({ size })) },
      deadline(),
    );
    expect((await collect(call)).out.map(sizeOf)).toEqual(RES_SIZES);
  },

  async ping_pong({ test }) {
    const call = (test as Untyped).FullDuplexCall(deadline());
    const done = collect(call);
    const received: number[] = [];
    for (let i = 0; i < 4; i++) {
      const next = new Promise<Res>((resolve) => call.once('data', resolve));
      call.write({ responseParameters: [{ size: RES_SIZES[i] }], payload: zeros(REQ_SIZES[i]!) });
      received.push(sizeOf(await next));
    }
    call.end();
    await done;
    expect(received).toEqual(RES_SIZES);
  },

  async empty_stream({ test }) {
    const call = (test as Untyped).FullDuplexCall(deadline());
    const done = collect(call);
    call.end();
    expect((await done).out).toEqual([]);
  },

  async custom_metadata({ test }) {
    const bin = Buffer.from([0xab, 0xab, 0xab]);
    const md = () => {
      const m = new grpc.Metadata();
      m.set(ECHO_INITIAL, 'test_initial_metadata_value');
      m.set(ECHO_TRAILING, bin);
      return m;
    };
    const u = await unary(test, 'UnaryCall', { responseSize: 314159, payload: zeros(271828) }, md());
    expect(sizeOf(u.res)).toBe(314159);
    expect(u.headers?.get(ECHO_INITIAL)).toEqual(['test_initial_metadata_value']);
    expect(u.trailers?.get(ECHO_TRAILING)).toEqual([bin]);
    const call = (test as Untyped).FullDuplexCall(md(), deadline());
    const done = collect(call);
    call.write({ responseParameters: [{ size: 314159 }], payload: zeros(271828) });
    call.end();
    const d = await done;
    expect(d.out.map(sizeOf)).toEqual([314159]);
    expect(d.headers?.get(ECHO_INITIAL)).toEqual(['test_initial_metadata_value']);
    expect(d.trailers?.get(ECHO_TRAILING)).toEqual([bin]);
  },

  async status_code_and_message({ test }) {
    const responseStatus = { code: 2, message: 'test status message' };
    expect(await failed(unary(test, 'UnaryCall', { responseStatus }))).toEqual(responseStatus);
    const call = (test as Untyped).FullDuplexCall(deadline());
    const done = collect(call);
    call.write({ responseStatus });
    call.end();
    expect(await failed(done)).toEqual(responseStatus);
  },

  async special_status_message({ test }) {
    const responseStatus = { code: 2, message: SPECIAL };
    expect(await failed(unary(test, 'UnaryCall', { responseStatus }))).toEqual(responseStatus);
  },

  async unimplemented_method({ test }) {
    expect((await failed(unary(test, 'UnimplementedCall', {}))).code).toBe(grpc.status.UNIMPLEMENTED);
  },

  async unimplemented_service({ unimplemented }) {
    expect((await failed(unary(unimplemented, 'UnimplementedCall', {}))).code).toBe(
      grpc.status.UNIMPLEMENTED,
    );
  },

  async cancel_after_begin({ test }) {
    const result = new Promise<Res>((resolve, reject) => {
      const call = (test as Untyped).StreamingInputCall(deadline(), (e: Error | null, r: Res) =>
        e ? reject(e) : resolve(r),
      );
      call.cancel();
    });
    expect((await failed(result)).code).toBe(grpc.status.CANCELLED);
  },

  async cancel_after_first_response({ test }) {
    const call = (test as Untyped).FullDuplexCall(deadline());
    const done = collect(call);
    const first = new Promise<Res>((resolve) => call.once('data', resolve));
    call.write({ responseParameters: [{ size: 31415 }], payload: zeros(27182) });
    expect(sizeOf(await first)).toBe(31415);
    call.cancel();
    expect((await failed(done)).code).toBe(grpc.status.CANCELLED);
  },

  async timeout_on_sleeping_server({ test }) {
    const call = (test as Untyped).FullDuplexCall({ deadline: Date.now() + 1 });
    const done = collect(call);
    call.write({ payload: zeros(27182) });
    expect((await failed(done)).code).toBe(grpc.status.DEADLINE_EXCEEDED);
  },
};

/**
 * client_compressed_unary for a grpc-js client, which compresses a whole channel or nothing: the
 * probe goes through a channel without compression, the compressed call through one with gzip.
 */
export async function GRPC_JS_CLIENT_COMPRESSED_UNARY(c: { plain: grpc.Client; gzip: grpc.Client }) {
  const request = (expect: boolean) => ({
    expectCompressed: { value: expect },
    responseSize: 314159,
    payload: zeros(271828),
  });
  expect((await failed(unary(c.plain, 'UnaryCall', request(true)))).code).toBe(grpc.status.INVALID_ARGUMENT);
  expect(sizeOf((await unary(c.gzip, 'UnaryCall', request(true))).res)).toBe(314159);
  expect(sizeOf((await unary(c.plain, 'UnaryCall', request(false))).res)).toBe(314159);
}
