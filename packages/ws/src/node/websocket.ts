import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { WsConnection, type WsEvent } from '../connection.js';
import { WsError, WsUsageError } from '../errors.js';
import { CloseCode } from '../frame/types.js';
import { acceptKey } from '../handshake.js';

/** Options of {@link WebSocket} (client) and of server-side sockets. */
export interface WebSocketOptions {
  /** Largest message accepted. Default 16 MiB. */
  maxPayload?: number;
  /** After our close frame, how long the peer has to answer before the socket is destroyed. Default 30 s. */
  closeTimeoutMs?: number;
  /** Extra request headers (client). */
  headers?: Record<string, string>;
  /** Handshake deadline (client). Default 30 s. */
  handshakeTimeoutMs?: number;
  /**
   * Heartbeat: every `heartbeatMs` send a ping; a peer that has not answered the previous one (nor
   * sent anything) by then is dead and the connection is terminated (close 1006). Off by default.
   */
  heartbeatMs?: number;
}

/** `readyState` values, as the WHATWG WebSocket and the ws package use them. */
export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/**
 * A WebSocket, shaped like the ws package's: `send(data, options?, cb?)`, `ping()`, `pong()`,
 * `close(code, reason)`, `terminate()`; events `'open'`, `'message'` (data, isBinary), `'ping'`,
 * `'pong'`, `'close'` (code, reason), `'error'`; `readyState`, `bufferedAmount`, `protocol`.
 */
export class WebSocket extends EventEmitter {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;

  readyState: number = CONNECTING;
  /** The subprotocol the server selected ('' for none). */
  protocol = '';
  #socket: Duplex | undefined;
  #core: WsConnection | undefined;
  #closeTimer: NodeJS.Timeout | undefined;
  #closeCode: number = CloseCode.Abnormal;
  #closeReason = '';
  readonly #options: WebSocketOptions;

  /**
   * Client: connect to `url` (`ws:` or `wss:`), offering `protocols`.
   * Server side: created by {@link WebSocketServer} with `url` undefined.
   */
  constructor(url?: string | URL, protocols?: string | string[], options: WebSocketOptions = {}) {
    super();
    this.#options = options;
    if (url !== undefined)
      this.#connect(new URL(url), typeof protocols === 'string' ? [protocols] : (protocols ?? []));
  }

