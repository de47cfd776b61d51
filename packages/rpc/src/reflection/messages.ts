/**
 * The messages of `grpc.reflection.v1.ServerReflection` (and v1alpha, the same bytes), in
 * protobuf through the hand-written wire codec: a server answers reflection without loading a
 * protobuf runtime until the first question. Field numbers from proto/grpc/reflection/v1.
 * Internal to the package (the entry points export only what their users need of it).
 */
import type { MessageCodec } from '../codec.js';
import { ProtoReader, ProtoWriter, readFields, WireType } from '../proto/wire.js';

/** A question: one of the `message_request` oneof, or none (a field this side does not know). */
export type ReflectionQuery =
  | { kind: 'fileByFilename'; name: string }
  | { kind: 'fileContainingSymbol'; symbol: string }
  | { kind: 'fileContainingExtension'; containingType: string; extensionNumber: number }
  | { kind: 'allExtensionNumbersOfType'; type: string }
  | { kind: 'listServices' }
  | { kind: 'none' };

/** `ServerReflectionRequest`, with its own bytes kept: the answer echoes them as `original_request`. */
export interface ReflectionRequest {
  host: string;
  query: ReflectionQuery;
  raw: Uint8Array;
}

/** The `message_response` oneof. */
export type ReflectionAnswer =
  | { kind: 'files'; files: readonly Uint8Array[] }
  | { kind: 'extensionNumbers'; baseTypeName: string; numbers: readonly number[] }
  | { kind: 'services'; names: readonly string[] }
  | { kind: 'error'; code: number; message: string };

/** `ServerReflectionResponse`. */
export interface ReflectionResponse {
  validHost: string;
  /** The request's bytes, echoed. */
  originalRequest: Uint8Array;
  answer: ReflectionAnswer;
}

function encodeQuery(w: ProtoWriter, q: ReflectionQuery): void {
  switch (q.kind) {
    case 'fileByFilename':
      w.string(3, q.name, true);
      return;
    case 'fileContainingSymbol':
      w.string(4, q.symbol, true);
      return;
    case 'fileContainingExtension':
      w.bytes(5, new ProtoWriter().string(1, q.containingType).int(2, q.extensionNumber).finish(), true);
      return;
    case 'allExtensionNumbersOfType':
      w.string(6, q.type, true);
      return;
    case 'listServices':
      w.string(7, '', true);
      return;
    case 'none':
      return;
  }
}

function decodeExtensionRequest(bytes: Uint8Array): ReflectionQuery {
  let containingType = '';
  let extensionNumber = 0;
  readFields(bytes, (field, wireType, r) => {
    if (field === 1 && wireType === WireType.LengthDelimited) containingType = r.string();
    else if (field === 2 && wireType === WireType.Varint) extensionNumber = r.int32();
    else return false;
    return true;
  });
  return { kind: 'fileContainingExtension', containingType, extensionNumber };
}

const requestCodec: MessageCodec<ReflectionRequest> = {
  name: 'proto',
  encode: (req) => {
    const w = new ProtoWriter().string(1, req.host);
    encodeQuery(w, req.query);
    return w.finish();
  },
  decode: (bytes) => {
    let host = '';
    let query: ReflectionQuery = { kind: 'none' };
    readFields(bytes, (field, wireType, r) => {
      if (wireType !== WireType.LengthDelimited) return false;
      // A oneof: the last of its fields on the wire wins.
      if (field === 1) host = r.string();
      else if (field === 3) query = { kind: 'fileByFilename', name: r.string() };
      else if (field === 4) query = { kind: 'fileContainingSymbol', symbol: r.string() };
      else if (field === 5) query = decodeExtensionRequest(r.bytes());
      else if (field === 6) query = { kind: 'allExtensionNumbersOfType', type: r.string() };
      else if (field === 7) {
        r.bytes();
        query = { kind: 'listServices' };
      } else return false;
      return true;
    });
    // The bytes may be a view into a frame buffer that is reused: the echo keeps a copy.
    return { host, query, raw: bytes.slice() };
  },
};

