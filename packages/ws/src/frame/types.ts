/** WebSocket wire constants (RFC 6455 §5.2, §7.4). */

/** Frame opcodes (§5.2). */
export const Opcode = {
  /** "denotes a continuation frame" */
  Continuation: 0x0,
  /** "denotes a text frame" */
  Text: 0x1,
  /** "denotes a binary frame" */
  Binary: 0x2,
  /** "denotes a connection close" */
  Close: 0x8,
  /** "denotes a ping" */
  Ping: 0x9,
  /** "denotes a pong" */
  Pong: 0xa,
} as const;
export type OpcodeValue = (typeof Opcode)[keyof typeof Opcode];

/** Close status codes (§7.4.1; 1012-1014 from the IANA registry). */
export const CloseCode = {
  /** "indicates a normal closure" */
  Normal: 1000,
  /** "an endpoint is 'going away', such as a server going down" */
  GoingAway: 1001,
  /** "terminating the connection due to a protocol error" */
  ProtocolError: 1002,
  /** "received a type of data it cannot accept" */
  UnsupportedData: 1003,
  /** Reserved: no status code was present (never sent on the wire). */
  NoStatus: 1005,
  /** Reserved: closed abnormally, without a close frame (never sent on the wire). */
  Abnormal: 1006,
  /** "received data within a message that was not consistent with the type of the message" (bad UTF-8) */
  InvalidPayload: 1007,
  /** "received a message that violates its policy" */
  PolicyViolation: 1008,
  /** "received a message that is too big for it to process" */
  MessageTooBig: 1009,
  /** the client expected the server to negotiate an extension */
  MandatoryExtension: 1010,
  /** "encountered an unexpected condition that prevented it from fulfilling the request" */
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
  /** Reserved: TLS handshake failure (never sent on the wire). */
  TlsHandshake: 1015,
} as const;

/**
 * Whether `code` may appear in a close frame (§7.4): 1000-1003, 1007-1014 and the application
 * ranges 3000-4999; 1004-1006, 1015 and everything else are not allowed.
 */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** Largest payload of a control frame: "All control frames MUST have a payload length of 125 bytes or less" (§5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/** Default largest message (and frame payload): 16 MiB. */
export const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
