/**
 * Plain MessagePack in a browser bundle, standing in for `plain.ts` (the `browser` condition
 * of the package's `#msgpack-plain` import): the compact writer and reader, so a page does not load msgpackr. Same exports, same
 * format.
 */
export { decode as unpackPlain } from './decode.js';
export { encode as packPlain } from './encode.js';
