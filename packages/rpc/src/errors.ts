import type { ErrorDetail } from './error-details.js';
import type { Metadata } from './metadata.js';
import { Status, statusName } from './status.js';

/**
 * The error of a call that did not end with `OK`: on the client, every failed call rejects with
 * one; on the server, a handler throws one to choose the status the client sees. Anything else a
 * handler throws reaches the client as `UNKNOWN` with a generic message (no stack leaks).
 */
export class RpcError extends Error {
  /** The gRPC status (`Status.NOT_FOUND`); stable and machine-readable. */
  readonly code: Status;
  /**
   * Rich error details (`google.protobuf.Any`s of a `google.rpc.Status`, in the
   * `grpc-status-details-bin` trailer): build standard ones with `errorDetails`, read them with
   * `decodeDetail`, or use protobuf-es's `anyPack`/`anyUnpack` for your own types. Empty if none.
   */
  readonly details: readonly ErrorDetail[];
  /** Trailers the server sent with the status (client side), or empty. */
  metadata: Metadata | undefined;
  /**
   * Client side: the server never saw the call — the connection could not be made, the stream was
   * refused or fell above a GOAWAY — so trying it again is safe even for a method that is not
   * idempotent (a channel does so transparently).
   */
  readonly unprocessed: boolean;
  /**
   * Client side: a failure of this side's own limits (a connection wait that timed out, a closed
   * client) that trying again would only repeat: a channel does not retry it.
   */
  readonly noRetry: boolean;
  /**
   * Client side: the server refused the stream before looking at it (HTTP/2 REFUSED_STREAM, as a
   * server at its stream limit does): the endpoint is up, and a channel tries the call again once,
   * transparently — outside `retry.maxAttempts` and the retry budget.
   */
  readonly refused: boolean;

  constructor(
    code: Status,
    message: string,
    options: {
      details?: readonly ErrorDetail[];
      cause?: unknown;
      unprocessed?: boolean;
      noRetry?: boolean;
      refused?: boolean;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RpcError';
    this.code = code;
    this.details = options.details ?? [];
    this.metadata = undefined;
    this.unprocessed = options.unprocessed ?? false;
    this.noRetry = options.noRetry ?? false;
    this.refused = options.refused ?? false;
  }

  /** `NOT_FOUND: no such user`. */
  override toString(): string {
    return `${this.name} ${statusName(this.code)}: ${this.message}`;
  }
}

/** Whether `err` is an {@link RpcError}. */
export function isRpcError(err: unknown): err is RpcError {
  return err instanceof RpcError;
}

/**
 * Codes of {@link RpcUsageError}: misuse of the API, thrown at the caller, never sent on the wire.
 * - `RPC_ERR_INVALID_OPTION` — an option out of range or of the wrong type.
 * - `RPC_ERR_INVALID_METADATA` — a metadata key that is malformed or reserved, or a value that is
 *   not printable ASCII (or bytes under a `-bin` key).
 * - `RPC_ERR_INVALID_SERVICE` — a malformed service or method name, a method named like a client
 *   member (`close`, `then`), or a duplicate registration.
 * - `RPC_ERR_INVALID_TARGET` — a target URI the client cannot parse.
 * - `RPC_ERR_INVALID_STATE` — `listen()` after `close()`, an interceptor calling `next()` twice, two
 *   concurrent `next()` calls on one response stream.
 */
export type RpcUsageErrorCode =
  | 'RPC_ERR_INVALID_OPTION'
  | 'RPC_ERR_INVALID_METADATA'
  | 'RPC_ERR_INVALID_SERVICE'
  | 'RPC_ERR_INVALID_TARGET'
  | 'RPC_ERR_INVALID_STATE';

/** Misuse of the `@weft/rpc` API. */
export class RpcUsageError extends Error {
  /** Stable machine-readable code. */
  readonly code: RpcUsageErrorCode;
  constructor(code: RpcUsageErrorCode, message: string) {
    super(message);
    this.name = 'RpcUsageError';
    this.code = code;
  }
}

/** The error a server sends for `err` thrown by a handler: itself if an RpcError, else UNKNOWN. */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  return new RpcError(Status.UNKNOWN, 'the handler failed', { cause: err });
}
