/**
 * gRPC over HTTP/2 wire details (grpc/grpc doc/PROTOCOL-HTTP2.md): metadata as headers, the status
 * trailers, `grpc-message` percent-encoding, and the HTTP status fallback mapping.
 */
import { type LengthPrefixedCodec, lengthPrefixed, MAX_FRAME_LENGTH_LIMIT } from '@weft/framing';
import { decodeStatusProto, type ErrorDetail, encodeStatusProto } from '../error-details.js';
import { RpcError } from '../errors.js';
import type { Metadata } from '../metadata.js';
import { isStatus, Status } from '../status.js';
import { DETAILS_KEY, type ReceivedHead } from './received-head.js';

/** Header fields as `@weft/mux` sends them (a `HeaderList`): `[name, value]`, names lowercase. */
export type Fields = [string, string][];

/** Content-types seen, with their subtype: a handful per process (bounded all the same). */
const subtypes = new Map<string, string | undefined>();

/**
 * The content-subtype of a gRPC content-type, lowercase: `'proto'` of `application/grpc+proto`,
 * `''` of a plain `application/grpc` (parameters after `;` ignored), undefined for a content-type
 * that is not gRPC.
 */
export function contentSubtype(type: string): string | undefined {
  let subtype = subtypes.get(type);
  if (subtype !== undefined || subtypes.has(type)) return subtype;
  const match = /^application\/grpc(?:\+([^;\s]*))?\s*(?:;.*)?$/i.exec(type);
  subtype = match === null ? undefined : (match[1] ?? '').toLowerCase();
  if (subtypes.size < 64) subtypes.set(type, subtype);
  return subtype;
}

/** Append `metadata` to `fields`: `-bin` values in unpadded base64, repeated keys as repeated fields. */
export function metadataToFields(metadata: Metadata, fields: Fields): Fields {
  if (metadata.size === 0) return fields; // most calls: no generator, no garbage
  for (const [key, value] of metadata.entries()) {
    fields.push([
      key,
      typeof value === 'string' ? value : Buffer.from(value).toString('base64').replace(/=+$/, ''),
    ]);
  }
  return fields;
}

/** Percent-encode a status message: bytes outside %x20-%x7E, and `%`, become `%XX` of their UTF-8. */
export function encodeMessage(message: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(message)) return message;
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${hex(byte)}`;
  }
  return out;
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

/** Decode a percent-encoded status message; malformed escapes are kept as they are. */
export function decodeMessage(encoded: string): string {
  if (!encoded.includes('%')) return encoded;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded.charCodeAt(i);
    if (c === 0x25 && i + 2 < encoded.length && /^[0-9a-fA-F]{2}$/.test(encoded.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c & 0xff);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The status trailers of a call that ended OK with no trailing metadata: the same list every time. */
const OK_FIELDS: readonly [string, string][] = [['grpc-status', '0']];

/**
 * The status trailers for an outcome (`error` undefined: OK), appended to `fields` — or, for OK
 * with no trailers and nothing before them, one shared list.
 */
export function statusFields(
  error: RpcError | undefined,
  trailers: Metadata,
  fields: Fields,
): readonly [string, string][] {
  if (error === undefined && trailers.size === 0 && fields.length === 0) return OK_FIELDS;
  fields.push(['grpc-status', String(error?.code ?? Status.OK)]);
  if (error !== undefined && error.message !== '')
    fields.push(['grpc-message', encodeMessage(error.message)]);
  if (error !== undefined && error.details.length > 0) {
    const status = encodeStatusProto(error.code, error.message, error.details);
    fields.push([DETAILS_KEY, Buffer.from(status).toString('base64').replace(/=+$/, '')]);
  }
  return metadataToFields(trailers, fields);
}

/**
 * The outcome carried by trailers (or Trailers-Only headers): undefined for OK, else an RpcError.
 * A missing or unparsable `grpc-status` is INTERNAL, as gRPC clients do.
 */
export function statusFromHead(head: ReceivedHead): RpcError | undefined {
  const raw = head.grpcStatus;
  const code = typeof raw === 'string' && /^\d{1,2}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!isStatus(code)) {
    return new RpcError(Status.INTERNAL, `the server sent no valid grpc-status (${String(raw)})`);
  }
  if (code === Status.OK) return undefined;
  const message = head.grpcMessage;
  const encoded = head.details;
  let details: ErrorDetail[] = [];
  if (typeof encoded === 'string') {
    try {
      details = decodeStatusProto(Buffer.from(encoded, 'base64')).details;
    } catch {
      // Undecodable details are ignored: the status is what counts.
    }
  }
  return new RpcError(code, typeof message === 'string' ? decodeMessage(message) : '', { details });
}

/** gRPC's mapping of an HTTP status (a response that is not gRPC) to a status code. */
export function statusFromHttp(httpStatus: number): Status {
  switch (httpStatus) {
    case 400:
      return Status.INTERNAL;
    case 401:
      return Status.UNAUTHENTICATED;
    case 403:
      return Status.PERMISSION_DENIED;
    case 404:
      return Status.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return Status.UNAVAILABLE;
    default:
      return Status.UNKNOWN;
  }
}

const prefixCodecs = new Map<number, LengthPrefixedCodec>();

/**
 * The gRPC Length-Prefixed-Message codec: a compressed-flag byte, a 4-byte big-endian length, the
 * message. Decoders keep the header so the flag can be read. Cached per limit.
 */
export function messageCodec(maxMessageBytes: number): LengthPrefixedCodec {
  let codec = prefixCodecs.get(maxMessageBytes);
  if (codec === undefined) {
    codec = lengthPrefixed({
      width: 4,
      lengthOffset: 1,
      stripHeader: false,
      maxFrameLength: maxMessageBytes,
    });
    if (prefixCodecs.size < 64) prefixCodecs.set(maxMessageBytes, codec);
  }
  return codec;
}

/** Messages up to this size are copied behind their 5-byte header (one write); larger ones are not. */
const COPY_BELOW = 16 * 1024;

/**
 * One gRPC Length-Prefixed-Message (flag, 4-byte length, bytes) as the chunks to write: a small
 * message is copied behind its header into one buffer; a large one is `[header, bytes]`, uncopied.
 */
export function messageChunks(bytes: Uint8Array, compressed: boolean): Uint8Array[] {
  const small = bytes.length < COPY_BELOW;
  const head = Buffer.allocUnsafe(small ? 5 + bytes.length : 5);
  WRITER.writeHeader(bytes.length, head, 0, compressed ? COMPRESSED : PLAIN);
  if (!small) return [head, bytes];
  head.set(bytes, 5);
  return [head];
}

/** Writes the 5-byte headers (any length up to 4 GiB - 1: the limits are checked where messages are encoded). */
const WRITER = messageCodec(MAX_FRAME_LENGTH_LIMIT);
const COMPRESSED = new Uint8Array([1]);
const PLAIN = new Uint8Array([0]);
