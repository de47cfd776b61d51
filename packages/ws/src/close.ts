import { WsError } from './errors.js';
import { CloseCode, isValidCloseCode, MAX_CONTROL_PAYLOAD } from './frame/types.js';
import { isValidUtf8 } from './utf8.js';

const utf8 = new TextEncoder();
const decoder = new TextDecoder();

/** A close frame's content (§5.5.1): no code at all is reported as 1005. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * Parse a close frame payload.
 * @throws {WsError} `WS_ERR_INVALID_CLOSE` (1002) for a 1-byte payload or a code not allowed on the
 *   wire; `WS_ERR_INVALID_UTF8` (1007) for a reason that is not UTF-8.
 */
export function parseClose(payload: Uint8Array): CloseInfo {
  if (payload.length === 0) return { code: CloseCode.NoStatus, reason: '' };
  if (payload.length === 1)
    throw new WsError('WS_ERR_INVALID_CLOSE', CloseCode.ProtocolError, 'close payload of 1 byte');
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidCloseCode(code))
    throw new WsError('WS_ERR_INVALID_CLOSE', CloseCode.ProtocolError, `close code ${code} is not allowed`);
  const reason = payload.subarray(2);
  if (!isValidUtf8(reason))
    throw new WsError('WS_ERR_INVALID_UTF8', CloseCode.InvalidPayload, 'close reason is not UTF-8');
  return { code, reason: decoder.decode(reason) };
}

/**
 * The payload of a close frame with `code` and `reason` (at most 123 bytes of UTF-8).
 * @throws {WsError} `WS_ERR_INVALID_OPTION` for a code not allowed on the wire or a reason too long.
 */
export function encodeClose(code?: number, reason = ''): Uint8Array {
  if (code === undefined) {
    if (reason !== '') throw new WsError('WS_ERR_INVALID_OPTION', 0, 'a close reason needs a code');
    return new Uint8Array(0);
  }
  if (!isValidCloseCode(code))
    throw new WsError('WS_ERR_INVALID_OPTION', 0, `close code ${code} cannot be sent`);
  const r = utf8.encode(reason);
  if (r.length > MAX_CONTROL_PAYLOAD - 2)
    throw new WsError('WS_ERR_INVALID_OPTION', 0, 'close reason over 123 bytes');
  const out = new Uint8Array(2 + r.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(r, 2);
  return out;
}
