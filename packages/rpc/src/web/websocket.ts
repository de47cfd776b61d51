/**
 * The browser's native `WebSocket` as the shared ws client transport uses it: binary messages as
 * `ArrayBuffer`, a handshake timeout and a message-size limit the native API lacks, and close codes
 * a page is allowed to send.
 */
import type { WsConnect } from '../transport/ws-client.js';

/** How {@link browserConnect} opens WebSockets. */
export interface BrowserSocketOptions {
  /** Largest message accepted from the server; a larger one closes the connection. */
  maxFrameBytes: number;
  /** How long the opening handshake may take. */
  handshakeTimeoutMs: number;
  /** The WebSocket constructor: the page's `WebSocket` unless given. */
  WebSocket?: typeof WebSocket | undefined;
}

/**
 * A script may close a WebSocket only with 1000 or 3000–4999: a protocol-level code (1002, 1003,
 * 1009) goes out as 4000 plus its last three digits (4002, 4003, 4009), with its reason.
 */
function pageCloseCode(code: number): number {
  return code === 1000 || code >= 3000 ? code : 4000 + (code % 1000);
}

/** A {@link WsConnect} over the native `WebSocket`. */
export function browserConnect(options: BrowserSocketOptions): WsConnect {
  return (url, events) => {
    const Impl = options.WebSocket ?? globalThis.WebSocket;
    if (Impl === undefined) throw new Error('this runtime has no WebSocket');
    const ws = new Impl(url);
    ws.binaryType = 'arraybuffer';
    let done = false;
    // Once closed (or terminated) the transport hears nothing more from this socket.
    const closed = (code: number, reason: string) => {
      if (done) return;
      done = true;
      clearTimeout(handshake);
      events.close(code, reason);
    };
    const handshake = setTimeout(() => {
      events.error(new Error(`the WebSocket handshake took longer than ${options.handshakeTimeoutMs} ms`));
      ws.close();
      closed(1006, '');
    }, options.handshakeTimeoutMs);
    ws.onopen = () => {
      clearTimeout(handshake);
      if (!done) events.open();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (done) return;
      const data: unknown = ev.data;
      if (typeof data === 'string') {
        events.message(new TextEncoder().encode(data), false);
        return;
      }
      const bytes = new Uint8Array(data as ArrayBuffer);
      if (bytes.byteLength > options.maxFrameBytes) {
        events.error(
          new Error(`a message of ${bytes.byteLength} bytes exceeds the limit of ${options.maxFrameBytes}`),
        );
        ws.close(4009, 'message too big');
        closed(1009, 'message too big');
        return;
      }
      events.message(bytes, true);
    };
    // The browser tells nothing about why (no status, no text): the close event follows.
    ws.onerror = () => {
      if (!done && ws.readyState !== Impl.OPEN) events.error(new Error(`could not open ${url}`));
    };
    ws.onclose = (ev: { code: number; reason: string }) => closed(ev.code, ev.reason);
    return {
      get open() {
        return !done && ws.readyState === Impl.OPEN;
      },
      send: (bytes) => ws.send(bytes),
      close: (code, reason) => {
        ws.close(pageCloseCode(code), reason);
      },
      // A page cannot drop a connection: close it, and stop listening at once.
      terminate: () => {
        ws.close();
        closed(1006, 'terminated');
      },
    };
  };
}
