/** The unary echo service every rpc bench system serves, and the systems' names. */
import { defineService, unary } from '@weft/rpc';
import { pack, unpack } from 'msgpackr';

/** An echo of a `{ data: bytes }` message (a 64-byte payload is 70 bytes of msgpack). */
export const Bench = defineService('weft.bench.v1.Bench', {
  echo: unary<{ data: Uint8Array }, { data: Uint8Array }>(),
});

/** Systems of the rpc suite: server and client kinds. */
export const SYSTEMS = ['weft-mux', 'weft-pooled', 'weft-ws', 'grpc-js', 'undici', 'raw'] as const;
export type System = (typeof SYSTEMS)[number];

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
