/**
 * Unary load for the rpc bench, in its own process:
 *   node client.js SYSTEM PORT INFLIGHT SECONDS PAYLOAD [CONNECTIONS] → { callsPerSec, p50Ms, p99Ms, errors }
 * Keeps INFLIGHT calls outstanding (each completion starts the next), counts completions after a
 * 1 s warm-up. CONNECTIONS sizes the pools (weft-pooled, undici; default 16).
 */
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { lengthPrefixed } from '@weft/framing';
import { createClient } from '@weft/rpc';
import { pack, unpack } from 'msgpackr';
import { Pool } from 'undici';
import { Bench, grpcEchoMethod, type System } from './systems.js';

const [systemArg, portArg, inflightArg, secondsArg, payloadArg, connectionsArg] = process.argv.slice(2);
const system = systemArg as System;
const port = Number(portArg);
const inflight = Number(inflightArg);
const seconds = Number(secondsArg);
const connections = Number(connectionsArg ?? 16);
const message = { data: new Uint8Array(Number(payloadArg)).fill(0x61) };

/** One call: resolves when the reply has been decoded. */
type Call = () => Promise<unknown>;

function makeCall(): { call: Call; close: () => void } {
  if (system.startsWith('weft-')) {
    const transport = system.slice(5) as 'mux' | 'pooled' | 'ws';
    const client = createClient(Bench, {
      target: `127.0.0.1:${port}`,
      transport,
      pooled: { maxConnections: connections, maxWaiting: 100_000 },
    });
    return { call: () => client.echo(message), close: () => client.close() };
  }
  if (system === 'grpc-js') {
    const Ctor = grpc.makeGenericClientConstructor({ echo: grpcEchoMethod }, 'Bench');
    // biome-ignore lint/suspicious/noExplicitAny: grpc-js generic clients are untyped.
    const client: any = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = () =>
      new Promise((resolve, reject) =>
        client.echo(message, (err: Error | null, res: unknown) => (err ? reject(err) : resolve(res))),
      );
    return { call, close: () => client.close() };
  }
  if (system === 'undici') {
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1 });
    const call = async () => {
      const res = await pool.request({
        path: '/echo',
        method: 'POST',
        headers: { 'content-type': 'application/msgpack' },
        body: pack(message),
      });
      return unpack(Buffer.from(await res.body.arrayBuffer()));
    };
    return { call, close: () => void pool.close() };
  }
  if (system === 'raw') {
    // One socket, replies in order: a FIFO of resolvers is the whole protocol.
    const codec = lengthPrefixed({ width: 4 });
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const decoder = codec.decoder();
    const waiting: ((v: unknown) => void)[] = [];
    let head = 0;
    socket.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) waiting[head++]!(unpack(f));
      if (head > 4096) {
        waiting.splice(0, head);
        head = 0;
      }
    });
    let corked = false;
    const call = () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        if (!corked) {
          corked = true;
          socket.cork();
          process.nextTick(() => {
            corked = false;
            socket.uncork();
          });
        }
        for (const part of codec.encodeParts(pack(message))) socket.write(part);
      });
    return { call, close: () => socket.destroy() };
  }
  throw new Error(`unknown system ${system}`);
}

const { call, close } = makeCall();
let counting = false;
let stop = false;
let done = 0;
let errors = 0;
const latencies: number[] = [];
const loop = async () => {
  while (!stop) {
    const t0 = performance.now();
    try {
      await call();
      if (counting) {
        done++;
        if ((done & 7) === 0) latencies.push(performance.now() - t0);
      }
    } catch {
      if (counting) errors++;
    }
  }
};
for (let i = 0; i < inflight; i++) void loop();
await new Promise((r) => setTimeout(r, 1000));
counting = true;
const start = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
counting = false;
stop = true;
const elapsed = (performance.now() - start) / 1000;
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({ callsPerSec: done / elapsed, p50Ms: at(0.5), p99Ms: at(0.99), errors })}\n`,
);
close();
process.exit(0);
