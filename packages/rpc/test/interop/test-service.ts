/**
 * grpc.testing.TestService as grpc's doc/interop-test-descriptions.md has servers behave, three
 * times: on a weft server, on @grpc/grpc-js (with proto-loader) and on Connect-ES — so that each
 * interop case runs against each. Every server echoes `x-grpc-test-echo-initial` into its response
 * headers and `x-grpc-test-echo-trailing-bin` into its trailers, answers `response_status` with
 * that status, and sends zero-filled payloads of the sizes asked for.
 */
import { fileURLToPath } from 'node:url';
import { Code, ConnectError, type ConnectRouter } from '@connectrpc/connect';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { MethodsOf } from '../../src/index.js';
import {
  RpcError,
  type ServerCallContext,
  type ServiceImplementation,
  type Status,
} from '../../src/index.js';
import type { ResponseParameters, StreamingOutputCallRequest } from '../gen/grpc/testing/messages_pb.js';
import { TestService } from '../gen/grpc/testing/test_pb.js';

export const ECHO_INITIAL = 'x-grpc-test-echo-initial';
export const ECHO_TRAILING = 'x-grpc-test-echo-trailing-bin';

const sleepUs = (us: number) => (us > 0 ? new Promise((r) => setTimeout(r, us / 1000)) : undefined);
const zeros = (n: number) => new Uint8Array(n);

// ---- weft ----

function echoWeft(ctx: ServerCallContext): void {
  const initial = ctx.metadata.get(ECHO_INITIAL);
  if (initial !== undefined) ctx.setHeader(ECHO_INITIAL, initial);
  const trailing = ctx.metadata.get(ECHO_TRAILING);
  if (trailing !== undefined) ctx.setTrailer(ECHO_TRAILING, trailing);
}

function failIfAsked(status: { code: number; message: string } | undefined): void {
  if (status !== undefined && status.code !== 0) throw new RpcError(status.code as Status, status.message);
}

async function* respond(params: ResponseParameters[], ctx?: ServerCallContext) {
  for (const p of params) {
    await sleepUs(p.intervalUs);
    // CompressedResponse: each response compressed or not as its parameters ask.
    ctx?.setCompression(p.compressed?.value);
    yield { payload: { body: zeros(p.size) } };
  }
}

/** CompressedRequest: a request that expected compression but came without fails. */
function checkCompressed(
  req: { expectCompressed?: { value: boolean } | undefined },
  ctx: ServerCallContext,
): void {
  if (req.expectCompressed?.value === true && !ctx.requestCompressed) {
    throw new RpcError(3 as Status, 'expected a compressed request');
  }
}

/** The weft implementation. */
export const weftTestService: ServiceImplementation<MethodsOf<typeof TestService>> = {
  emptyCall: () => ({}),
  unaryCall(req, ctx) {
    echoWeft(ctx);
    checkCompressed(req, ctx);
    ctx.setCompression(req.responseCompressed?.value);
    failIfAsked(req.responseStatus);
    return { payload: { body: zeros(req.responseSize) } };
  },
  async *streamingOutputCall(req, ctx) {
    echoWeft(ctx);
    yield* respond(req.responseParameters, ctx);
    failIfAsked(req.responseStatus);
  },
  async streamingInputCall(reqs, ctx) {
    let aggregatedPayloadSize = 0;
    for await (const r of reqs) {
      checkCompressed(r, ctx);
      aggregatedPayloadSize += r.payload?.body.length ?? 0;
    }
    return { aggregatedPayloadSize };
  },
  async *fullDuplexCall(reqs, ctx) {
    echoWeft(ctx);
    for await (const r of reqs) {
      failIfAsked(r.responseStatus);
      yield* respond(r.responseParameters, ctx);
    }
  },
  async *halfDuplexCall(reqs, ctx) {
    echoWeft(ctx);
    const all: StreamingOutputCallRequest[] = [];
    for await (const r of reqs) all.push(r);
    for (const r of all) yield* respond(r.responseParameters);
  },
  unimplementedCall() {
    throw new RpcError(12 as Status, 'grpc.testing.TestService/UnimplementedCall is not implemented');
  },
};

// ---- Connect-ES ----

/** The Connect-ES implementation, for connectNodeAdapter. */
export function connectTestService(router: ConnectRouter): ConnectRouter {
  const echo = (ctx: { requestHeader: Headers; responseHeader: Headers; responseTrailer: Headers }) => {
    const initial = ctx.requestHeader.get(ECHO_INITIAL);
    if (initial !== null) ctx.responseHeader.set(ECHO_INITIAL, initial);
    const trailing = ctx.requestHeader.get(ECHO_TRAILING);
    if (trailing !== null) ctx.responseTrailer.set(ECHO_TRAILING, trailing);
  };
  const fail = (status: { code: number; message: string } | undefined) => {
    if (status !== undefined && status.code !== 0)
      throw new ConnectError(status.message, status.code as Code);
  };
  return router.service(TestService, {
    emptyCall: () => ({}),
    unaryCall(req, ctx) {
      echo(ctx);
      fail(req.responseStatus);
      return { payload: { body: zeros(req.responseSize) } };
    },
    async *streamingOutputCall(req, ctx) {
      echo(ctx);
      yield* respond(req.responseParameters);
      fail(req.responseStatus);
    },
    async streamingInputCall(reqs) {
      let aggregatedPayloadSize = 0;
      for await (const r of reqs) aggregatedPayloadSize += r.payload?.body.length ?? 0;
      return { aggregatedPayloadSize };
    },
    async *fullDuplexCall(reqs, ctx) {
      echo(ctx);
      for await (const r of reqs) {
        fail(r.responseStatus);
        yield* respond(r.responseParameters);
      }
    },
    async *halfDuplexCall(reqs, ctx) {
      echo(ctx);
      const all: StreamingOutputCallRequest[] = [];
      for await (const r of reqs) all.push(r);
      for (const r of all) yield* respond(r.responseParameters);
    },
    unimplementedCall() {
      throw new ConnectError('not implemented', Code.Unimplemented);
    },
  });
}

