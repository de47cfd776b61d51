import { Packr } from 'msgpackr';

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

/** When the msgpack codec uses msgpackr's records (an object's keys written once per shape). */
export type RecordsPolicy = boolean | 'arrays';

/** Content-subtype of msgpack with msgpackr's record extension: both ends must have opted in. */
export const MSGPACKR_SUBTYPE = 'msgpackr';

/**
 * MessagePack. By default (`useRecords: false`) plain MessagePack — maps, arrays, strings, `bin`,
 * no extensions — under the content-subtype `msgpack`: any MessagePack decoder in any language
 * reads what it writes, and it reads what they write.
 *
 * `useRecords: true` (always) or `'arrays'` (for a message that is an array, or has an array among
 * its fields) writes msgpackr's record extension (an object shape written once, then only its
 * values; ext type 0x72), which only msgpackr reads. Such a codec is named `msgpackr`, so it is sent
 * as `application/grpc+msgpackr` and speaks only to a peer whose method opted in too. The speed of
 * each is in the codec micro suite (`npm run bench:micro`).
 */
export function msgpackCodec(options: { useRecords?: RecordsPolicy } = {}): MessageCodec {
  const policy = options.useRecords ?? false;
  const common = { mapsAsObjects: true, moreTypes: false };
  const plain = new Packr({ ...common, useRecords: false });
  if (policy === false) {
    return { name: 'msgpack', encode: (v) => plain.pack(v), decode: (b) => plain.unpack(b) };
  }
  // Records mode decodes both forms (maps as objects, records as objects).
  const records = new Packr({ ...common, useRecords: true });
  return {
    name: MSGPACKR_SUBTYPE,
    encode: policy === true ? (v) => records.pack(v) : (v) => (hasArray(v) ? records : plain).pack(v),
    decode: (bytes) => records.unpack(bytes),
  };
}

/** Whether `value` is an array or an object with an array among its own fields. */
function hasArray(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  for (const key in value) if (Array.isArray((value as Record<string, unknown>)[key])) return true;
  return false;
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

/** The codec of methods that name none: plain MessagePack. */
export const defaultCodec: MessageCodec = msgpackCodec();
