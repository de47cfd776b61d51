/**
 * Clients of the bench systems: `makeCaller(system, port)` connects and returns `call(message)`,
 * which resolves with the decoded echo. Each keeps its connections open until `close()`.
 */
import http2 from 'node:http2';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { lengthPrefixed } from '@weft/framing';
import { createClient } from '@weft/rpc';
import { clientTelemetry } from '@weft/rpc/otel';
import { pack, unpack } from 'msgpackr';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { ProtoBench } from '../gen/weft/bench/v1/bench_pb.js';
import { telemetryOf } from './otel.js';
import { grpcProtoBench } from './proto-loader.js';
import { Bench, grpcEchoMethod, MAX_MESSAGE_BYTES, type System } from './systems.js';
import { clientTls } from './tls-fixture.js';

type Message = { data: Uint8Array };

/** A connected client of one system. */
export interface Caller {
  call(message: Message): Promise<unknown>;
  close(): void;
}

/** Connect a client of `system` to the server on `port` (over TLS when `tls`). */
export function makeCaller(system: System, port: number, tls: boolean, host = '127.0.0.1'): Caller {
  switch (system) {
    case 'weft-mux':
    case 'weft-mux-otel':
    case 'weft-mux-otel-sdk':
    case 'weft-mux-scaled':
    case 'weft-pooled':
    case 'weft-pooled-pipelined':
    case 'weft-ws': {
      const transport = system.startsWith('weft-mux')
        ? 'mux'
        : system.startsWith('weft-pooled')
          ? 'pooled'
          : 'ws';
      const t = tls ? clientTls() : undefined;
      // weft-mux-scaled: @weft/rpc's connection scaling, another HTTP/2 connection (up to four)
      // whenever every one holds 25 calls in flight.
      const scaling =
        system === 'weft-mux-scaled'
          ? { streamsPerConnection: 25, maxConnections: 4 }
          : { maxConnections: 1 };
      const otel = system === 'weft-mux-otel' || system === 'weft-mux-otel-sdk';
      const client = createClient(Bench, {
        target: `static:///${host}:${port}`,
        transport,
        ...(otel ? { interceptors: [clientTelemetry(telemetryOf(system))] } : {}),
        maxMessageBytes: MAX_MESSAGE_BYTES,
        pooled: {
          maxConnections: 16,
          maxWaiting: 1_000_000,
          pipelining: system === 'weft-pooled-pipelined' ? 8 : 1,
          ...(t === undefined ? {} : { tls: t }),
        },
        mux: t === undefined ? scaling : { ...scaling, tls: t },
        ws: t === undefined ? {} : { tls: t },
      });
      return { call: (m) => client.echo(m), close: () => client.close() };
    }
    case 'weft-mux-proto': {
      const client = createClient(ProtoBench, {
        target: `static:///${host}:${port}`,
        maxMessageBytes: MAX_MESSAGE_BYTES,
        mux: { maxConnections: 1 },
      });
      return { call: (m) => client.echo(m), close: () => client.close() };
    }
    case 'grpc-js-proto': {
      const Ctor = grpcProtoBench();
      // biome-ignore lint/suspicious/noExplicitAny: proto-loader clients are untyped.
      const client: any = new Ctor(`${host}:${port}`, grpc.credentials.createInsecure(), {
        'grpc.max_receive_message_length': -1,
        'grpc.max_send_message_length': -1,
      });
      const call = (m: Message) =>
        new Promise((resolve, reject) =>
          client.Echo(m, (err: Error | null, res: unknown) => (err ? reject(err) : resolve(res))),
        );
      return { call, close: () => client.close() };
    }
    case 'grpc-js': {
      const Ctor = grpc.makeGenericClientConstructor({ echo: grpcEchoMethod }, 'Bench');
      // biome-ignore lint/suspicious/noExplicitAny: grpc-js generic clients are untyped.
      const client: any = new Ctor(`${host}:${port}`, grpc.credentials.createInsecure(), {
        'grpc.max_receive_message_length': -1,
        'grpc.max_send_message_length': -1,
      });
      const call = (m: Message) =>
        new Promise((resolve, reject) =>
          client.echo(m, (err: Error | null, res: unknown) => (err ? reject(err) : resolve(res))),
        );
      return { call, close: () => client.close() };
    }
    case 'node-http2': {
      // maxSessionMemory (MB): the default 10 would refuse the hol scenario's 16 MiB message.
      const session = tls
        ? http2.connect(`https://localhost:${port}`, { ...clientTls(), host, maxSessionMemory: 256 })
        : http2.connect(`http://${host}:${port}`, { maxSessionMemory: 256 });
      session.on('error', () => {});
      const call = (m: Message) =>
        new Promise((resolve, reject) => {
          const req = session.request({
            ':method': 'POST',
            ':path': '/echo',
            'content-type': 'application/msgpack',
          });
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => {
            try {
              resolve(unpack(Buffer.concat(chunks)));
            } catch (err) {
              reject(err);
            }
          });
          req.on('error', reject);
          req.end(pack(m));
        });
      return { call, close: () => session.destroy() };
    }
    case 'undici': {
      const pool = new Pool(`http://${host}:${port}`, { connections: 16, pipelining: 1 });
      const call = async (m: Message) => {
        const res = await pool.request({
          path: '/echo',
          method: 'POST',
          headers: { 'content-type': 'application/msgpack' },
          body: pack(m),
        });
        return unpack(Buffer.from(await res.body.arrayBuffer()));
      };
      return { call, close: () => void pool.destroy() };
    }
    case 'ws':
      return wsCaller(`ws://${host}:${port}`);
    case 'raw':
      return rawCaller(host, port);
  }
}

/** The ws package: one socket, a 4-byte call id before each msgpack body. */
function wsCaller(url: string): Caller {
  const socket = new WebSocket(url, { maxPayload: MAX_MESSAGE_BYTES });
  const open = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  open.catch(() => {});
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  socket.on('message', (data: Buffer) => {
    const id = data.readUInt32BE(0);
    const p = pending.get(id);
    if (p === undefined) return;
    pending.delete(id);
    p.resolve(unpack(data.subarray(4)));
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    for (const p of pending.values()) p.reject(new Error('ws closed'));
    pending.clear();
  });
  const call = async (m: Message) => {
    await open;
    nextId = (nextId + 1) >>> 0;
    const id = nextId;
    const body = pack(m);
    const frame = Buffer.allocUnsafe(4 + body.length);
    frame.writeUInt32BE(id, 0);
    body.copy(frame, 4);
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      socket.send(frame);
    });
  };
  return { call, close: () => socket.terminate() };
}

/** The floor: one socket, replies in order, so a FIFO of resolvers is the whole protocol. */
function rawCaller(host: string, port: number): Caller {
  const codec = lengthPrefixed({ width: 4, maxFrameLength: MAX_MESSAGE_BYTES });
  const socket = net.connect({ port, host, noDelay: true });
  const decoder = codec.decoder();
  let waiting: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  let head = 0;
  socket.on('data', (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) waiting[head++]!.resolve(unpack(f));
    if (head > 4096) {
      waiting = waiting.slice(head);
      head = 0;
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    for (const w of waiting.slice(head)) w.reject(new Error('raw socket closed'));
    waiting = [];
    head = 0;
  });
  let corked = false;
  const call = (m: Message) =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(() => {
          corked = false;
          socket.uncork();
        });
      }
      for (const part of codec.encodeParts(pack(m))) socket.write(part);
    });
  return { call, close: () => socket.destroy() };
}
