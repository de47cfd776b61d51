/**
 * The 17 gRPC status codes, with the wire numbers of grpc/grpc `doc/statuscodes.md`. Every call
 * ends with exactly one of them.
 */
export const Status = {
  /** Not an error; returned on success. */
  OK: 0,
  /** The operation was cancelled, typically by the caller. */
  CANCELLED: 1,
  /** Unknown error, e.g. a handler threw something that is not an `RpcError`. */
  UNKNOWN: 2,
  /** The client specified an invalid argument. */
  INVALID_ARGUMENT: 3,
  /** The deadline expired before the operation could complete. */
  DEADLINE_EXCEEDED: 4,
  /** Some requested entity was not found. */
  NOT_FOUND: 5,
  /** The entity the client attempted to create already exists. */
  ALREADY_EXISTS: 6,
  /** The caller does not have permission to execute the operation. */
  PERMISSION_DENIED: 7,
  /** Some resource has been exhausted (a message over the size limit, too many calls). */
  RESOURCE_EXHAUSTED: 8,
  /** The system is not in a state required for the operation's execution. */
  FAILED_PRECONDITION: 9,
  /** The operation was aborted, typically due to a concurrency issue. */
  ABORTED: 10,
  /** The operation was attempted past the valid range. */
  OUT_OF_RANGE: 11,
  /** The operation is not implemented or not supported (an unknown method). */
  UNIMPLEMENTED: 12,
  /** Internal error: an invariant expected by the system was broken (an undecodable payload). */
  INTERNAL: 13,
  /** The service is currently unavailable; a transient condition, retrying may succeed. */
  UNAVAILABLE: 14,
  /** Unrecoverable data loss or corruption. */
  DATA_LOSS: 15,
  /** The request does not have valid authentication credentials. */
  UNAUTHENTICATED: 16,
} as const;

/** A status code number (`Status.NOT_FOUND` is 5). */
export type Status = (typeof Status)[keyof typeof Status];

const NAMES: string[] = [];
for (const [name, code] of Object.entries(Status)) NAMES[code] = name;

/** The name of a status code (`'NOT_FOUND'`), or `'UNKNOWN(99)'` for a number outside the 17. */
export function statusName(code: number): string {
  return NAMES[code] ?? `UNKNOWN(${code})`;
}

/** Whether `code` is one of the 17 status numbers. */
export function isStatus(code: unknown): code is Status {
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 16;
}
