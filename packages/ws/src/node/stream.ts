import { Duplex } from 'node:stream';
import { OPEN, type WebSocket } from './websocket.js';

/**
 * A Node `Duplex` over a WebSocket, for piping: each write becomes one binary message (or text with
 * `{ text: true }`), each message read arrives as one chunk. Backpressure: writes wait for the
 * socket to take the previous message; reads pause the socket while the reader lags.
 */
export function createWebSocketStream(ws: WebSocket, options: { text?: boolean } = {}): Duplex {
  const text = options.text ?? false;
  const stream = new Duplex({
    allowHalfOpen: false,
    write(chunk: Buffer, _encoding, callback) {
      if (ws.readyState !== OPEN) {
        callback(new Error('WebSocket is not open'));
        return;
      }
      ws.send(text ? chunk.toString() : chunk, { binary: !text }, (err) => callback(err ?? null));
    },
    final(callback) {
      if (ws.readyState === OPEN) ws.close(1000);
      callback();
    },
    read() {
      ws.resume();
    },
    destroy(err, callback) {
      if (ws.readyState === OPEN) ws.close(err === null ? 1000 : 1011);
      callback(err);
    },
  });
  ws.on('message', (data: Buffer) => {
    if (!stream.push(data)) ws.pause();
  });
  ws.on('close', () => stream.push(null));
  ws.on('error', (err: Error) => stream.destroy(err));
  return stream;
}
