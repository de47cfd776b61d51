/**
 * An echo server of one bench system, in its own process: `node server.js SYSTEM [tls]`.
 * Prints `{"port":N}` once listening. On each stdin line `stats` it prints
 * `{"cpuUs":N,"rssMb":N}` (CPU time used so far, resident memory now), so the runner can charge
 * the server's CPU to the calls of a measured window.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { lengthPrefixed } from '@weft/framing';
import { createServer } from '@weft/rpc';
import { serverTelemetry } from '@weft/rpc/otel';
import { pack, unpack } from 'msgpackr';
import { WebSocketServer } from 'ws';
import { ProtoBench } from '../gen/weft/bench/v1/bench_pb.js';
import { telemetryOf } from './otel.js';
import { grpcProtoBench } from './proto-loader.js';
import { Bench, grpcEchoMethod, isSystem, MAX_MESSAGE_BYTES } from './systems.js';
import { serverTls } from './tls-fixture.js';

const [systemArg, tlsArg] = process.argv.slice(2);
if (systemArg === undefined || !isSystem(systemArg)) throw new Error(`unknown system ${systemArg}`);
const system = systemArg;
const tls = tlsArg === 'tls' ? serverTls() : undefined;
const echo = (body: Uint8Array): Buffer => pack(unpack(body));
/** Where to listen: loopback, or the server's side of an emulated link (WEFT_BENCH_HOST). */
const HOST = process.env.WEFT_BENCH_HOST ?? '127.0.0.1';

async function listen(): Promise<number> {
  if (system === 'weft-mux-proto') {
    const server = createServer({ maxMessageBytes: MAX_MESSAGE_BYTES, maxConcurrentCalls: 100_000 });
    server.add(ProtoBench, { echo: (req) => req });
    return (await server.listen({ transport: 'mux', host: HOST })).port;
  }
  if (system === 'grpc-js-proto') {
    const server = new grpc.Server({
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
    });
    server.addService(grpcProtoBench().service, {
      Echo: (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) =>
        cb(null, call.request),
    });
    return new Promise((resolve, reject) =>
      server.bindAsync(`${HOST}:0`, grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
  }
  if (system.startsWith('weft-')) {
    const otel = system === 'weft-mux-otel' || system === 'weft-mux-otel-sdk';
    const server = createServer({
      maxMessageBytes: MAX_MESSAGE_BYTES,
      maxConcurrentCalls: 100_000,
      ...(otel ? { interceptors: [serverTelemetry(telemetryOf(system))] } : {}),
    });
    server.add(Bench, { echo: async (req) => req });
    const transport = system.startsWith('weft-mux')
      ? 'mux'
      : system.startsWith('weft-pooled')
        ? 'pooled'
        : 'ws';
    return (await server.listen({ transport, host: HOST, ...(tls === undefined ? {} : { tls }) })).port;
  }
  if (system === 'grpc-js') {
    const server = new grpc.Server({
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
    });
    server.addService({ echo: grpcEchoMethod } as grpc.ServiceDefinition, {
      echo: (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) =>
        cb(null, call.request),
    });
    return new Promise((resolve, reject) =>
      server.bindAsync(`${HOST}:0`, grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
  }
  if (system === 'node-http2') {
    const onStream = (stream: http2.ServerHttp2Stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'content-type': 'application/msgpack' });
        stream.end(echo(Buffer.concat(chunks)));
      });
      stream.on('error', () => {});
    };
    // maxSessionMemory (MB): the default 10 would refuse the hol scenario's 16 MiB message.
    const options = { settings: { maxConcurrentStreams: 100_000 }, maxSessionMemory: 256 };
    const server =
      tls === undefined ? http2.createServer(options) : http2.createSecureServer({ ...tls, ...options });
    server.on('stream', onStream);
    return listenOn(server);
  }
  if (system === 'undici') {
    const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = echo(Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/msgpack', 'content-length': body.length });
        res.end(body);
      });
    });
    return listenOn(server);
  }
  if (system === 'ws') {
    // Each message: a 4-byte call id, then the msgpack body; the reply carries the same id.
    const server = new WebSocketServer({ port: 0, host: HOST, maxPayload: MAX_MESSAGE_BYTES });
    server.on('connection', (socket) => {
      socket.on('message', (data: Buffer) => {
        const body = echo(data.subarray(4));
        const reply = Buffer.allocUnsafe(4 + body.length);
        data.copy(reply, 0, 0, 4);
        body.copy(reply, 4);
        socket.send(reply);
      });
      socket.on('error', () => {});
    });
    await new Promise((resolve) => server.once('listening', resolve));
    return (server.address() as AddressInfo).port;
  }
  // raw: the floor.
  const codec = lengthPrefixed({ width: 4, maxFrameLength: MAX_MESSAGE_BYTES });
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const decoder = codec.decoder();
    socket.on('data', (chunk: Buffer) => {
      const frames = decoder.push(chunk);
      if (frames.length === 0) return;
      socket.cork();
      for (const f of frames) for (const part of codec.encodeParts(echo(f))) socket.write(part);
      socket.uncork();
    });
    socket.on('error', () => {});
  });
  return listenOn(server);
}

function listenOn(server: net.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, HOST, () => resolve((server.address() as AddressInfo).port)),
  );
}

const port = await listen();
process.stdout.write(`${JSON.stringify({ port })}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'stats') return;
  const cpu = process.cpuUsage();
  const rssMb = process.memoryUsage.rss() / 2 ** 20;
  process.stdout.write(`${JSON.stringify({ cpuUs: cpu.user + cpu.system, rssMb })}\n`);
});
// The runner closes stdin or sends a signal: either way, leave at once.
process.stdin.on('end', () => process.exit(0));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
