import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Listen } from '@weft/framing';
import { MuxError } from '../errors.js';
import type { HeaderObject } from './headers.js';
import { MuxSession, type SessionOptions } from './session.js';
import type { MuxStream } from './stream.js';

/** Options of {@link createServer}. */
export type ServerOptions = SessionOptions;

/** Called for each request stream, with its headers (node:http2's `'stream'` event). */
export type StreamHandler = (stream: MuxStream, headers: HeaderObject) => void;

/** The events a mux server adds to those of its `net.Server` / `tls.Server`. */
export interface MuxServerEvents {
  /** A connection became a session. */
  session: [session: MuxSession];
  /** A request stream arrived on any of its sessions. */
  stream: [stream: MuxStream, headers: HeaderObject];
}

/** A cleartext mux server: a `net.Server` with typed `'session'` and `'stream'` listeners. */
export interface MuxServer extends net.Server {
  on: Listen<MuxServerEvents, this>;
  once: Listen<MuxServerEvents, this>;
  off: Listen<MuxServerEvents, this>;
}

/** A mux server over TLS: a `tls.Server` with typed `'session'` and `'stream'` listeners. */
export interface SecureMuxServer extends tls.Server {
  on: Listen<MuxServerEvents, this>;
  once: Listen<MuxServerEvents, this>;
  off: Listen<MuxServerEvents, this>;
}

/** Wrap an accepted socket in a server session and forward its events to the server. */
function serve(server: net.Server, socket: net.Socket, options: SessionOptions): void {
  socket.setNoDelay(true);
  const session = new MuxSession(socket, 'server', options);
  session.on('error', () => {
    // A misbehaving peer costs only its own connection; the error is visible on the session.
  });
  server.emit('session', session);
  session.on('stream', (stream: MuxStream, headers: HeaderObject) => server.emit('stream', stream, headers));
}

/**
 * An HTTP/2 server (cleartext, prior knowledge): a `net.Server` whose connections are sessions.
 * Emits `'session'` (session) and `'stream'` (stream, headers).
 */
export function createServer(options: ServerOptions = {}, onStream?: StreamHandler): MuxServer {
  // The same object; only its listener types are narrower.
  const server = net.createServer((socket) => serve(server, socket, options)) as MuxServer;
  if (onStream !== undefined) server.on('stream', onStream);
  return server;
}

/** Options of {@link createSecureServer}: session options plus TLS options (`key`, `cert`, ...) under `tls`. */
export type SecureServerOptions = SessionOptions & { tls: tls.TlsOptions };

/**
 * An HTTP/2 server over TLS: ALPN offers `h2` only, and a connection that did not negotiate it is
 * closed (RFC 9113 §3.2). TLS session tickets are on (Node's default), so clients can resume.
 * Emits `'session'` and `'stream'` like {@link createServer}.
 */
export function createSecureServer(options: SecureServerOptions, onStream?: StreamHandler): SecureMuxServer {
  const { tls: tlsOptions, ...sessionOptions } = options;
  const server = tls.createServer({ ...tlsOptions, ALPNProtocols: ['h2'] }, (socket) => {
    if (socket.alpnProtocol !== 'h2') {
      socket.destroy();
      return;
    }
    serve(server, socket, sessionOptions);
  }) as SecureMuxServer;
  if (onStream !== undefined) server.on('stream', onStream);
  return server;
}

/** Client options: session options, plus TLS options (`ca`, `servername`, `session` to resume) for https. */
export type ConnectOptions = SessionOptions & { tls?: tls.ConnectionOptions };

/**
 * Connect to an HTTP/2 server: `'http://host:port'` (prior knowledge), `'https://host:port'` (TLS
 * with ALPN `h2`; pass `tls.session` — a ticket from the session's `'tlsSession'` event — to resume),
 * `{ host, port }` (cleartext), or an already connected Duplex.
 */
export function connect(
  authority: string | URL | { host?: string; port: number } | Duplex,
  options: ConnectOptions = {},
): MuxSession {
  const { tls: tlsOptions, ...sessionOptions } = options;
  if (typeof authority === 'object' && 'pipe' in authority)
    return new MuxSession(authority, 'client', sessionOptions);
  let host: string;
  let port: number;
  let secure = false;
  if (typeof authority === 'string' || authority instanceof URL) {
    const url = new URL(authority);
    host = url.hostname.replace(/^\[|\]$/g, '');
    secure = url.protocol === 'https:';
    port = Number(url.port || (secure ? 443 : 80));
  } else {
    host = authority.host ?? '127.0.0.1';
    port = authority.port;
  }
  const hostPort = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  if (!secure) {
    const socket = net.connect({ host, port, noDelay: true });
    return new MuxSession(socket, 'client', { authority: hostPort, ...sessionOptions });
  }
  const socket = tls.connect({
    host,
    port,
    ...(net.isIP(host) === 0 ? { servername: host } : {}),
    ...tlsOptions,
    ALPNProtocols: ['h2'],
  });
  socket.setNoDelay(true);
  const session = new MuxSession(socket, 'client', {
    authority: hostPort,
    scheme: 'https',
    ...sessionOptions,
  });
  socket.on('session', (ticket: Buffer) => session.emit('tlsSession', ticket));
  socket.once('secureConnect', () => {
    if (socket.alpnProtocol !== 'h2') {
      session.destroy(
        new MuxError(
          'MUX_ERR_PROTOCOL',
          `the server did not negotiate h2 (ALPN: ${String(socket.alpnProtocol)})`,
        ),
      );
    }
  });
  return session;
}
