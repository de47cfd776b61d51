/**
 * What a server's first bytes say about the protocol it speaks, for connection errors that name
 * a transport mismatch ("the server answered in HTTP/1.1 … — is it a weft ws server?") instead of
 * the parse error it caused.
 * Internal to the package (the entry points export only what their users need of it).
 */
import type { TransportKind } from '../client-types.js';

const HTTP1 = /^HTTP\/1\.[01] [^\r\n]*/;

/** The HTTP/1.x status line at the start of `bytes`, if that is what they are. */
function statusLine(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  return HTTP1.exec(head)?.[0];
}

/** Whether `bytes` start with an HTTP/2 SETTINGS frame header (length a multiple of 6, stream 0). */
function isHttp2Settings(bytes: Uint8Array): boolean {
  if (bytes.length < 9) return false;
  const length = (bytes[0]! << 16) | (bytes[1]! << 8) | bytes[2]!;
  const stream = ((bytes[5]! & 0x7f) << 24) | (bytes[6]! << 16) | (bytes[7]! << 8) | bytes[8]!;
  return bytes[3] === 0x4 && length % 6 === 0 && stream === 0;
}

/**
 * A sentence on what the server seems to be, when its first bytes (undefined: it closed before
 * sending any) do not fit the client's `transport`; undefined when they give no hint.
 */
export function mismatchHint(
  transport: TransportKind,
  first: Uint8Array | undefined | 'not connected',
): string | undefined {
  // A connection never made (refused, unreachable) says nothing of the server's protocol.
  if (first === 'not connected') return undefined;
  if (first === undefined || first.length === 0) {
    return transport === 'pooled'
      ? undefined
      : "the server closed the connection without answering — a weft server listening with transport 'pooled' does that";
  }
  const line = statusLine(first);
  if (line !== undefined && transport !== 'ws') {
    return `the server answered in HTTP/1.x (${line}) — a weft server listening with transport 'ws', or no gRPC server`;
  }
  if (isHttp2Settings(first) && transport !== 'mux') {
    return "the server speaks HTTP/2 — a weft server listening with transport 'mux', or another gRPC server";
  }
  return undefined;
}

/**
 * Keep the first bytes a client socket receives, for {@link mismatchHint}: `first()` gives them,
 * undefined if none came, `'not connected'` if the connection was never made.
 */
export function sniffFirstBytes(socket: NodeJS.EventEmitter): () => Uint8Array | undefined | 'not connected' {
  let first: Uint8Array | undefined;
  let connected = false;
  socket.once('connect', () => (connected = true));
  socket.once('secureConnect', () => (connected = true));
  // Before the protocol's own listener, whose parse error may fail the calls synchronously.
  socket.prependOnceListener('data', (chunk: Uint8Array) => (first = chunk));
  return () => (connected || first !== undefined ? first : 'not connected');
}

/**
 * The same for a WebSocket client, from the error its HTTP/1.1 handshake failed with: an answer
 * that is not HTTP (HTTP/2 frames) or a connection closed without an answer.
 */
export function wsMismatchHint(error: Error | undefined): string | undefined {
  if (error === undefined) return undefined;
  const refused = /unexpected server response: (\d+)/.exec(error.message);
  if (refused !== null) {
    return `the WebSocket upgrade was refused with HTTP ${refused[1]} — is this a weft server listening with transport 'ws' (path /weft-rpc)?`;
  }
  if (/Expected HTTP\//.test(error.message)) {
    return "the server did not answer in HTTP/1.1 — a weft server listening with transport 'mux' (HTTP/2)?";
  }
  if (/socket hang up/.test(error.message)) {
    return "the server closed the connection without answering — a weft server listening with transport 'pooled' does that";
  }
  return undefined;
}
