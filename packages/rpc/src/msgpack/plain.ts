/**
 * Plain MessagePack for the envelope and the default codec: maps, arrays, strings, `bin`, no
 * extensions but `undefined` and timestamps — readable by any MessagePack implementation. In Node
 * this is msgpackr, the fastest there is; a browser bundle takes `plain-web.ts` instead (the
 * `browser` condition of the package's `#msgpack-plain` import), the same format from a writer and
 * reader a sixth of msgpackr's size.
 */
import { Packr } from 'msgpackr';

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

/** `value` as plain MessagePack. */
export const packPlain = (value: unknown): Uint8Array => packr.pack(value);

/** The one value plain MessagePack `bytes` hold. @throws on bytes that are not one such value */
export const unpackPlain = (bytes: Uint8Array): unknown => packr.unpack(bytes);
