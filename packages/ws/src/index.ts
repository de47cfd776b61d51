/**
 * `@weft/ws`: WebSocket (RFC 6455) and permessage-deflate (RFC 7692), the pure protocol core —
 * frames, close payloads, UTF-8 validation, the handshake key, extension negotiation and the
 * connection state machine. The Node client and server are in `@weft/ws/node`.
 * @packageDocumentation
 */
export { type CloseInfo, encodeClose, parseClose } from './close.js';
export { WsConnection, type WsConnectionOptions, type WsEvent, type WsState } from './connection.js';
export {
  acceptDeflateOffer,
  acceptDeflateResponse,
  type DeflateParams,
  type DeflateSide,
  deflateOffer,
  PERMESSAGE_DEFLATE,
  type PerMessageDeflateOptions,
  sideOf,
} from './deflate/negotiate.js';
export { WsError, type WsErrorCode, WsUsageError } from './errors.js';
export { type ExtensionOffer, formatExtensions, MAX_EXTENSIONS, parseExtensions } from './extensions.js';
export { type Frame, FrameParser, type FrameParserOptions, unmask } from './frame/decode.js';
export { type EncodeOptions, encodeFrame } from './frame/encode.js';
export {
  CloseCode,
  DEFAULT_MAX_PAYLOAD,
  isValidCloseCode,
  MAX_CONTROL_PAYLOAD,
  Opcode,
} from './frame/types.js';
export { acceptKey, isValidKey, WS_GUID } from './handshake.js';
export { isValidUtf8, Utf8Validator } from './utf8.js';