// ---- grpc-js ----

const protoDir = fileURLToPath(new URL('../proto', import.meta.url));
const definition = protoLoader.loadSync('grpc/testing/test.proto', {
  includeDirs: [protoDir],
  defaults: true,
  oneofs: true,
});
// biome-ignore lint/suspicious/noExplicitAny: proto-loader's package objects are untyped.
export const grpcTesting = (grpc.loadPackageDefinition(definition) as any).grpc.testing as {
  TestService: typeof grpc.Client & { service: grpc.ServiceDefinition };
  UnimplementedService: typeof grpc.Client & { service: grpc.ServiceDefinition };
};

interface GrpcParams {
  size: number;
  intervalUs: number;
}
interface GrpcStatusAsked {
  responseStatus?: { code: number; message: string } | null;
}
// biome-ignore lint/suspicious/noExplicitAny: grpc-js server calls are untyped.
type AnyCall = any;

function echoGrpc(call: AnyCall): grpc.Metadata {
  const headers = new grpc.Metadata();
  const initial = call.metadata.get(ECHO_INITIAL)[0];
  if (initial !== undefined) headers.set(ECHO_INITIAL, initial);
  if (initial !== undefined) call.sendMetadata(headers);
  const trailer = new grpc.Metadata();
  const trailing = call.metadata.get(ECHO_TRAILING)[0];
  if (trailing !== undefined) trailer.set(ECHO_TRAILING, trailing);
  return trailer;
}

function grpcStatus(req: GrpcStatusAsked, trailer: grpc.Metadata): grpc.ServiceError | undefined {
  const s = req.responseStatus;
  if (s === undefined || s === null || s.code === 0) return undefined;
  return Object.assign(new Error(s.message), { code: s.code, details: s.message, metadata: trailer });
}

async function writeAll(call: AnyCall, params: GrpcParams[]): Promise<void> {
  for (const p of params) {
    await sleepUs(p.intervalUs);
    call.write({ payload: { body: Buffer.alloc(p.size) } });
  }
}

/** The grpc-js implementation, for `server.addService(grpcTesting.TestService.service, …)`. */
export const grpcTestService: grpc.UntypedServiceImplementation = {
  EmptyCall: (_call: AnyCall, cb: grpc.sendUnaryData<object>) => cb(null, {}),
  UnaryCall(call: AnyCall, cb: grpc.sendUnaryData<object>) {
    const trailer = echoGrpc(call);
    const err = grpcStatus(call.request, trailer);
    if (err) return cb(err);
    cb(null, { payload: { body: Buffer.alloc(call.request.responseSize) } }, trailer);
  },
  async StreamingOutputCall(call: AnyCall) {
    const trailer = echoGrpc(call);
    await writeAll(call, call.request.responseParameters);
    const err = grpcStatus(call.request, trailer);
    if (err) call.emit('error', err);
    else call.end(trailer);
  },
  StreamingInputCall(call: AnyCall, cb: grpc.sendUnaryData<object>) {
    let aggregatedPayloadSize = 0;
    call.on(
      'data',
      (r: { payload?: { body: Buffer } }) => (aggregatedPayloadSize += r.payload?.body.length ?? 0),
    );
    call.on('end', () => cb(null, { aggregatedPayloadSize }));
  },
  FullDuplexCall(call: AnyCall) {
    const trailer = echoGrpc(call);
    let chain = Promise.resolve();
    let failed = false;
    call.on('data', (r: GrpcStatusAsked & { responseParameters: GrpcParams[] }) => {
      chain = chain.then(async () => {
        if (failed) return;
        const err = grpcStatus(r, trailer);
        if (err) {
          failed = true;
          call.emit('error', err);
          return;
        }
        await writeAll(call, r.responseParameters);
      });
    });
    call.on('end', () => chain.then(() => failed || call.end(trailer)));
  },
  HalfDuplexCall(call: AnyCall) {
    const trailer = echoGrpc(call);
    const all: { responseParameters: GrpcParams[] }[] = [];
    call.on('data', (r: { responseParameters: GrpcParams[] }) => all.push(r));
    call.on('end', async () => {
      for (const r of all) await writeAll(call, r.responseParameters);
      call.end(trailer);
    });
  },
  UnimplementedCall: (_call: AnyCall, cb: grpc.sendUnaryData<object>) =>
    cb({ code: grpc.status.UNIMPLEMENTED, details: 'not implemented' }),
};
