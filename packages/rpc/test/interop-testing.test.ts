/**
 * The gRPC interop cases (grpc's doc/interop-test-descriptions.md) over grpc.testing.TestService:
 * the weft client and Connect-ES's client against a weft server, a grpc-js server and a Connect-ES
 * server; a grpc-js client against the weft server — each without and with gzip both ways.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import {
  ConnectError,
  createClient as createConnectClient,
  decodeBinaryHeader,
  encodeBinaryHeader,
} from '@connectrpc/connect';
import { compressionGzip, connectNodeAdapter, createGrpcTransport } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  createClient,
  createServer,
  type Metadata,
  RpcError,
  type Server,
  type TransportKind,
} from '../src/index.js';
import { TestService, UnimplementedService } from './gen/grpc/testing/test_pb.js';
import { type CallOpts, type ClientStack, INTEROP_CASES } from './interop/cases.js';
import { COMPRESSED_CASES, type TestClient } from './interop/compressed-cases.js';
import { GRPC_JS_CASES, GRPC_JS_CLIENT_COMPRESSED_UNARY } from './interop/grpc-js-cases.js';
import { connectTestService, grpcTesting, grpcTestService, weftTestService } from './interop/test-service.js';

interface Peer {
  port: number;
  close(): Promise<void>;
}

async function weftServer(gzip: boolean, transport: TransportKind = 'mux'): Promise<Peer> {
  const server: Server = createServer(gzip ? { compression: { thresholdBytes: 1 } } : {});
  server.add(TestService, weftTestService);
  const { port } = await server.listen({ transport });
  return { port, close: () => server.close({ graceMs: 100 }) };
}

async function grpcJsServer(gzip: boolean): Promise<Peer> {
  const server = new grpc.Server(gzip ? { 'grpc.default_compression_algorithm': 2 } : {});
  server.addService(grpcTesting.TestService.service, grpcTestService);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { port, close: async () => server.forceShutdown() };
}

async function connectServer(gzip: boolean): Promise<Peer> {
  const handler = connectNodeAdapter({
    routes: connectTestService,
    grpc: true,
    connect: false,
    grpcWeb: false,
    acceptCompression: gzip ? [compressionGzip] : [],
    compressMinBytes: 1,
  });
  const server = http2.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const weftGet = (md: Metadata) => (key: string) => md.get(key) as string | Uint8Array | undefined;

function weftStack(port: number, gzip: boolean): ClientStack & { close(): void } {
  const options = {
    target: `static:///127.0.0.1:${port}`,
    ...(gzip ? { compression: { thresholdBytes: 1 } } : {}),
  };
  const test = createClient(TestService, options);
  const unimplemented = createClient(UnimplementedService, options);
  return {
    test: test as never,
    unimplemented: unimplemented as never,
    options: (o: CallOpts) => ({
      metadata: o.metadata,
      timeoutMs: o.timeoutMs,
      signal: o.signal,
      onHeaders: o.onHeaders && ((md: Metadata) => o.onHeaders!(weftGet(md))),
      onTrailers: o.onTrailers && ((md: Metadata) => o.onTrailers!(weftGet(md))),
    }),
    status: (err) => {
      if (!(err instanceof RpcError)) throw err;
      return { code: err.code, message: err.message };
    },
    close: () => {
      test.close();
      unimplemented.close();
    },
  };
}

const connectGet = (h: Headers) => (key: string) => {
  const v = h.get(key);
  if (v === null) return undefined;
  return key.endsWith('-bin') ? decodeBinaryHeader(v) : v;
};

function connectStack(port: number, gzip: boolean): ClientStack & { close(): void } {
  const transport = createGrpcTransport({
    baseUrl: `http://127.0.0.1:${port}`,
    ...(gzip
      ? { sendCompression: compressionGzip, acceptCompression: [compressionGzip], compressMinBytes: 1 }
      : {}),
  });
  return {
    test: createConnectClient(TestService, transport) as never,
    unimplemented: createConnectClient(UnimplementedService, transport) as never,
    options: (o: CallOpts) => ({
      headers: Object.fromEntries(
        Object.entries(o.metadata ?? {}).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : encodeBinaryHeader(v),
        ]),
      ),
      timeoutMs: o.timeoutMs,
      signal: o.signal,
      onHeader: o.onHeaders && ((h: Headers) => o.onHeaders!(connectGet(h))),
      onTrailer: o.onTrailers && ((h: Headers) => o.onTrailers!(connectGet(h))),
    }),
    status: (err) => {
      const e = ConnectError.from(err);
      return { code: e.code, message: e.rawMessage };
    },
    close: () => {},
  };
}

const SERVERS = { weft: weftServer, 'grpc-js': grpcJsServer, 'Connect-ES': connectServer } as const;
const CLIENTS = { weft: weftStack, 'Connect-ES': connectStack } as const;

for (const gzip of [false, true]) {
  const variant = gzip ? 'gzip both ways' : 'uncompressed';
  for (const [serverName, start] of Object.entries(SERVERS)) {
    for (const [clientName, stackFor] of Object.entries(CLIENTS)) {
      if (serverName === 'Connect-ES' && clientName === 'Connect-ES') continue;
      if (serverName !== 'weft' && clientName !== 'weft') continue;
      describe(`interop cases: ${clientName} client → ${serverName} server, ${variant}`, () => {
        let peer: Peer;
        let stack: ReturnType<typeof weftStack>;
        beforeAll(async () => {
          peer = await start(gzip);
          stack = stackFor(peer.port, gzip);
        });
        afterAll(async () => {
          stack.close();
          await peer.close();
        });
        for (const [name, run] of Object.entries(INTEROP_CASES)) it(name, () => run(stack));
      });
    }
  }

  describe(`interop cases: grpc-js client → weft server, ${variant}`, () => {
    let peer: Peer;
    let clients: { test: grpc.Client; unimplemented: grpc.Client };
    beforeAll(async () => {
      peer = await weftServer(gzip);
      const options = gzip ? { 'grpc.default_compression_algorithm': 2 } : {};
      const at = `127.0.0.1:${peer.port}`;
      const insecure = grpc.credentials.createInsecure();
      clients = {
        test: new grpcTesting.TestService(at, insecure, options),
        unimplemented: new grpcTesting.UnimplementedService(at, insecure, options),
      };
    });
    afterAll(async () => {
      clients.test.close();
      clients.unimplemented.close();
      await peer.close();
    });
    for (const [name, run] of Object.entries(GRPC_JS_CASES)) it(name, () => run(clients));
  });
}

for (const transport of ['mux', 'pooled', 'ws'] as const) {
  describe(`compressed interop cases: weft client → weft server over ${transport}`, () => {
    let peer: Peer;
    let client: TestClient;
    beforeAll(async () => {
      peer = await weftServer(false, transport);
      client = createClient(TestService, { target: `static:///127.0.0.1:${peer.port}`, transport });
    });
    afterAll(async () => {
      client.close();
      await peer.close();
    });
    for (const [name, run] of Object.entries(COMPRESSED_CASES)) it(name, () => run(client));
  });
}

describe('compressed interop cases: grpc-js client → weft server', () => {
  let peer: Peer;
  let plain: grpc.Client;
  let gzip: grpc.Client;
  beforeAll(async () => {
    peer = await weftServer(false);
    const at = `127.0.0.1:${peer.port}`;
    plain = new grpcTesting.TestService(at, grpc.credentials.createInsecure());
    gzip = new grpcTesting.TestService(at, grpc.credentials.createInsecure(), {
      'grpc.default_compression_algorithm': 2,
    });
  });
  afterAll(async () => {
    plain.close();
    gzip.close();
    await peer.close();
  });
  it('client_compressed_unary', () => GRPC_JS_CLIENT_COMPRESSED_UNARY({ plain, gzip }));
});
