/**
 * The systems of the main bench: weft's transports and the peers users compare them with. Every
 * system echoes a `{ data: bytes }` message — in msgpack, or in protobuf for the two `-proto`
 * systems (bench/proto) — so that systems compared with each other do the same codec work per call.
 */
import { fileURLToPath } from 'node:url';
import { defineService, unary } from '@weft/rpc';
import { pack, unpack } from 'msgpackr';

/** Largest message any scenario sends (the `hol` transfer is 16 MiB), with room for framing. */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** The echo service the weft systems serve. */
export const Bench = defineService('weft.bench.v1.Bench', {
  echo: unary<{ data: Uint8Array }, { data: Uint8Array }>({ maxMessageBytes: MAX_MESSAGE_BYTES }),
});

export const ECHO_PATH = '/weft.bench.v1.Bench/echo';

/** The echo method as grpc-js describes it, with msgpackr serializers (client and server). */
export const grpcEchoMethod = {
  path: ECHO_PATH,
  requestStream: false,
  responseStream: false,
  requestSerialize: (v: unknown) => pack(v),
  requestDeserialize: (b: Buffer) => unpack(b),
  responseSerialize: (v: unknown) => pack(v),
  responseDeserialize: (b: Buffer) => unpack(b),
};

/** The .proto of the `-proto` systems, for @grpc/proto-loader (from dist/src/main or src/main). */
export const BENCH_PROTO = {
  root: fileURLToPath(
    new URL(import.meta.url.includes('/dist/') ? '../../../proto' : '../../proto', import.meta.url),
  ),
  file: 'weft/bench/v1/bench.proto',
};

/** What a system is, for the report. */
export interface SystemInfo {
  /** `weft` systems are ours; `peer` systems are what users compare with; `floor` is the bound. */
  family: 'weft' | 'peer' | 'floor';
  /** Connections its client uses. */
  connections: string;
  description: string;
  /** Its server and client can speak TLS in the bench. */
  tls: boolean;
}

export const SYSTEMS = {
  'weft-mux': {
    family: 'weft',
    connections: '1',
    description: 'weft rpc over @weft/mux (gRPC wire format), one HTTP/2 connection',
    tls: true,
  },
  'weft-mux-scaled': {
    family: 'weft',
    connections: '1-4',
    description:
      'weft rpc over @weft/mux with connection scaling: another HTTP/2 connection (up to four) whenever each holds 25 calls in flight',
    tls: true,
  },
  'weft-pooled': {
    family: 'weft',
    connections: '16',
    description: 'weft rpc pooled: 16 TCP connections, one call in flight each',
    tls: true,
  },
  'weft-pooled-pipelined': {
    family: 'weft',
    connections: '16',
    description: 'weft rpc pooled: 16 TCP connections, up to 8 calls pipelined on each (in-order replies)',
    tls: true,
  },
  'weft-ws': {
    family: 'weft',
    connections: '1',
    description: 'weft rpc over @weft/ws, one WebSocket',
    tls: true,
  },
  'weft-mux-proto': {
    family: 'weft',
    connections: '1',
    description: 'weft rpc over @weft/mux serving protobuf-es generated code (application/grpc+proto)',
    tls: false,
  },
  'weft-mux-otel': {
    family: 'weft',
    connections: '1',
    description: 'weft-mux with @weft/rpc/otel interceptors on both sides and no SDK registered',
    tls: false,
  },
  'weft-mux-otel-sdk': {
    family: 'weft',
    connections: '1',
    description:
      'weft-mux with @weft/rpc/otel interceptors and the OpenTelemetry SDK recording every span and metric',
    tls: false,
  },
  'grpc-js-proto': {
    family: 'peer',
    connections: '1',
    description: '@grpc/grpc-js client and server on the same .proto through @grpc/proto-loader',
    tls: false,
  },
  'node-http2': {
    family: 'peer',
    connections: '1',
    description: 'node:http2 client and server, one connection, a POST per call',
    tls: true,
  },
  'grpc-js': {
    family: 'peer',
    connections: '1',
    description: '@grpc/grpc-js client and server with msgpackr serializers',
    tls: false,
  },
  ws: {
    family: 'peer',
    connections: '1',
    description: 'the ws package, one WebSocket, call ids in messages',
    tls: false,
  },
  undici: {
    family: 'peer',
    connections: '16',
    description: "undici's Pool (16 connections) against a node:http keep-alive server",
    tls: false,
  },
  raw: {
    family: 'floor',
    connections: '1',
    description: 'msgpack in 4-byte length-prefixed frames on one bare socket, replies in order',
    tls: false,
  },
} as const satisfies Record<string, SystemInfo>;

export type System = keyof typeof SYSTEMS;

/** Every system, in report order. */
export const SYSTEM_NAMES = Object.keys(SYSTEMS) as System[];

/** Whether `name` names a system. */
export function isSystem(name: string): name is System {
  return Object.hasOwn(SYSTEMS, name);
}

/** The request of a call carrying `bytes` of payload. */
export function message(bytes: number): { data: Uint8Array } {
  return { data: new Uint8Array(bytes).fill(0x61) };
}
