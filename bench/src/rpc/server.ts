/**
 * A unary echo server for the rpc bench, in its own process: `node server.js SYSTEM` prints its port.
 *   weft-mux | weft-pooled | weft-ws — a weft rpc server on that transport
 *   grpc-js — @grpc/grpc-js with msgpackr serializers
 *   undici  — a node:http keep-alive server echoing the msgpack body (undici's peer)
 *   raw     — the floor: msgpack in 4-byte length-prefixed frames on a bare socket, decoded, re-encoded
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { lengthPrefixed } from '@weft/framing';
import { createServer } from '@weft/rpc';
import { pack, unpack } from 'msgpackr';
import { Bench, grpcEchoMethod, type System } from './systems.js';

const system = process.argv[2] as System;
const ready = (port: number) => process.stdout.write(`${port}\n`);

if (system.startsWith('weft-')) {
  const server = createServer();
  server.add(Bench, { echo: async (req) => req });
  const transport = system.slice(5) as 'mux' | 'pooled' | 'ws';
  ready((await server.listen({ transport })).port);
} else if (system === 'grpc-js') {
  const server = new grpc.Server();
  server.addService({ echo: grpcEchoMethod } as grpc.ServiceDefinition, {
    echo: (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, call.request),
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    ready(port);
  });
} else if (system === 'undici') {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = pack(unpack(Buffer.concat(chunks)));
      res.writeHead(200, { 'content-type': 'application/msgpack', 'content-length': body.length });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => ready((server.address() as AddressInfo).port));
} else if (system === 'raw') {
  const codec = lengthPrefixed({ width: 4 });
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const decoder = codec.decoder();
    socket.on('data', (chunk: Buffer) => {
      const frames = decoder.push(chunk);
      if (frames.length === 0) return;
      socket.cork();
      for (const f of frames) for (const part of codec.encodeParts(pack(unpack(f)))) socket.write(part);
      socket.uncork();
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1', () => ready((server.address() as AddressInfo).port));
} else {
  throw new Error(`unknown system ${system}`);
}

// Exit normally on a signal, so --cpu-prof and friends can write their output.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
