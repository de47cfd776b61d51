import type { MuxProtocolError } from './errors.js';
import type { HeaderField } from './hpack/encoder.js';
import type { Settings } from './settings.js';

/** What a header block on a stream is: a request, an informational (1xx) or final response, or trailers. */
export type HeadersKind = 'request' | 'informational' | 'response' | 'trailers';

/**
 * Everything the connection core reports, in the order it happened. Consumed by an exhaustive
 * `switch` on `type`.
 */
export type ConnectionEvent =
  /** The peer's SETTINGS arrived and were applied (and acknowledged). */
  | { type: 'SettingsReceived'; settings: Readonly<Settings> }
  /** The peer acknowledged our SETTINGS: they are in force. */
  | { type: 'SettingsAcknowledged' }
  /** A complete, valid header block on a stream. */
  | {
      type: 'HeadersReceived';
      streamId: number;
      kind: HeadersKind;
      headers: HeaderField[];
      endStream: boolean;
    }
  /** DATA for a stream; return the bytes with `consume()` once the application has taken them. */
  | { type: 'DataReceived'; streamId: number; data: Uint8Array; endStream: boolean }
  /**
   * The stream ended abnormally: reset by the peer (`remote`), by us after a stream error, or refused
   * by GOAWAY. `retryable` means the peer never processed it (REFUSED_STREAM, or above GOAWAY's last id).
   */
  | {
      type: 'StreamReset';
      streamId: number;
      code: number;
      remote: boolean;
      retryable: boolean;
      error?: MuxProtocolError;
    }
  /** Both directions of the stream finished normally. */
  | { type: 'StreamClosed'; streamId: number }
  /** The stream can take more data (its send window opened). */
  | { type: 'WindowUpdated'; streamId: number }
  /** A request that had to wait for the peer's MAX_CONCURRENT_STREAMS was sent. */
  | { type: 'StreamOpened'; streamId: number }
  /** Client: the server promised a pushed response; `headers` is the request it answers. Refuse with `resetStream`. */
  | { type: 'PushPromiseReceived'; parentId: number; promisedId: number; headers: HeaderField[] }
  | { type: 'PingReceived'; data: Uint8Array }
  | { type: 'PingAcknowledged'; data: Uint8Array }
  /** The peer is going away: no stream above `lastStreamId` was or will be processed. */
  | { type: 'GoawayReceived'; lastStreamId: number; code: number; debug: Uint8Array }
  /** A connection error: GOAWAY is queued, and the connection accepts no more input. */
  | { type: 'ConnectionError'; error: MuxProtocolError };