  /** Bytes queued but not yet handed to the socket's kernel buffer. */
  get bufferedAmount(): number {
    return (this.#socket?.writableLength ?? 0) + (this.#core?.outboundBytes ?? 0);
  }

  /**
   * Send a message: strings as text, bytes as binary (override with `binary`); `fin: false` sends a
   * fragment (continue with further `send`s). `cb` runs once the data was handed to the socket.
   */
  send(
    data: string | Uint8Array | ArrayBuffer,
    options?: { binary?: boolean; fin?: boolean } | ((err?: Error) => void),
    cb?: (err?: Error) => void,
  ): void {
    const o = typeof options === 'function' ? {} : (options ?? {});
    const callback = typeof options === 'function' ? options : cb;
    if (this.readyState !== OPEN) {
      const err = new WsUsageError(
        'WS_ERR_INVALID_STATE',
        `WebSocket is not open: readyState ${this.readyState}`,
      );
      if (callback !== undefined) queueMicrotask(() => callback(err));
      else throw err;
      return;
    }
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    const binary = o.binary ?? typeof bytes !== 'string';
    this.#core!.send(bytes, { binary, fin: o.fin ?? true, continuation: this.#fragmenting });
    this.#fragmenting = o.fin === false;
    this.#flush(callback);
  }

  #fragmenting = false;
  /** Input arrived since the last heartbeat ping. */
  #alive = true;
  #heartbeat: NodeJS.Timeout | undefined;

  ping(data: Uint8Array | string = new Uint8Array(0)): void {
    if (this.readyState !== OPEN) throw new WsUsageError('WS_ERR_INVALID_STATE', 'WebSocket is not open');
    this.#core!.ping(typeof data === 'string' ? Buffer.from(data) : data);
    this.#flush();
  }

  pong(data: Uint8Array | string = new Uint8Array(0)): void {
    if (this.readyState !== OPEN) throw new WsUsageError('WS_ERR_INVALID_STATE', 'WebSocket is not open');
    this.#core!.pong(typeof data === 'string' ? Buffer.from(data) : data);
    this.#flush();
  }

  /** Start the close handshake; the socket is destroyed if the peer does not answer in time. */
  close(code?: number, reason?: string): void {
    if (this.readyState === CLOSED || this.readyState === CLOSING) return;
    if (this.readyState === CONNECTING) {
      this.terminate();
      return;
    }
    this.#core!.close(code, reason ?? '');
    this.readyState = CLOSING;
    this.#flush();
    this.#closeTimer = setTimeout(() => this.#socket?.destroy(), this.#options.closeTimeoutMs ?? 30_000);
    this.#closeTimer.unref();
  }

  /** Destroy the connection at once (no close handshake): 'close' reports 1006. */
  terminate(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSING;
    this.#socket?.destroy();
    if (this.#socket === undefined) this.#finish();
  }

  /** @internal attach an upgraded socket (server side, or client after the handshake). */
  _setSocket(socket: Duplex, head: Buffer, role: 'client' | 'server', protocol: string): void {
    this.#socket = socket;
    this.protocol = protocol;
    this.#core = new WsConnection({
      role,
      ...(this.#options.maxPayload === undefined ? {} : { maxPayload: this.#options.maxPayload }),
    });
    if ('setNoDelay' in socket) (socket as unknown as { setNoDelay(v: boolean): void }).setNoDelay(true);
    if ('setTimeout' in socket) (socket as unknown as { setTimeout(v: number): void }).setTimeout(0);
    this.readyState = OPEN;
    socket.on('data', (chunk: Buffer) => {
      this.#alive = true;
      this.#receive(chunk);
    });
    socket.on('end', () => socket.end());
    socket.on('error', (err) => this.#emitError(err));
    socket.on('close', () => this.#finish());
    const beat = this.#options.heartbeatMs;
    if (beat !== undefined && beat > 0) {
      this.#heartbeat = setInterval(() => {
        if (!this.#alive) {
          this.terminate();
          return;
        }
        this.#alive = false;
        if (this.readyState === OPEN) this.ping();
      }, beat);
      this.#heartbeat.unref();
    }
    this.emit('open');
    if (head.length > 0) this.#receive(head);
  }

  #receive(chunk: Buffer): void {
    const events = this.#core!.receive(chunk);
    this.#flush();
    for (const e of events) this.#event(e);
  }

