/**
 * A received gRPC header block (request headers, response headers or trailers) read in one pass over
 * the HTTP/2 field list as HPACK decoded it: the few fields the call layer looks at, and the custom
 * metadata. No header object is built in between.
 */
import { isCustomKey, Metadata } from '../metadata.js';

/** Header fields as `@weft/mux` hands them over: `[name, value]`, names lowercase, in order. */
export type ReceivedFields = readonly (readonly [string, string, boolean?])[];

/** A single-valued field: its value; an array when the peer repeated it (every check refuses that); or absent. */
export type FieldValue = string | string[] | undefined;

/** Trailer carrying a `google.rpc.Status` with an error's `details` (gRPC's richer error model). */
export const DETAILS_KEY = 'grpc-status-details-bin';

/** The fields of a block the call layer reads, and the rest as metadata. */
export class ReceivedHead {
  method: FieldValue = undefined;
  path: FieldValue = undefined;
  status: FieldValue = undefined;
  contentType: FieldValue = undefined;
  timeout: FieldValue = undefined;
  encoding: FieldValue = undefined;
  acceptEncoding: FieldValue = undefined;
  grpcStatus: FieldValue = undefined;
  grpcMessage: FieldValue = undefined;
  details: FieldValue = undefined;
  /** Custom metadata (pseudo-headers, reserved and `grpc-*` keys left out); undefined when there is none. */
  metadata: Metadata | undefined = undefined;
}

function more(prev: FieldValue, value: string): FieldValue {
  if (prev === undefined) return value;
  return Array.isArray(prev) ? [...prev, value] : [prev, value];
}

/** Read `fields` in one pass. `-bin` metadata values are base64, padded or not (PROTOCOL-HTTP2 "Custom-Metadata"). */
export function readHead(fields: ReceivedFields): ReceivedHead {
  const head = new ReceivedHead();
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const name = field[0];
    const value = field[1];
    switch (name) {
      case ':method':
        head.method = more(head.method, value);
        break;
      case ':path':
        head.path = more(head.path, value);
        break;
      case ':status':
        head.status = more(head.status, value);
        break;
      case 'content-type':
        head.contentType = more(head.contentType, value);
        break;
      case 'grpc-timeout':
        head.timeout = more(head.timeout, value);
        break;
      case 'grpc-encoding':
        head.encoding = more(head.encoding, value);
        break;
      case 'grpc-accept-encoding':
        head.acceptEncoding = more(head.acceptEncoding, value);
        break;
      case 'grpc-status':
        head.grpcStatus = more(head.grpcStatus, value);
        break;
      case 'grpc-message':
        head.grpcMessage = more(head.grpcMessage, value);
        break;
      case DETAILS_KEY:
        head.details = more(head.details, value);
        break;
      default:
        if (name.charCodeAt(0) === 0x3a || !isCustomKey(name)) break;
        head.metadata ??= new Metadata();
        head.metadata._addTrusted(
          name,
          name.endsWith('-bin') ? new Uint8Array(Buffer.from(value, 'base64')) : value,
        );
    }
  }
  return head;
}
