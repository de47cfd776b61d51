/**
 * Rich error details, as gRPC's richer error model carries them: a `google.rpc.Status` (code,
 * message, `repeated google.protobuf.Any details`) in the `grpc-status-details-bin` trailer,
 * readable by grpc-go's `status.FromError`, grpc-java's `StatusProto`, Python's `grpc_status` and
 * Connect. A detail is an `Any`: `{ typeUrl, value }` — the shape of protobuf-es's `Any`, so
 * `anyPack(Schema, message)` is a detail and `anyUnpack(detail, Schema)` reads one. The common types
 * of google/rpc/error_details.proto have builders here that need no protobuf runtime.
 */
import { ProtoWriter, readFields, WireType } from './proto/wire.js';

/** One detail: a packed `google.protobuf.Any`. */
export interface ErrorDetail {
  /** `type.googleapis.com/<full message name>`. */
  readonly typeUrl: string;
  /** The message's protobuf binary. */
  readonly value: Uint8Array;
}

const TYPE_PREFIX = 'type.googleapis.com/';
const LD = WireType.LengthDelimited;

/** The full message name of a detail (`google.rpc.ErrorInfo`), from its type URL. */
export function detailType(detail: ErrorDetail): string {
  return detail.typeUrl.slice(detail.typeUrl.lastIndexOf('/') + 1);
}

/** Encode `google.rpc.Status`. @internal */
export function encodeStatusProto(
  code: number,
  message: string,
  details: readonly ErrorDetail[],
): Uint8Array {
  const w = new ProtoWriter().int(1, code).string(2, message);
  for (const d of details) {
    w.bytes(3, new ProtoWriter().string(1, d.typeUrl).bytes(2, d.value).finish(), true);
  }
  return w.finish();
}

/**
 * Decode `google.rpc.Status`.
 * @throws RangeError or TypeError for malformed bytes. @internal
 */
export function decodeStatusProto(bytes: Uint8Array): {
  code: number;
  message: string;
  details: ErrorDetail[];
} {
  let code = 0;
  let message = '';
  const details: ErrorDetail[] = [];
  readFields(bytes, (field, wireType, r) => {
    if (field === 1 && wireType === WireType.Varint) code = r.int32();
    else if (field === 2 && wireType === LD) message = r.string();
    else if (field === 3 && wireType === LD) details.push(decodeAny(r.bytes()));
    else return false;
    return true;
  });
  return { code, message, details };
}

function decodeAny(bytes: Uint8Array): ErrorDetail {
  let typeUrl = '';
  let value = new Uint8Array(0);
  readFields(bytes, (field, wireType, r) => {
    if (wireType !== LD) return false;
    if (field === 1) typeUrl = r.string();
    else if (field === 2) value = r.bytes().slice();
    else return false;
    return true;
  });
  return { typeUrl, value };
}

/** `google.rpc.ErrorInfo`: why, in a machine-readable reason, and where. */
export interface ErrorInfo {
  reason: string;
  domain: string;
  metadata?: Record<string, string>;
}
/** `google.rpc.RetryInfo`: when to try again (`retry_delay`, a Duration, in milliseconds here). */
export interface RetryInfo {
  retryDelayMs: number;
}
/** `google.rpc.BadRequest`: which fields of the request were wrong. */
export interface BadRequest {
  fieldViolations: { field: string; description: string }[];
}
/** `google.rpc.DebugInfo`: stack entries and detail, for the developer. */
export interface DebugInfo {
  stackEntries: string[];
  detail: string;
}

/** A detail of one of the standard types, decoded; `type` is its full message name. */
export type KnownDetail =
  | ({ type: 'google.rpc.ErrorInfo' } & Required<ErrorInfo>)
  | ({ type: 'google.rpc.RetryInfo' } & RetryInfo)
  | ({ type: 'google.rpc.BadRequest' } & BadRequest)
  | ({ type: 'google.rpc.DebugInfo' } & DebugInfo);

function pack(type: string, w: ProtoWriter): ErrorDetail {
  return { typeUrl: TYPE_PREFIX + type, value: w.finish() };
}

