/** The unary echo service every rpc bench system serves, and the systems' names. */
import { defineService, unary } from '@weft/rpc';

/** An echo of a `{ data: bytes }` message (a 64-byte payload is 70 bytes of msgpack). */
export const Bench = defineService('weft.bench.v1.Bench', {
  echo: unary<{ data: Uint8Array }, { data: Uint8Array }>(),
});

/** Systems of the rpc suite: server and client kinds. */
export const SYSTEMS = ['weft-mux', 'weft-pooled', 'weft-ws', 'grpc-js', 'undici', 'raw'] as const;
export type System = (typeof SYSTEMS)[number];

export const ECHO_PATH = '/weft.bench.v1.Bench/echo';
