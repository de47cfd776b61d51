import { sha1 } from './sha1.js';

/** The GUID of RFC 6455 §1.3, concatenated to the client's key. */
export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)) (§4.2.2). */
export function acceptKey(key: string): string {
  // The key and the GUID are ASCII: one byte per character.
  const input = key + WS_GUID;
  const bytes = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) bytes[i] = input.charCodeAt(i) & 0xff;
  return btoa(String.fromCharCode(...sha1(bytes)));
}

/**
 * Whether a Sec-WebSocket-Key is valid: "a base64-encoded value that, when decoded, is 16 bytes in
 * length" (§4.1).
 */
export function isValidKey(key: string): boolean {
  return /^[A-Za-z0-9+/]{22}==$/.test(key);
}
