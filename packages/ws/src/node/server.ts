import { EventEmitter } from 'node:events';
import http from 'node:http';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Listen } from '@weft/framing';
import { acceptDeflateOffer } from '../deflate/negotiate.js';
import { WsUsageError } from '../errors.js';
import { acceptKey, isValidKey } from '../handshake.js';
import { deflateOptions, WebSocket, type WebSocketOptions } from './websocket.js';

/** Options of {@link WebSocketServer}: exactly one of `port`, `server`, `noServer`. */
export interface WebSocketServerOptions extends WebSocketOptions {
  port?: number;
  host?: string;
  /** An existing http/https server: its `'upgrade'` events are handled. */
  server?: http.Server | https.Server;
  /** Neither: call `handleUpgrade` yourself. */
  noServer?: boolean;
  /** Only accept upgrades for this path. */
  path?: string;
  /** Pick a subprotocol from those offered (default: the first); `false` selects none. */
  handleProtocols?: (protocols: Set<string>, req: http.IncomingMessage) => string | false;
  /**
   * Destroy a connection of the server that has not asked for an upgrade this long after it
   * opened (after its TLS handshake, on https). Default 10 s; 0: no limit (`noServer`: not used).
   */
  handshakeTimeoutMs?: number;
  /** Accept or refuse a handshake (origin checks, auth): false answers 401. */
  verifyClient?: (info: {
    origin: string | undefined;
    req: http.IncomingMessage;
    secure: boolean;
  }) => boolean;
}

/** Default `handshakeTimeoutMs`. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** The events of a {@link WebSocketServer} and their arguments. */
export interface WebSocketServerEvents {
  /** A client completed the handshake; `request` is its upgrade request. */
  connection: [ws: WebSocket, request: http.IncomingMessage];
  /** The server it owns is listening. */
  listening: [];
  /** The server it owns failed. */
  error: [err: Error];
}

// Typed listeners, merged into the class below.
export interface WebSocketServer {
  on: Listen<WebSocketServerEvents, this>;
  once: Listen<WebSocketServerEvents, this>;
  off: Listen<WebSocketServerEvents, this>;
}

