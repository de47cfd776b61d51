/**
 * A compact MessagePack reader for the browser build, reading what msgpackr reads in the plain mode
 * the Node build uses (`mapsAsObjects: true`): maps as objects (a `__proto__` key becomes
 * `__proto_`, as in msgpackr), `bin` as a `Uint8Array` view of the input, 64-bit integers as
 * `bigint`, fixext 1 type 0 as `undefined`, the timestamp extension as `Date`. Any other extension
 * is refused. Every length is checked against the bytes left before anything is allocated, and
 * arrays and maps nest at most `MAX_DEPTH` deep.
 */
import { MAX_DEPTH, MsgpackError, tooDeep } from './error.js';

const utf8 = new TextDecoder();
let src: Uint8Array = new Uint8Array(0);
let view: DataView = new DataView(src.buffer);
let pos = 0;
let depth = 0;

/** The one MessagePack value `bytes` holds. @throws MsgpackError */
export function decode(bytes: Uint8Array): unknown {
  src = bytes;
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  pos = 0;
  depth = 0;
  const value = read();
  if (pos !== src.length) {
    throw new MsgpackError('MSGPACK_ERR_TRAILING', `${src.length - pos} bytes follow the MessagePack value`);
  }
  return value;
}

/** Claim the next `n` bytes; returns where they start. */
function take(n: number): number {
  if (n > src.length - pos)
    throw new MsgpackError('MSGPACK_ERR_TRUNCATED', 'the MessagePack value is cut short');
  const at = pos;
  pos += n;
  return at;
}

/** An unsigned big-endian length of 1, 2 or 4 bytes. */
function len(size: 1 | 2 | 4): number {
  const at = take(size);
  return size === 1 ? src[at]! : size === 2 ? view.getUint16(at) : view.getUint32(at);
}

function read(): unknown {
  const t = src[take(1)]!;
  if (t < 0x80) return t;
  if (t < 0x90) return map(t & 0xf);
  if (t < 0xa0) return array(t & 0xf);
  if (t < 0xc0) return str(t & 0x1f);
  if (t >= 0xe0) return t - 0x100;
  switch (t) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
      return bin(len(1));
    case 0xc5:
      return bin(len(2));
    case 0xc6:
      return bin(len(4));
    case 0xc7:
      return ext(len(1));
    case 0xc8:
      return ext(len(2));
    case 0xc9:
      return ext(len(4));
    case 0xca:
      return view.getFloat32(take(4));
    case 0xcb:
      return view.getFloat64(take(8));
    case 0xcc:
      return len(1);
    case 0xcd:
      return len(2);
    case 0xce:
      return len(4);
    case 0xcf:
      return view.getBigUint64(take(8));
    case 0xd0:
      return view.getInt8(take(1));
    case 0xd1:
      return view.getInt16(take(2));
    case 0xd2:
      return view.getInt32(take(4));
    case 0xd3:
      return view.getBigInt64(take(8));
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return ext(1 << (t - 0xd4));
    case 0xd9:
      return str(len(1));
    case 0xda:
      return str(len(2));
    case 0xdb:
      return str(len(4));
    case 0xdc:
      return array(len(2));
    case 0xdd:
      return array(len(4));
    case 0xde:
      return map(len(2));
    case 0xdf:
      return map(len(4));
  }
  throw new MsgpackError('MSGPACK_ERR_RESERVED', '0xc1 is not a MessagePack type');
}

function bin(n: number): Uint8Array {
  const at = take(n);
  return src.subarray(at, at + n);
}

function str(n: number): string {
  return utf8.decode(bin(n));
}

function array(n: number): unknown[] {
  // Every element takes at least a byte.
  if (n > src.length - pos) take(n);
  if (++depth > MAX_DEPTH) throw tooDeep();
  const items = new Array<unknown>(n);
  for (let i = 0; i < n; i++) items[i] = read();
  depth--;
  return items;
}

function map(n: number): Record<string, unknown> {
  // Every entry takes at least two bytes.
  if (n * 2 > src.length - pos) take(n * 2);
  if (++depth > MAX_DEPTH) throw tooDeep();
  const object: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    let key = read();
    if (typeof key !== 'string') {
      const type = typeof key;
      if (type !== 'number' && type !== 'boolean' && type !== 'bigint' && key != null) {
        throw new MsgpackError('MSGPACK_ERR_KEY', `a ${type} map key cannot be an object's property`);
      }
      key = String(key);
    }
    object[key === '__proto__' ? '__proto_' : (key as string)] = read();
  }
  depth--;
  return object;
}

/** An extension's type byte and `n` bytes of data. */
function ext(n: number): unknown {
  const type = view.getInt8(take(1));
  const at = take(n);
  if (type === 0) return undefined;
  if (type !== -1) {
    throw new MsgpackError(
      'MSGPACK_ERR_EXTENSION',
      `MessagePack extension type ${type} is not part of the plain format`,
    );
  }
  let sec: number;
  let nsec = 0;
  if (n === 4) sec = view.getUint32(at);
  else if (n === 8) {
    const high = view.getUint32(at);
    nsec = high >>> 2;
    sec = (high & 3) * 2 ** 32 + view.getUint32(at + 4);
  } else if (n === 12) {
    nsec = view.getUint32(at);
    sec = Number(view.getBigInt64(at + 4));
  } else return new Date(Number.NaN);
  return new Date(sec * 1000 + nsec / 1e6);
}
