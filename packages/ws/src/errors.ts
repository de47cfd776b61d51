/**
 * Error codes of `@weft/ws`. A protocol error carries the close code the peer is told; the
 * connection core sends that close frame before it surfaces the error.
 *
 * - `WS_ERR_INVALID_OPCODE` (1002) — a reserved opcode.
 * - `WS_ERR_RESERVED_BITS` (1002) — RSV1-3 set without an extension that defines them.
 * - `WS_ERR_MASK_REQUIRED` (1002) — an unmasked frame from a client.
 * - `WS_ERR_UNEXPECTED_MASK` (1002) — a masked frame from a server.
 * - `WS_ERR_CONTROL_TOO_LARGE` (1002) — a control frame over 125 bytes.
 * - `WS_ERR_CONTROL_FRAGMENTED` (1002) — a control frame without FIN.
 * - `WS_ERR_UNEXPECTED_CONTINUATION` (1002) — a continuation without a message to continue.
 * - `WS_ERR_EXPECTED_CONTINUATION` (1002) — a new data frame inside a fragmented message.
 * - `WS_ERR_INVALID_LENGTH` (1002) — a 64-bit length with its most significant bit set, or a length
 *   not in its shortest form.
 * - `WS_ERR_MESSAGE_TOO_BIG` (1009) — a frame or message over `maxPayload`.
 * - `WS_ERR_INVALID_UTF8` (1007) — invalid UTF-8 in a text message or close reason.
 * - `WS_ERR_INVALID_CLOSE` (1002) — a 1-byte close payload or a close code not allowed on the wire.
 * - `WS_ERR_INVALID_EXTENSION` (handshake) — a server's Sec-WebSocket-Extensions answer that does not
 *   match our offer (RFC 7692 §7.1).
 * - `WS_ERR_INFLATE` (1007) — a compressed message zlib cannot inflate.
 * - `WS_ERR_DEFLATE` (1011) — zlib failed to compress an outgoing message (an internal failure).
 * - `WS_ERR_FLOOD` (1008) — more pings than the ping budget allows (`pingBudget`): each needs a pong.
 * - `WS_ERR_HANDSHAKE` (client) — the opening handshake failed: a response other than 101, a wrong
 *   Sec-WebSocket-Accept, an unoffered subprotocol, or no answer within `handshakeTimeoutMs`.
 * - `WS_ERR_INVALID_OPTION` — (usage) an option out of range.
 * - `WS_ERR_INVALID_STATE` — (usage) a call the connection state does not allow.
 */
export type WsErrorCode =
  | 'WS_ERR_INVALID_OPCODE'
  | 'WS_ERR_RESERVED_BITS'
  | 'WS_ERR_MASK_REQUIRED'
  | 'WS_ERR_UNEXPECTED_MASK'
  | 'WS_ERR_CONTROL_TOO_LARGE'
  | 'WS_ERR_CONTROL_FRAGMENTED'
  | 'WS_ERR_UNEXPECTED_CONTINUATION'
  | 'WS_ERR_EXPECTED_CONTINUATION'
  | 'WS_ERR_INVALID_LENGTH'
  | 'WS_ERR_MESSAGE_TOO_BIG'
  | 'WS_ERR_INVALID_UTF8'
  | 'WS_ERR_INVALID_CLOSE'
  | 'WS_ERR_INVALID_EXTENSION'
  | 'WS_ERR_INFLATE'
  | 'WS_ERR_DEFLATE'
  | 'WS_ERR_FLOOD'
  | 'WS_ERR_HANDSHAKE'
  | 'WS_ERR_INVALID_OPTION'
  | 'WS_ERR_INVALID_STATE';

/** Base class of every `@weft/ws` error; a violation by the peer, with the close code to send. */
export class WsError extends Error {
  /** Stable machine-readable code. */
  readonly code: WsErrorCode;
  /** The close code the peer is told (RFC 6455 §7.4.1). */
  readonly closeCode: number;
  constructor(code: WsErrorCode, closeCode: number, message: string) {
    super(message);
    this.name = 'WsError';
    this.code = code;
    this.closeCode = closeCode;
  }
}

/** Misuse of the API by the caller. */
export class WsUsageError extends WsError {
  constructor(code: 'WS_ERR_INVALID_OPTION' | 'WS_ERR_INVALID_STATE', message: string) {
    super(code, 0, message);
    this.name = 'WsUsageError';
  }
}