function encodeAnswer(a: ReflectionAnswer): [field: number, bytes: Uint8Array] {
  const w = new ProtoWriter();
  switch (a.kind) {
    case 'files':
      for (const file of a.files) w.bytes(1, file, true);
      return [4, w.finish()];
    case 'extensionNumbers': {
      w.string(1, a.baseTypeName);
      const packed = new ProtoWriter();
      for (const n of a.numbers) packed.varint(n);
      return [5, w.bytes(2, packed.finish()).finish()];
    }
    case 'services':
      for (const name of a.names) w.bytes(1, new ProtoWriter().string(1, name).finish(), true);
      return [6, w.finish()];
    case 'error':
      return [7, w.int(1, a.code).string(2, a.message).finish()];
  }
}

function decodeAnswer(field: number, bytes: Uint8Array): ReflectionAnswer {
  if (field === 4) {
    const files: Uint8Array[] = [];
    readFields(bytes, (f, wt, r) => f === 1 && wt === WireType.LengthDelimited && files.push(r.bytes()) > 0);
    return { kind: 'files', files };
  }
  if (field === 5) {
    let baseTypeName = '';
    const numbers: number[] = [];
    readFields(bytes, (f, wt, r) => {
      if (f === 1 && wt === WireType.LengthDelimited) baseTypeName = r.string();
      else if (f === 2 && wt === WireType.Varint) numbers.push(r.int32());
      else if (f === 2 && wt === WireType.LengthDelimited) {
        readPacked(r.bytes(), numbers);
      } else return false;
      return true;
    });
    return { kind: 'extensionNumbers', baseTypeName, numbers };
  }
  if (field === 6) {
    const names: string[] = [];
    readFields(bytes, (f, wt, r) => {
      if (f !== 1 || wt !== WireType.LengthDelimited) return false;
      // A ServiceResponse whose name is '' has no name field on the wire.
      let name = '';
      readFields(r.bytes(), (g, gt, s) => {
        if (g !== 1 || gt !== WireType.LengthDelimited) return false;
        name = s.string();
        return true;
      });
      names.push(name);
      return true;
    });
    return { kind: 'services', names };
  }
  let code = 0;
  let message = '';
  readFields(bytes, (f, wt, r) => {
    if (f === 1 && wt === WireType.Varint) code = r.int32();
    else if (f === 2 && wt === WireType.LengthDelimited) message = r.string();
    else return false;
    return true;
  });
  return { kind: 'error', code, message };
}

/** Varints one after another, with no tags (a packed repeated int32). */
function readPacked(bytes: Uint8Array, into: number[]): void {
  const reader = new ProtoReader(bytes);
  while (!reader.done) into.push(reader.int32());
}

const responseCodec: MessageCodec<ReflectionResponse> = {
  name: 'proto',
  encode: (res) => {
    const [field, bytes] = encodeAnswer(res.answer);
    return new ProtoWriter()
      .string(1, res.validHost)
      .bytes(2, res.originalRequest, true)
      .bytes(field, bytes, true)
      .finish();
  },
  decode: (bytes) => {
    let validHost = '';
    let originalRequest = new Uint8Array(0);
    let answer: ReflectionAnswer = { kind: 'error', code: 0, message: '' };
    readFields(bytes, (field, wireType, r) => {
      if (wireType !== WireType.LengthDelimited) return false;
      if (field === 1) validHost = r.string();
      else if (field === 2) originalRequest = r.bytes().slice();
      else if (field >= 4 && field <= 7) answer = decodeAnswer(field, r.bytes());
      else return false;
      return true;
    });
    return { validHost, originalRequest, answer };
  },
};

/** The request and response codecs of `ServerReflectionInfo`. */
export const reflectionCodecs = { requestCodec, responseCodec } as {
  requestCodec: MessageCodec;
  responseCodec: MessageCodec;
};
