/**
 * The envelope of the pooled and WebSocket transports (docs/rpc-pooled.md): one call event per
 * envelope, `kind·flags (1 byte) | call id (varint) | body`. Pooled connections carry envelopes in
 * `@weft/framing` 4-byte length-prefixed frames; WebSocket carries one envelope per binary message.
 * Pure: bytes in, a typed envelope out.
 */
import { readVarint, varintLength, writeVarint } from '@weft/framing';
import { packPlain, unpackPlain } from '#msgpack-plain';
import { decodeStatusProto, type ErrorDetail, encodeStatusProto } from './error-details.js';
import { EMPTY_METADATA, isCustomKey, isTextValue, Metadata, type MetadataValue } from './metadata.js';
import { isStatus, Status } from './status.js';

/** Envelope kinds: the low 4 bits of the first byte. */
export const EnvelopeKind = {
  /**
   * Client → server: start a call. Body: msgpack `[path, timeoutMs | null, acceptsGzip, metadata,
   * subtype?]` (`subtype`: the content-subtype of the messages, as gRPC's `application/grpc+<subtype>`).
   */
  Call: 1,
  /** Either way: one message. Body: the message bytes. Flags: End (client: last request), Compressed. */
  Message: 2,
  /** Client → server: no more requests (half-close). Empty body. */
  End: 3,
  /**
   * Server → client: response headers. Body: msgpack metadata. Optional: a Message or Status without
   * Headers before it implies empty headers.
   */
  Headers: 4,
  /**
   * Server → client: the call's status; ends it. Body: msgpack `[code, message, trailers, details?]`
   * (`details`: `bin`, a `google.rpc.Status` in protobuf binary), or empty for OK with no message,
   * trailers or details (the common case, sent in 2 bytes).
   */
  Status: 5,
  /** Client → server: the call is cancelled. Empty body. */
  Cancel: 6,
  /** Either way: the receiver grants `credit` more messages for the call. Body: varint. */
  Window: 7,
  /**
   * Server → client, call id 0, empty body: the server is closing this connection — send no new
   * calls on it (calls already sent are served); open another for the next ones.
   */
  Goaway: 8,
  /** Client → server, call id 0, empty body: keepalive; the server answers Pong at once. */
  Ping: 9,
  /** Server → client, call id 0, empty body: the answer to Ping. */
  Pong: 10,
} as const;
export type EnvelopeKind = (typeof EnvelopeKind)[keyof typeof EnvelopeKind];

/** Flag on Message: the client's last message (half-close follows). */
export const FLAG_END = 0x80;
/** Flag on Message: the body is gzip-compressed. */
export const FLAG_COMPRESSED = 0x40;

/**
 * Messages a sender may send on a call before the receiver grants more with Window: the per-call
 * flow-control window. Unary calls never need a Window envelope.
 */
export const INITIAL_WINDOW = 16;

/** Largest body of a Call, Headers or Status envelope (the metadata): 64 KiB, as mux's header list. */
export const MAX_METADATA_BYTES = 64 * 1024;

/** Largest call id: ids are 32-bit, reused only after wrapping. */
export const MAX_CALL_ID = 0xffff_ffff;

/** A decoded envelope. */
export type Envelope =
  | {
      kind: 1;
      id: number;
      path: string;
      timeoutMs: number | undefined;
      acceptsGzip: boolean;
      metadata: Metadata;
      /** `''` when the client named none. */
      subtype: string;
    }
  | { kind: 2; id: number; bytes: Uint8Array; end: boolean; compressed: boolean }
  | { kind: 3; id: number }
  | { kind: 4; id: number; metadata: Metadata }
  | { kind: 5; id: number; code: Status; message: string; trailers: Metadata; details: ErrorDetail[] }
  | { kind: 6; id: number }
  | { kind: 7; id: number; credit: number }
  | { kind: 8; id: number }
  | { kind: 9; id: number }
  | { kind: 10; id: number };

