import { packPlain, unpackPlain } from '#msgpack-plain';

/**
 * Turns one kind of message into bytes and back: a method has one for its requests and one for its
 * responses (`MethodOptions.requestCodec`, `responseCodec`, or `codec` for both when the encoding
 * needs no schema). `name` is the gRPC content-subtype: a method whose codecs are named `msgpack` is
 * sent as `application/grpc+msgpack`, and a request naming another subtype is refused with a status
 * that says so.
 */
export interface MessageCodec<T = unknown> {
  /** Content-subtype: `'msgpack'`, `'json'`, `'proto'`... Lowercase `[a-z0-9._-]`. */
  readonly name: string;
  /** @throws anything: the call fails with `INTERNAL` (sender side). */
  encode(value: T): Uint8Array;
  /** @throws anything: the call fails with `INTERNAL` "could not decode the request/response". */
  decode(bytes: Uint8Array): T;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** JSON as UTF-8 (`application/grpc+json`). */
export const jsonCodec: MessageCodec = {
  name: 'json',
  encode: (value) => encoder.encode(JSON.stringify(value)),
  decode: (bytes) => JSON.parse(decoder.decode(bytes)),
};

/** Raw bytes, untouched: the message is the payload (`application/grpc+raw`). */
export const rawCodec: MessageCodec<Uint8Array> = {
  name: 'raw',
  encode: (value) => {
    if (!(value instanceof Uint8Array)) throw new TypeError('the raw codec sends Uint8Array messages only');
    return value;
  },
  decode: (bytes) => bytes,
};

/**
 * The codec of methods that name none: plain MessagePack (`application/grpc+msgpack`) — maps,
 * arrays, strings, `bin`, no extensions, readable by any MessagePack implementation. What
 * `msgpackCodec()` returns.
 */
export const defaultCodec: MessageCodec = { name: 'msgpack', encode: packPlain, decode: unpackPlain };