/**
 * A WebSocket server shaped like the ws package's: `new WebSocketServer({ port } | { server } |
 * { noServer: true })`, `'connection'` (ws, req), `handleUpgrade(req, socket, head, cb)`, `clients`,
 * `close()`. The HTTP request is parsed by Node's own parser (bounded header size and count).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds typed listeners only
export class WebSocketServer extends EventEmitter {
  readonly clients = new Set<WebSocket>();
  readonly #options: WebSocketServerOptions;
  readonly #server: http.Server | https.Server | undefined;
  readonly #ownServer: boolean;

  constructor(options: WebSocketServerOptions, callback?: () => void) {
    super();
    const modes = [
      options.port !== undefined,
      options.server !== undefined,
      options.noServer === true,
    ].filter(Boolean).length;
    if (modes !== 1)
      throw new WsUsageError('WS_ERR_INVALID_OPTION', 'exactly one of port, server, noServer is required');
    this.#options = options;
    if (options.noServer === true) {
      this.#ownServer = false;
      return;
    }
    this.#ownServer = options.server === undefined;
    this.#server =
      options.server ??
      http.createServer((_req, res) => {
        res.writeHead(426, { 'Content-Type': 'text/plain' });
        res.end('Upgrade Required');
      });
    const handshakeMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const waiting = new WeakMap<Duplex, NodeJS.Timeout>();
    if (handshakeMs > 0) {
      // https servers emit 'secureConnection' with the socket their 'upgrade' events carry.
      const opened = this.#server instanceof tls.Server ? 'secureConnection' : 'connection';
      this.#server.on(opened, (socket: Duplex) => {
        const timer = setTimeout(() => socket.destroy(), handshakeMs);
        timer.unref();
        waiting.set(socket, timer);
        socket.once('close', () => clearTimeout(timer));
      });
    }
    this.#server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      clearTimeout(waiting.get(socket));
      if (options.path !== undefined && new URL(req.url ?? '/', 'http://x').pathname !== options.path) {
        abort(socket, 400, 'Bad Request');
        return;
      }
      this.handleUpgrade(req, socket, head, (ws) => this.emit('connection', ws, req));
    });
    this.#server.on('listening', () => this.emit('listening'));
    this.#server.on('error', (err) => this.emit('error', err));
    if (this.#ownServer) this.#server.listen(options.port, options.host, callback);
  }

  /** The listening address (own server mode). */
  address(): AddressInfo | string | null {
    return this.#server?.address() ?? null;
  }

  /** Validate the opening handshake (RFC 6455 §4.2.1) and hand over the socket, or answer with an error. */
  handleUpgrade(
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    cb: (ws: WebSocket, req: http.IncomingMessage) => void,
  ): void {
    const onError = () => socket.destroy();
    socket.on('error', onError);
    const h = req.headers;
    const key = h['sec-websocket-key'];
    if (
      req.method !== 'GET' ||
      // "the HTTP version MUST be at least 1.1" (RFC 6455 §4.1).
      req.httpVersionMajor < 1 ||
      (req.httpVersionMajor === 1 && req.httpVersionMinor < 1) ||
      (h.upgrade ?? '').toLowerCase() !== 'websocket' ||
      key === undefined ||
      !isValidKey(key)
    ) {
      abort(socket, 400, 'Bad Request');
      return;
    }
    if (h['sec-websocket-version'] !== '13') {
      // "... MUST abort the WebSocket handshake ... and include a |Sec-WebSocket-Version| header".
      abort(socket, 426, 'Upgrade Required', { 'Sec-WebSocket-Version': '13' });
      return;
    }
    const secure = (socket as { encrypted?: boolean }).encrypted === true;
    if (
      this.#options.verifyClient !== undefined &&
      !this.#options.verifyClient({ origin: h.origin, req, secure })
    ) {
      abort(socket, 401, 'Unauthorized');
      return;
    }
    const offered = new Set(
      (h['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
    );
    let protocol = '';
    if (offered.size > 0) {
      const chosen = this.#options.handleProtocols?.(offered, req) ?? [...offered][0]!;
      if (chosen !== false) protocol = chosen;
    }
    const deflate = deflateOptions(this.#options.perMessageDeflate, false);
    const accepted =
      deflate === undefined ? undefined : acceptDeflateOffer(h['sec-websocket-extensions'], deflate);
    const lines = [
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${acceptKey(key)}`,
      ...(protocol === '' ? [] : [`Sec-WebSocket-Protocol: ${protocol}`]),
      ...(accepted === undefined ? [] : [`Sec-WebSocket-Extensions: ${accepted.response}`]),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    const ws = new WebSocket(undefined, undefined, this.#options);
    ws._setSocket(
      socket,
      head,
      'server',
      protocol,
      accepted === undefined
        ? undefined
        : { params: accepted.params, header: accepted.response, options: deflate! },
    );
    socket.off('error', onError); // the WebSocket handles the socket's errors from here on
    this.clients.add(ws);
    ws.on('close', () => this.clients.delete(ws));
    cb(ws, req);
  }

  /** Stop accepting connections (closing our own server); open clients are closed with 1001. */
  close(cb?: (err?: Error) => void): void {
    for (const ws of this.clients) ws.close(1001, 'server shutting down');
    if (this.#server !== undefined && this.#ownServer) this.#server.close((err) => cb?.(err));
    else if (cb !== undefined) queueMicrotask(() => cb());
  }
}

function abort(socket: Duplex, status: number, message: string, extra: Record<string, string> = {}): void {
  const headers = Object.entries({
    Connection: 'close',
    'Content-Type': 'text/plain',
    'Content-Length': String(message.length),
    ...extra,
  })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? message}\r\n${headers}\r\n\r\n${message}`);
}
