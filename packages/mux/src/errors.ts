import { type ErrorCodeValue, errorCodeName } from './frame/types.js';

/**
 * Error codes of the multiplexer. Each HTTP/2 error code has its `MUX_ERR_*` twin; a protocol error
 * also carries the HTTP/2 code the peer is told (`h2Code`) and whether it ends the connection (GOAWAY)
 * or only a stream (RST_STREAM).
 */
export type MuxErrorCode =
  | 'MUX_ERR_PROTOCOL'
  | 'MUX_ERR_INTERNAL'
  | 'MUX_ERR_FLOW_CONTROL'
  | 'MUX_ERR_SETTINGS_TIMEOUT'
  | 'MUX_ERR_STREAM_CLOSED'
  | 'MUX_ERR_FRAME_SIZE'
  | 'MUX_ERR_REFUSED_STREAM'
  | 'MUX_ERR_CANCEL'
  | 'MUX_ERR_COMPRESSION'
  | 'MUX_ERR_ENHANCE_YOUR_CALM'
  | 'MUX_ERR_STREAM_RESET'
  | 'MUX_ERR_GOAWAY'
  | 'MUX_ERR_TIMEOUT'
  | 'MUX_ERR_INVALID_OPTION'
  | 'MUX_ERR_INVALID_STATE';

const BY_H2_CODE: Record<number, MuxErrorCode> = {
  1: 'MUX_ERR_PROTOCOL',
  2: 'MUX_ERR_INTERNAL',
  3: 'MUX_ERR_FLOW_CONTROL',
  4: 'MUX_ERR_SETTINGS_TIMEOUT',
  5: 'MUX_ERR_STREAM_CLOSED',
  6: 'MUX_ERR_FRAME_SIZE',
  7: 'MUX_ERR_REFUSED_STREAM',
  8: 'MUX_ERR_CANCEL',
  9: 'MUX_ERR_COMPRESSION',
  11: 'MUX_ERR_ENHANCE_YOUR_CALM',
};

/** Base class of every `@weft/mux` error (besides HPACK's own, which become COMPRESSION_ERROR). */
export class MuxError extends Error {
  /** Stable machine-readable code. */
  readonly code: MuxErrorCode;
  constructor(code: MuxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MuxError';
    this.code = code;
  }
}

/**
 * A violation by the peer. `streamId` 0 (or `connection: true`) means a connection error: the core
 * queues GOAWAY with `h2Code` before surfacing it. Otherwise a stream error: RST_STREAM on that stream.
 */
export class MuxProtocolError extends MuxError {
  readonly h2Code: ErrorCodeValue;
  readonly streamId: number;
  readonly connection: boolean;
  constructor(h2Code: ErrorCodeValue, message: string, streamId = 0, options?: { cause?: unknown }) {
    super(BY_H2_CODE[h2Code] ?? 'MUX_ERR_PROTOCOL', `${errorCodeName(h2Code)}: ${message}`, options);
    this.name = 'MuxProtocolError';
    this.h2Code = h2Code;
    this.streamId = streamId;
    this.connection = streamId === 0;
  }
}

/** Misuse of the API: bad options, or a call the stream's state does not allow. */
export class MuxUsageError extends MuxError {
  constructor(code: 'MUX_ERR_INVALID_OPTION' | 'MUX_ERR_INVALID_STATE', message: string) {
    super(code, message);
    this.name = 'MuxUsageError';
  }
}
