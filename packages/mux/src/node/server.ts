import net from 'node:net';
import type { HeaderObject } from './headers.js';
import { MuxSession, type SessionOptions } from './session.js';
import type { MuxStream } from './stream.js';

/** Options of {@link createServer}. */
export type ServerOptions = SessionOptions;

/** Called for each request stream, with its headers (node:http2's `'stream'` event). */
export type StreamHandler = (stream: MuxStream, headers: Record<string, string | string[]>) => void;

/**
 * An HTTP/2 server (cleartext, prior knowledge): a `net.Server` whose connections are sessions.
 * Emits `'session'` (session) and `'stream'` (stream, headers).
 */
export function createServer(options: ServerOptions = {}, onStream?: StreamHandler): net.Server {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const session = new MuxSession(socket, 'server', options);
    session.on('error', () => {
      // A misbehaving peer costs only its own connection; the error is visible on the session.
    });
    server.emit('session', session);
    session.on('stream', (stream: MuxStream, headers: HeaderObject) =>
      server.emit('stream', stream, headers),
    );
  });
  if (onStream !== undefined) server.on('stream', onStream);
  return server;
}

/**
 * Connect to an HTTP/2 server with prior knowledge: `authority` is `'http://host:port'`,
 * `{ host, port }`, or an already connected Duplex.
 */
export function connect(
  authority: string | URL | { host?: string; port: number } | import('node:stream').Duplex,
  options: SessionOptions = {},
): MuxSession {
  if (typeof authority === 'object' && 'pipe' in authority)
    return new MuxSession(authority, 'client', options);
  let host: string;
  let port: number;
  if (typeof authority === 'string' || authority instanceof URL) {
    const url = new URL(authority);
    host = url.hostname;
    port = Number(url.port || 80);
  } else {
    host = authority.host ?? '127.0.0.1';
    port = authority.port;
  }
  const socket = net.connect({ host, port, noDelay: true });
  return new MuxSession(socket, 'client', {
    authority: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    ...options,
  });
}
