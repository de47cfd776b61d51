/** The service of the hostile runs, defined with whichever build of @weft/rpc runs the side. */
import type * as Rpc from '@weft/rpc';

/** A request or response of the target service. */
export interface Msg {
  n?: number;
  size?: number;
  bytes?: Uint8Array;
}

/** `weft.hostile.v1.Target`: echo, a response of `size` zero bytes, a sum of streamed requests. */
export function defineTarget(rpc: typeof Rpc) {
  return rpc.defineService('weft.hostile.v1.Target', {
    echo: rpc.unary<Msg, Msg>(),
    sized: rpc.unary<Msg, Msg>(),
    sum: rpc.clientStream<Msg, Msg>(),
  });
}

/** Wire paths of its methods, for attackers that write requests by hand. */
export const PATH = {
  echo: '/weft.hostile.v1.Target/echo',
  sized: '/weft.hostile.v1.Target/sized',
  sum: '/weft.hostile.v1.Target/sum',
} as const;
