/**
 * A compact MessagePack writer: the plain format the Node build writes with msgpackr
 * (`useRecords: false`, `moreTypes: false`) in a fraction of its size, for the browser build. Maps,
 * arrays, strings, `bin`, numbers, booleans, nil; `undefined` as fixext 1 type 0 and `Date` as the
 * timestamp extension (type -1), as msgpackr writes them. Sizes are the smallest the format allows.
 */
import { MAX_DEPTH, MsgpackError, tooDeep } from './error.js';

const utf8 = new TextEncoder();
let buf = new Uint8Array(256);
let view = new DataView(buf.buffer);
let pos = 0;
let depth = 0;

/** `value` as MessagePack, in a buffer of its own. @throws MsgpackError */
export function encode(value: unknown): Uint8Array {
  pos = 0;
  depth = 0;
  put(value);
  const out = buf.slice(0, pos);
  // The scratch buffer does not keep the size of the largest message ever sent.
  if (buf.length > 0x10000) {
    buf = new Uint8Array(256);
    view = new DataView(buf.buffer);
  }
  return out;
}

function room(n: number): void {
  if (pos + n <= buf.length) return;
  const next = new Uint8Array(Math.max(buf.length * 2, pos + n));
  next.set(buf.subarray(0, pos));
  buf = next;
  view = new DataView(next.buffer);
}

/** A length header: `fix | n` below `fixEnd`, else the 8- (if `c8`), 16- or 32-bit form. */
function head(n: number, fix: number, fixEnd: number, c8: number, c16: number): void {
  room(5);
  if (n < fixEnd) buf[pos++] = fix | n;
  else if (c8 && n < 0x100) {
    buf[pos++] = c8;
    buf[pos++] = n;
  } else if (n < 0x10000) {
    buf[pos++] = c16;
    view.setUint16(pos, n);
    pos += 2;
  } else {
    buf[pos++] = c16 + 1;
    view.setUint32(pos, n);
    pos += 4;
  }
}

function bytes(b: Uint8Array): void {
  room(b.length);
  buf.set(b, pos);
  pos += b.length;
}

function byte(code: number): void {
  room(1);
  buf[pos++] = code;
}

/** A fixed-size value after its type byte: `write` fills `size` bytes at `pos`. */
function fixed(code: number, size: number, write: (at: number) => void): void {
  room(1 + size);
  buf[pos++] = code;
  write(pos);
  pos += size;
}

function num(n: number): void {
  if (Number.isInteger(n) && n >= -0x80000000 && n <= 0xffffffff) {
    if (n >= 0) {
      if (n < 0x80) byte(n);
      else if (n < 0x100) fixed(0xcc, 1, (at) => view.setUint8(at, n));
      else if (n < 0x10000) fixed(0xcd, 2, (at) => view.setUint16(at, n));
      else fixed(0xce, 4, (at) => view.setUint32(at, n));
    } else if (n >= -0x20) byte(n & 0xff);
    else if (n >= -0x80) fixed(0xd0, 1, (at) => view.setInt8(at, n));
    else if (n >= -0x8000) fixed(0xd1, 2, (at) => view.setInt16(at, n));
    else fixed(0xd2, 4, (at) => view.setInt32(at, n));
  } else fixed(0xcb, 8, (at) => view.setFloat64(at, n));
}

function big(n: bigint): void {
  if (n >= -(2n ** 63n) && n < 2n ** 63n) fixed(0xd3, 8, (at) => view.setBigInt64(at, n));
  else if (n > 0n && n < 2n ** 64n) fixed(0xcf, 8, (at) => view.setBigUint64(at, n));
  else throw new MsgpackError('MSGPACK_ERR_VALUE', `${n} does not fit MessagePack's 64-bit integers`);
}

/** The timestamp extension: 32-bit seconds, 30-bit nanoseconds with 34-bit seconds, or 96-bit. */
function date(d: Date): void {
  const ms = d.getTime();
  if (Number.isNaN(ms)) {
    // An invalid date, as msgpackr writes it (a 1-byte timestamp that reads back as one).
    fixed(0xd4, 2, (at) => view.setUint16(at, 0xffff));
    return;
  }
  const sec = Math.floor(ms / 1000);
  const nsec = (ms - sec * 1000) * 1e6;
  if (nsec === 0 && sec >= 0 && sec < 2 ** 32) {
    fixed(0xd6, 5, (at) => {
      buf[at] = 0xff;
      view.setUint32(at + 1, sec);
    });
  } else if (sec >= 0 && sec < 2 ** 34) {
    fixed(0xd7, 9, (at) => {
      buf[at] = 0xff;
      view.setUint32(at + 1, nsec * 4 + Math.floor(sec / 2 ** 32));
      view.setUint32(at + 5, sec >>> 0);
    });
  } else {
    fixed(0xc7, 14, (at) => {
      buf[at] = 12;
      buf[at + 1] = 0xff;
      view.setUint32(at + 2, nsec);
      view.setBigInt64(at + 6, BigInt(sec));
    });
  }
}

function list(items: readonly unknown[]): void {
  head(items.length, 0x90, 16, 0, 0xdc);
  for (const item of items) put(item);
}

function put(v: unknown): void {
  const type = typeof v;
  if (type === 'string') {
    const b = utf8.encode(v as string);
    head(b.length, 0xa0, 32, 0xd9, 0xda);
    bytes(b);
  } else if (type === 'number') num(v as number);
  else if (type === 'boolean') byte(v ? 0xc3 : 0xc2);
  else if (type === 'bigint') big(v as bigint);
  else if (type === 'undefined' || type === 'function') {
    // msgpackr's `undefined` (a function has no MessagePack form and is written as one).
    room(3);
    buf[pos++] = 0xd4;
    buf[pos++] = 0;
    buf[pos++] = 0;
  } else if (type === 'symbol')
    throw new MsgpackError('MSGPACK_ERR_VALUE', 'a symbol has no MessagePack form');
  else if (v === null) byte(0xc0);
  else putObject(v as object);
}

function putObject(v: object): void {
  if (++depth > MAX_DEPTH) throw tooDeep();
  if (Array.isArray(v)) list(v);
  else if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
    const b =
      v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    head(b.length, 0, 0, 0xc4, 0xc5);
    bytes(b);
  } else if (v instanceof Date) date(v);
  else if (v instanceof Set) list([...v]);
  else if (v instanceof Error) list([v.name, v.message, v.cause]);
  else if (v instanceof RegExp) list([v.source, v.flags]);
  else if (v instanceof Map) {
    head(v.size, 0x80, 16, 0, 0xde);
    for (const [key, value] of v) {
      put(key);
      put(value);
    }
  } else {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    const json = v.constructor !== Object && typeof toJSON === 'function' ? toJSON.call(v) : v;
    if (json !== v) put(json);
    else {
      const keys = Object.keys(v);
      head(keys.length, 0x80, 16, 0, 0xde);
      for (const key of keys) {
        put(key);
        put((v as Record<string, unknown>)[key]);
      }
    }
  }
  depth--;
}
