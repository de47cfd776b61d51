import { Packr } from 'msgpackr';
import { packPlain } from '#msgpack-plain';
import { defaultCodec, type MessageCodec } from './codec.js';

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
  if (policy === false) return defaultCodec;
  // Records mode decodes both forms (maps as objects, records as objects).
  const records = new Packr({ mapsAsObjects: true, moreTypes: false, useRecords: true });
  return {
    name: MSGPACKR_SUBTYPE,
    encode: policy === true ? (v) => records.pack(v) : (v) => (hasArray(v) ? records.pack(v) : packPlain(v)),
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