/** Builders of standard details (google/rpc/error_details.proto), for `new RpcError(code, msg, { details })`. */
export const errorDetails = {
  errorInfo(info: ErrorInfo): ErrorDetail {
    const w = new ProtoWriter().string(1, info.reason).string(2, info.domain);
    for (const [k, v] of Object.entries(info.metadata ?? {})) {
      w.bytes(3, new ProtoWriter().string(1, k, true).string(2, v, true).finish(), true);
    }
    return pack('google.rpc.ErrorInfo', w);
  },
  retryInfo(info: RetryInfo): ErrorDetail {
    const ms = Math.max(0, Math.round(info.retryDelayMs));
    const duration = new ProtoWriter().int(1, Math.floor(ms / 1000)).int(2, (ms % 1000) * 1_000_000);
    return pack('google.rpc.RetryInfo', new ProtoWriter().bytes(1, duration.finish(), true));
  },
  badRequest(info: BadRequest): ErrorDetail {
    const w = new ProtoWriter();
    for (const v of info.fieldViolations) {
      w.bytes(1, new ProtoWriter().string(1, v.field).string(2, v.description).finish(), true);
    }
    return pack('google.rpc.BadRequest', w);
  },
  debugInfo(info: DebugInfo): ErrorDetail {
    const w = new ProtoWriter();
    for (const s of info.stackEntries) w.string(1, s, true);
    return pack('google.rpc.DebugInfo', w.string(2, info.detail));
  },
};

/**
 * Decode a detail of a standard type; undefined for another type (unpack those with protobuf-es's
 * `anyUnpack`) or malformed bytes.
 */
export function decodeDetail(detail: ErrorDetail): KnownDetail | undefined {
  try {
    return decodeKnown(detailType(detail), detail.value);
  } catch {
    return undefined;
  }
}

function decodeKnown(type: string, bytes: Uint8Array): KnownDetail | undefined {
  switch (type) {
    case 'google.rpc.ErrorInfo': {
      const info: KnownDetail & { type: 'google.rpc.ErrorInfo' } = {
        type,
        reason: '',
        domain: '',
        metadata: {},
      };
      readFields(bytes, (f, wt, r) => {
        if (wt !== LD) return false;
        if (f === 1) info.reason = r.string();
        else if (f === 2) info.domain = r.string();
        else if (f === 3) {
          let k = '';
          let v = '';
          readFields(r.bytes(), (f2, wt2, r2) => {
            if (wt2 !== LD) return false;
            if (f2 === 1) k = r2.string();
            else if (f2 === 2) v = r2.string();
            else return false;
            return true;
          });
          // An own property even for a key such as `__proto__`: never the object's prototype.
          Object.defineProperty(info.metadata, k, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else return false;
        return true;
      });
      return info;
    }
    case 'google.rpc.RetryInfo': {
      let ms = 0;
      readFields(bytes, (f, wt, r) => {
        if (f !== 1 || wt !== LD) return false;
        readFields(r.bytes(), (f2, wt2, r2) => {
          if (wt2 !== WireType.Varint) return false;
          if (f2 === 1) ms += r2.varint() * 1000;
          else if (f2 === 2) ms += r2.int32() / 1_000_000;
          else return false;
          return true;
        });
        return true;
      });
      return { type, retryDelayMs: ms };
    }
    case 'google.rpc.BadRequest': {
      const fieldViolations: BadRequest['fieldViolations'] = [];
      readFields(bytes, (f, wt, r) => {
        if (f !== 1 || wt !== LD) return false;
        const v = { field: '', description: '' };
        readFields(r.bytes(), (f2, wt2, r2) => {
          if (wt2 !== LD) return false;
          if (f2 === 1) v.field = r2.string();
          else if (f2 === 2) v.description = r2.string();
          else return false;
          return true;
        });
        fieldViolations.push(v);
        return true;
      });
      return { type, fieldViolations };
    }
    case 'google.rpc.DebugInfo': {
      const out: KnownDetail & { type: 'google.rpc.DebugInfo' } = { type, stackEntries: [], detail: '' };
      readFields(bytes, (f, wt, r) => {
        if (wt !== LD) return false;
        if (f === 1) out.stackEntries.push(r.string());
        else if (f === 2) out.detail = r.string();
        else return false;
        return true;
      });
      return out;
    }
    default:
      return undefined;
  }
}
