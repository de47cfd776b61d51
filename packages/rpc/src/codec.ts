import { Packr } from 'msgpackr';

/**
 * Turns a message value into bytes and back. `name` is the gRPC content-subtype: a method using the
 * msgpack codec is sent as `application/grpc+msgpack`.
 */
export interface MessageCodec<T = unknown> {
  /** Content-subtype: `'msgpack'`, `'json'`, `'proto'`... */
  readonly name: string;
  /** @throws anything: the call fails with `INTERNAL` (sender side). */
  encode(value: T): Uint8Array;
  /** @throws anything: the call fails with `INTERNAL` "undecodable payload". */
  decode(bytes: Uint8Array): T;
}

/**
 * The default codec: MessagePack through msgpackr, with records on (an object shape that repeats
 * inside one message is written once). Each message is self-contained, so any msgpackr `unpack`
 * (a grpc-js client with msgpackr serializers, for one) decodes it.
 */
export function msgpackCodec(options: { useRecords?: boolean } = {}): MessageCodec {
  const packr = new Packr({
    useRecords: options.useRecords ?? true,
    // Maps from other msgpack writers decode as plain objects, not `Map`s.
    mapsAsObjects: true,
    moreTypes: false,
  });
  return {
    name: 'msgpack',
    encode: (value) => packr.pack(value),
    decode: (bytes) => packr.unpack(bytes),
  };
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

/** The codec shared by methods that name none. */
export const defaultCodec: MessageCodec = msgpackCodec();
