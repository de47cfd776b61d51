/**
 * The hostile clients of the hostile runs, each written from the wire specs (RFC 9113, RFC 6455,
 * docs/rpc-pooled.md) rather than with weft's own encoders where it must break the rules. Each runs
 * until its signal aborts, bounded in what it sends.
 */
import net from 'node:net';
import {
  CLIENT_PREFACE,
  decodeFrame,
  encodeSettings,
  encodeWindowUpdate,
  Flag,
  FrameType,
  frameHeader,
  HpackEncoder,
} from '@weft/mux';
import * as rpc from '@weft/rpc';
import { pack } from 'msgpackr';
import { WebSocket } from 'ws';
import { defineTarget, type Msg, PATH } from './target.js';

/** Server ports by transport. */
export type Ports = Record<'mux' | 'pooled' | 'ws', number>;

/** One attack: what it is, and how to run it against `ports` until `signal` aborts. */
export interface Attack {
  name: string;
  run(ports: Ports, signal: AbortSignal): Promise<void>;
}

const until = (signal: AbortSignal) =>
  new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r())));

/** A TCP socket destroyed when `signal` aborts. */
function connect(port: number, signal: AbortSignal): net.Socket {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  signal.addEventListener('abort', () => socket.destroy());
  return socket;
}

// ---- envelopes (docs/rpc-pooled.md): u32 length, kind | flags, varint call id, body ----

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function envelope(kindAndFlags: number, id: number, body: Uint8Array = new Uint8Array(0)): Buffer {
  const head = Buffer.from([kindAndFlags, ...varint(id)]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(head.length + body.length);
  return Buffer.concat([length, head, body]);
}

/** A unary call in two envelopes: Call, then its one Message with the End flag. */
function unaryCall(id: number, path: string, request: Msg): Buffer {
  return Buffer.concat([envelope(1, id, pack([path, null, false, []])), envelope(0x82, id, pack(request))]);
}

// ---- HTTP/2 (RFC 9113) ----

/** HEADERS of a gRPC request; `hpack` is the connection's own encoder (its dynamic table). */
function requestHeaders(hpack: HpackEncoder, id: number, path: string, endStream: boolean): Buffer {
  const block = hpack.encode([
    [':method', 'POST'],
    [':scheme', 'http'],
    [':path', path],
    [':authority', 'hostile'],
    ['content-type', 'application/grpc+msgpack'],
    ['te', 'trailers'],
  ]);
  const flags = Flag.EndHeaders | (endStream ? Flag.EndStream : 0);
  return Buffer.concat([frameHeader(block.length, FrameType.Headers, flags, id), block]);
}

/** A gRPC Length-Prefixed-Message: flag, u32 length, bytes. */
function grpcMessage(body: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Reads the server's frames: flow-control credit and SETTINGS (acknowledged). */
class H2Peer {
  connWindow = 65_535;
  initialWindow = 65_535;
  readonly streamWindows = new Map<number, number>();
  #buffer = Buffer.alloc(0);
  closed = false;

  constructor(readonly socket: net.Socket) {
    socket.on('close', () => (this.closed = true));
    socket.on('data', (d: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, d]);
      while (this.#buffer.length >= 9) {
        const length = this.#buffer.readUIntBE(0, 3);
        if (this.#buffer.length < 9 + length) break;
        const frame = decodeFrame(this.#buffer.subarray(0, 9 + length));
        this.#buffer = this.#buffer.subarray(9 + length);
        if (frame.kind === 'window_update') {
          if (frame.streamId === 0) this.connWindow += frame.increment;
          else this.streamWindows.set(frame.streamId, this.window(frame.streamId) + frame.increment);
        } else if (frame.kind === 'settings' && !frame.ack) {
          for (const [id, value] of frame.settings) if (id === 4) this.initialWindow = value;
          socket.write(Buffer.from(encodeSettings([], true)));
        }
      }
    });
  }

  window(id: number): number {
    return this.streamWindows.get(id) ?? this.initialWindow;
  }

  spend(id: number, n: number): void {
    this.connWindow -= n;
    this.streamWindows.set(id, this.window(id) - n);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 1));

// ---- the attacks ----

export const ATTACKS: Attack[] = [
  {
    name: 'mux: 10 calls of 4 MiB sent as 1-byte DATA frames',
    async run(ports, signal) {
      const socket = connect(ports.mux, signal);
      const peer = new H2Peer(socket);
      const hpack = new HpackEncoder();
      socket.write(Buffer.concat([CLIENT_PREFACE, Buffer.from(encodeSettings([]))]));
      const ids = Array.from({ length: 10 }, (_, i) => 1 + 2 * i);
      // Each message declares 4 MiB - 64 (under the 4 MiB limit) and then trickles in byte by byte.
      const prefix = grpcMessage(new Uint8Array(0));
      prefix.writeUInt32BE(4 * 2 ** 20 - 64, 1);
      for (const id of ids)
        socket.write(
          Buffer.concat([
            requestHeaders(hpack, id, PATH.echo, false),
            frameHeader(5, FrameType.Data, 0, id),
            prefix,
          ]),
        );
      const byte = Buffer.from([0]);
      while (!signal.aborted && !peer.closed) {
        const batch: Uint8Array[] = [];
        for (const id of ids) {
          for (let i = 0; i < 400 && peer.window(id) > 0 && peer.connWindow > 0; i++) {
            batch.push(frameHeader(1, FrameType.Data, 0, id), byte);
            peer.spend(id, 1);
          }
        }
        if (batch.length > 0) socket.write(Buffer.concat(batch));
        if (socket.writableLength > 1 << 20 || batch.length === 0) await tick();
        else await new Promise((r) => setImmediate(r));
      }
    },
  },
  {
    name: 'pooled: 1 MiB answers asked for, never read',
    async run(ports, signal) {
      const socket = connect(ports.pooled, signal);
      socket.pause();
      let id = 1;
      while (!signal.aborted && !socket.destroyed && id < 20_000) {
        const batch: Uint8Array[] = [];
        for (let i = 0; i < 50; i++) batch.push(unaryCall(id++, PATH.sized, { size: 2 ** 20 }));
        socket.write(Buffer.concat(batch));
        await new Promise((r) => setTimeout(r, 20));
      }
      await until(signal);
    },
  },
  {
    name: 'ws: ping flood, pongs never read',
    async run(ports, signal) {
      const ws = new WebSocket(`ws://127.0.0.1:${ports.ws}/weft-rpc`);
      ws.on('error', () => {});
      signal.addEventListener('abort', () => ws.terminate());
      await new Promise((r) => ws.once('open', r));
      (ws as unknown as { _socket: net.Socket })._socket.pause();
      const payload = Buffer.alloc(125);
      while (!signal.aborted && ws.readyState === WebSocket.OPEN) {
        for (let i = 0; i < 500; i++) ws.ping(payload);
        await new Promise((r) => setTimeout(r, 5));
      }
      await until(signal);
    },
  },
  {
    name: 'mux: 41 connections hold 250 never-ending calls each',
    async run(ports, signal) {
      const Target = defineTarget(rpc);
      const never: AsyncIterable<Msg> = {
        [Symbol.asyncIterator]: () => ({
          next: () => until(signal).then(() => ({ done: true, value: undefined })),
        }),
      };
      const clients = Array.from({ length: 41 }, () =>
        rpc.createClient(Target, {
          target: `127.0.0.1:${ports.mux}`,
          mux: { maxConnections: 1 },
          retry: { maxAttempts: 1 },
        }),
      );
      for (const c of clients) for (let i = 0; i < 250; i++) c.sum(never, { signal }).catch(() => {});
      await until(signal);
      for (const c of clients) c.close();
    },
  },
  {
    name: 'mux: 20,000 PRIORITY_UPDATE/s on 240 queued streams, reconnecting',
    async run(ports, signal) {
      while (!signal.aborted) {
        const socket = connect(ports.mux, signal);
        socket.pause();
        const closed = new Promise((r) => socket.once('close', r));
        const hpack = new HpackEncoder();
        const setup: Uint8Array[] = [
          CLIENT_PREFACE,
          // Windows wide open, so that the responses wait on the socket, queued, not on credit.
          Buffer.from(encodeSettings([[4, 2 ** 30]])),
          Buffer.from(encodeWindowUpdate(0, 2 ** 30)),
        ];
        const body = grpcMessage(pack({ size: 2 ** 20 }));
        for (let i = 0; i < 240; i++) {
          const id = 1 + 2 * i;
          setup.push(
            requestHeaders(hpack, id, PATH.sized, false),
            frameHeader(body.length, FrameType.Data, Flag.EndStream, id),
            body,
          );
        }
        socket.write(Buffer.concat(setup));
        let n = 0;
        while (!signal.aborted && !socket.destroyed) {
          const batch: Uint8Array[] = [];
          for (let i = 0; i < 200; i++, n++) {
            const value = Buffer.from(`u=${n % 8}`);
            const payload = Buffer.alloc(4 + value.length);
            payload.writeUInt32BE(1 + 2 * (n % 240));
            value.copy(payload, 4);
            batch.push(frameHeader(payload.length, FrameType.PriorityUpdate, 0, 0), payload);
          }
          socket.write(Buffer.concat(batch));
          await new Promise((r) => setTimeout(r, 10));
        }
        await Promise.race([closed, until(signal)]);
      }
    },
  },
];