  #event(e: WsEvent): void {
    switch (e.type) {
      case 'MessageReceived':
        this.emit('message', Buffer.from(e.data.buffer, e.data.byteOffset, e.data.length), e.binary);
        break;
      case 'PingReceived':
        this.emit('ping', Buffer.from(e.data));
        break;
      case 'PongReceived':
        this.emit('pong', Buffer.from(e.data));
        break;
      case 'CloseReceived':
        this.#closeCode = e.code;
        this.#closeReason = e.reason;
        this.readyState = CLOSING;
        break;
      case 'Closed':
        // The server closes the TCP connection first (§7.1.1); the client waits for it (bounded).
        if (this.#core !== undefined && this.#isServer) this.#end();
        else {
          this.#closeTimer ??= setTimeout(
            () => this.#socket?.destroy(),
            this.#options.closeTimeoutMs ?? 30_000,
          );
          this.#closeTimer.unref();
        }
        break;
      case 'ProtocolError':
        // Our close frame (with the violation's code) is queued and flushed; then the socket ends.
        // A peer's violation must never crash the process: 'error' only reaches listeners.
        this.#closeCode = e.error.closeCode;
        this.#closeReason = e.error.message;
        this.#emitError(e.error);
        this.#end();
        break;
    }
  }

  get #isServer(): boolean {
    return this.#role === 'server';
  }
  #role: 'client' | 'server' = 'client';

  /** @internal stop reading from the socket (the Duplex adapter's backpressure) */
  _pause(): void {
    this.#socket?.pause();
  }

  /** @internal resume reading */
  _resume(): void {
    this.#socket?.resume();
  }

  /** @internal */
  _asServer(): void {
    this.#role = 'server';
  }

  /**
   * Write what the core queued. Sends within one tick are batched into one corked write (one
   * `writev`), as the mux adapter does; callbacks run when their batch reached the socket.
   */
  #flush(cb?: (err?: Error) => void): void {
    if (cb !== undefined) this.#callbacks.push(cb);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    process.nextTick(() => this.#flushNow());
  }

  #flushScheduled = false;
  #callbacks: ((err?: Error) => void)[] = [];

  #flushNow(): void {
    this.#flushScheduled = false;
    const out = this.#core?.takeOutbound() ?? [];
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    const s = this.#socket;
    if (s === undefined || s.destroyed) {
      const err = new WsUsageError('WS_ERR_INVALID_STATE', 'socket closed');
      for (const cb of callbacks) cb(err);
      return;
    }
    if (out.length === 0) {
      for (const cb of callbacks) cb();
      return;
    }
    const done =
      callbacks.length === 0
        ? undefined
        : (err?: Error | null) => {
            for (const cb of callbacks) cb(err ?? undefined);
          };
    s.cork();
    for (let i = 0; i < out.length; i++) s.write(out[i]!, i === out.length - 1 ? done : undefined);
    s.uncork();
  }

  /** Half-close after writing everything queued (the close frame must not be lost). */
  #end(): void {
    this.#flushNow();
    this.#socket?.end();
  }

  #emitError(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  #finish(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    clearTimeout(this.#closeTimer);
    clearInterval(this.#heartbeat);
    this.emit('close', this.#closeCode, Buffer.from(this.#closeReason));
  }

  #connect(url: URL, protocols: string[]): void {
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
      throw new WsUsageError(
        'WS_ERR_INVALID_OPTION',
        `the URL scheme must be ws: or wss:, got ${url.protocol}`,
      );
    }
    const key = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(16))).toString('base64');
    const secure = url.protocol === 'wss:';
    const req = (secure ? https : http).request({
      host: url.hostname,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: {
        ...this.#options.headers,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': key,
        ...(protocols.length > 0 ? { 'Sec-WebSocket-Protocol': protocols.join(', ') } : {}),
      },
    });
    const timer = setTimeout(() => {
      req.destroy(new WsError('WS_ERR_INVALID_STATE', CloseCode.Abnormal, 'opening handshake timed out'));
    }, this.#options.handshakeTimeoutMs ?? 30_000);
    timer.unref();
    const failHandshake = (err: Error) => {
      clearTimeout(timer);
      this.readyState = CLOSING;
      this.#emitError(err);
      this.#finish();
    };
    req.on('error', failHandshake);
    req.on('response', (res) => {
      res.resume();
      failHandshake(
        new WsError(
          'WS_ERR_INVALID_STATE',
          CloseCode.Abnormal,
          `unexpected server response: ${res.statusCode}`,
        ),
      );
    });
    req.on('upgrade', (res, socket, head) => {
      clearTimeout(timer);
      const accept = res.headers['sec-websocket-accept'];
      const protocol = (res.headers['sec-websocket-protocol'] as string | undefined) ?? '';
      if (accept !== acceptKey(key)) {
        socket.destroy();
        failHandshake(
          new WsError('WS_ERR_INVALID_STATE', CloseCode.Abnormal, 'invalid Sec-WebSocket-Accept'),
        );
        return;
      }
      if (protocol !== '' && !protocols.includes(protocol)) {
        socket.destroy();
        failHandshake(
          new WsError(
            'WS_ERR_INVALID_STATE',
            CloseCode.Abnormal,
            `server chose unoffered subprotocol ${protocol}`,
          ),
        );
        return;
      }
      if (res.headers['sec-websocket-extensions'] !== undefined) {
        socket.destroy();
        failHandshake(
          new WsError(
            'WS_ERR_INVALID_STATE',
            CloseCode.Abnormal,
            'server negotiated an extension we did not offer',
          ),
        );
        return;
      }
      this._setSocket(socket, head, 'client', protocol);
    });
    req.end();
  }
}