/** A malformed envelope from the peer: the connection is closed. Code `RPC_ERR_ENVELOPE`. */
export class EnvelopeError extends Error {
  readonly code = 'RPC_ERR_ENVELOPE';
  constructor(message: string) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

function head(kindByte: number, id: number, bodyLength: number): { buf: Uint8Array; at: number } {
  const buf = new Uint8Array(1 + varintLength(id) + bodyLength);
  buf[0] = kindByte;
  return { buf, at: writeVarint(id, buf, 1) };
}

/** An envelope with a small body, as one buffer. */
function withBody(kindByte: number, id: number, body: Uint8Array): Uint8Array {
  const { buf, at } = head(kindByte, id, body.length);
  buf.set(body, at);
  return buf;
}

function flatten(metadata: Metadata): MetadataValue[] {
  const out: MetadataValue[] = [];
  for (const [key, value] of metadata.entries()) out.push(key, value);
  return out;
}

/** Packed paths of recent Call envelopes: a client sends the same few paths again and again. */
const packedPaths = new Map<string, Uint8Array>();
const PACKED_PATHS_MAX = 1024;

function packedPath(path: string): Uint8Array {
  let packed = packedPaths.get(path);
  if (packed === undefined) {
    if (packedPaths.size >= PACKED_PATHS_MAX) packedPaths.clear();
    packed = packPlain(path);
    packedPaths.set(path, packed);
  }
  return packed;
}

/** Packed content-subtypes: a process speaks a handful. */
const packedSubtypes = new Map<string, Uint8Array>();

function packedSubtype(subtype: string): Uint8Array {
  let packed = packedSubtypes.get(subtype);
  if (packed === undefined) {
    packed = packPlain(subtype);
    if (packedSubtypes.size < 64) packedSubtypes.set(subtype, packed);
  }
  return packed;
}

/** msgpack of a non-negative integer below 2^32. */
function packUint(value: number): Uint8Array {
  if (value < 0x80) return Uint8Array.of(value);
  if (value < 0x100) return Uint8Array.of(0xcc, value);
  if (value < 0x10000) return Uint8Array.of(0xcd, value >>> 8, value & 0xff);
  return Uint8Array.of(0xce, value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

const MSGPACK_ARRAY_4 = 0x94;
const MSGPACK_ARRAY_5 = 0x95;
const MSGPACK_NIL = 0xc0;
const MSGPACK_EMPTY_ARRAY = Uint8Array.of(0x90);

/**
 * Encode a Call envelope. `timeoutMs` is rounded up to whole milliseconds (a receiver never sees a
 * later deadline than the sender's) and capped at 2^32 - 1.
 */
export function encodeCall(
  id: number,
  path: string,
  timeoutMs: number | undefined,
  acceptsGzip: boolean,
  metadata: Metadata,
  subtype = '',
): Uint8Array {
  // `[path, timeoutMs | nil, acceptsGzip, metadata, subtype?]`, written by hand around cached parts.
  const p = packedPath(path);
  const t = timeoutMs === undefined ? undefined : packUint(Math.min(Math.ceil(timeoutMs), 0xffff_ffff));
  const m = metadata.size === 0 ? MSGPACK_EMPTY_ARRAY : packPlain(flatten(metadata));
  const s = subtype === '' ? undefined : packedSubtype(subtype);
  const bodyLength = 1 + p.length + (t?.length ?? 1) + 1 + m.length + (s?.length ?? 0);
  if (bodyLength > MAX_METADATA_BYTES) {
    throw new EnvelopeError(
      `a Call of ${bodyLength} bytes with its metadata; a peer takes at most ${MAX_METADATA_BYTES}`,
    );
  }
  const { buf, at } = head(EnvelopeKind.Call, id, bodyLength);
  let i = at;
  buf[i++] = s === undefined ? MSGPACK_ARRAY_4 : MSGPACK_ARRAY_5;
  buf.set(p, i);
  i += p.length;
  if (t === undefined) buf[i++] = MSGPACK_NIL;
  else {
    buf.set(t, i);
    i += t.length;
  }
  buf[i++] = acceptsGzip ? 0xc3 : 0xc2;
  buf.set(m, i);
  if (s !== undefined) buf.set(s, i + m.length);
  return buf;
}

/** Encode a Message envelope as `[header, bytes]` (the message itself is not copied). */
export function encodeMessage(
  id: number,
  bytes: Uint8Array,
  end: boolean,
  compressed: boolean,
): Uint8Array[] {
  const flags = (end ? FLAG_END : 0) | (compressed ? FLAG_COMPRESSED : 0);
  return [head(EnvelopeKind.Message | flags, id, 0).buf, bytes];
}

/** Encode an envelope with no body (End, Cancel, Goaway, Ping, Pong). */
export function encodeEmpty(kind: 3 | 6 | 8 | 9 | 10, id: number): Uint8Array {
  return head(kind, id, 0).buf;
}

/** Encode a Headers envelope. */
export function encodeHeaders(id: number, metadata: Metadata): Uint8Array {
  return withBody(EnvelopeKind.Headers, id, packPlain(flatten(metadata)));
}

/** Encode a Status envelope (an empty body for a plain OK). */
export function encodeStatus(
  id: number,
  code: Status,
  message: string,
  trailers: Metadata,
  details: readonly ErrorDetail[] = [],
): Uint8Array {
  if (code === Status.OK && message === '' && trailers.size === 0 && details.length === 0) {
    return head(EnvelopeKind.Status, id, 0).buf;
  }
  const body = [code, message, flatten(trailers)];
  if (details.length > 0) body.push(encodeStatusProto(code, message, details) as never);
  return withBody(EnvelopeKind.Status, id, packPlain(body));
}

/** Encode a Window envelope. */
export function encodeWindow(id: number, credit: number): Uint8Array {
  const { buf, at } = head(EnvelopeKind.Window, id, varintLength(credit));
  writeVarint(credit, buf, at);
  return buf;
}

/**
 * Decode one envelope. A Message's bytes are a view into `bytes`.
 * @throws {EnvelopeError} for anything malformed.
 */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.length < 2) throw new EnvelopeError('envelope shorter than 2 bytes');
  const first = bytes[0]!;
  const kind = first & 0x0f;
  let idRead: ReturnType<typeof readVarint>;
  try {
    idRead = readVarint(bytes, 1, bytes.length, MAX_CALL_ID);
  } catch {
    idRead = undefined;
  }
  if (idRead === undefined) throw new EnvelopeError('malformed call id');
  const id = idRead.value;
  const bodyAt = 1 + idRead.bytes;
  const body = bytes.subarray(bodyAt);
  if (kind === EnvelopeKind.Message) {
    if ((first & 0x30) !== 0) throw new EnvelopeError('reserved flags set');
    return {
      kind,
      id,
      bytes: body,
      end: (first & FLAG_END) !== 0,
      compressed: (first & FLAG_COMPRESSED) !== 0,
    };
  }
  if ((first & 0xf0) !== 0) throw new EnvelopeError(`flags on an envelope of kind ${kind}`);
  switch (kind) {
    case EnvelopeKind.End:
    case EnvelopeKind.Cancel:
      if (body.length !== 0) throw new EnvelopeError('End/Cancel with a body');
      return { kind, id };
    case EnvelopeKind.Goaway:
    case EnvelopeKind.Ping:
    case EnvelopeKind.Pong:
      if (body.length !== 0 || id !== 0) throw new EnvelopeError(`kind ${kind} with a body or a call id`);
      return { kind, id };
    case EnvelopeKind.Window: {
      let credit: ReturnType<typeof readVarint>;
      try {
        credit = readVarint(body, 0, body.length, 0xffff_ffff);
      } catch {
        credit = undefined;
      }
      if (credit === undefined || credit.bytes !== body.length || credit.value === 0) {
        throw new EnvelopeError('malformed Window credit');
      }
      return { kind, id, credit: credit.value };
    }
    case EnvelopeKind.Call: {
      const v = unpackBody(body);
      if (
        !Array.isArray(v) ||
        (v.length !== 4 && v.length !== 5) ||
        typeof v[0] !== 'string' ||
        !(v[1] === null || (Number.isInteger(v[1]) && v[1] >= 0)) ||
        typeof v[2] !== 'boolean' ||
        !(v[4] === undefined || (typeof v[4] === 'string' && v[4].length <= 64))
      ) {
        throw new EnvelopeError('malformed Call');
      }
      return {
        kind,
        id,
        path: v[0],
        timeoutMs: v[1] === null ? undefined : v[1],
        acceptsGzip: v[2],
        // The server's interceptors may add to a call's metadata: never the shared empty instance.
        metadata: unflatten(v[3], true),
        subtype: v[4] === undefined ? '' : v[4].toLowerCase(),
      };
    }
    case EnvelopeKind.Headers:
      return { kind, id, metadata: unflatten(unpackBody(body), false) };
    case EnvelopeKind.Status: {
      if (body.length === 0) {
        return { kind, id, code: Status.OK, message: '', trailers: EMPTY_METADATA, details: [] };
      }
      const v = unpackBody(body);
      if (!Array.isArray(v) || v.length < 3 || v.length > 4 || !isStatus(v[0]) || typeof v[1] !== 'string') {
        throw new EnvelopeError('malformed Status');
      }
      return {
        kind,
        id,
        code: v[0],
        message: v[1],
        trailers: unflatten(v[2], false),
        details: details(v[3]),
      };
    }
    default:
      throw new EnvelopeError(`unknown envelope kind ${kind}`);
  }
}

function details(value: unknown): ErrorDetail[] {
  if (value === undefined) return [];
  if (!(value instanceof Uint8Array)) throw new EnvelopeError('malformed Status details');
  try {
    return decodeStatusProto(value).details;
  } catch {
    throw new EnvelopeError('malformed Status details');
  }
}

function unpackBody(body: Uint8Array): unknown {
  if (body.length > MAX_METADATA_BYTES) throw new EnvelopeError(`metadata over ${MAX_METADATA_BYTES} bytes`);
  try {
    return unpackPlain(body);
  } catch {
    throw new EnvelopeError('undecodable envelope body');
  }
}

/** Metadata from its flat wire form; with `mutable` false, none is the shared read-only empty one. */
function unflatten(value: unknown, mutable: boolean): Metadata {
  if (!Array.isArray(value) || value.length % 2 !== 0) throw new EnvelopeError('malformed metadata');
  if (value.length === 0 && !mutable) return EMPTY_METADATA;
  const metadata = new Metadata();
  for (let i = 0; i < value.length; i += 2) {
    const key = value[i];
    const v = value[i + 1];
    if (typeof key !== 'string' || !isCustomKey(key)) throw new EnvelopeError('invalid metadata key');
    if (typeof v === 'string') {
      // The same rule as HTTP/2 field values: no CR, LF or NUL a proxy could split on, nothing
      // but printable ASCII.
      if (!key.endsWith('-bin') && !isTextValue(v))
        throw new EnvelopeError(`invalid value for metadata ${key}`);
      metadata._addTrusted(key, v);
    } else if (v instanceof Uint8Array && key.endsWith('-bin')) metadata._addTrusted(key, v);
    else throw new EnvelopeError('invalid metadata value');
  }
  return metadata;
}
