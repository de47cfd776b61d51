import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Budget, Listen } from '@weft/framing';
import { TickFlusher } from '@weft/framing/node';
import { encodeClose } from '../close.js';
import { WsConnection, type WsEvent } from '../connection.js';
import {
  acceptDeflateResponse,
  type DeflateParams,
  deflateOffer,
  type PerMessageDeflateOptions,
  sideOf,
} from '../deflate/negotiate.js';
import { WsError, WsUsageError } from '../errors.js';
import { CloseCode, DEFAULT_MAX_PAYLOAD } from '../frame/types.js';
import { acceptKey } from '../handshake.js';
import { PerMessageDeflate } from './deflate.js';
import { OrderedSends } from './ordered-sends.js';

/** Options of {@link WebSocket} (client) and of server-side sockets. */
export interface WebSocketOptions {
  /** Largest message accepted. Default 16 MiB. */
  maxPayload?: number;
  /** After our close frame, how long the peer has to answer before the socket is destroyed. Default 30 s. */
  closeTimeoutMs?: number;
  /** Extra request headers (client). */
  headers?: Record<string, string>;
  /**
   * TLS settings for `wss:` URLs (client): a private CA, client certificates, the server name.
   * Certificates are verified unless `rejectUnauthorized: false`.
   */
  tls?: Pick<https.RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
  /** Handshake deadline (client). Default 30 s. */
  handshakeTimeoutMs?: number;
  /**
   * Heartbeat: every `heartbeatMs` send a ping; a peer that has not answered the previous one (nor
   * sent anything) by then is dead and the connection is terminated (close 1006). Off by default.
   */
  heartbeatMs?: number;
  /**
   * permessage-deflate (RFC 7692): `true` or options to offer (client) or accept (server) it. The
   * client offers it by default, the server accepts it only when enabled (as the ws package does).
   * Compression applies to messages of at least `threshold` bytes sent with `compress` not false.
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Pings the peer may send, answered with pongs; past it, close 1008. Default 50/s, bursts of 200. */
  pingBudget?: Budget;
}

/** The options object of a `perMessageDeflate` setting, or undefined when it is off. */
export function deflateOptions(
  setting: boolean | PerMessageDeflateOptions | undefined,
  fallback: boolean,
): PerMessageDeflateOptions | undefined {
  const s = setting ?? fallback;
  return s === false ? undefined : s === true ? {} : s;
}

const EMPTY = new Uint8Array(0);

/** permessage-deflate as the handshake settled it: parameters, header, and our own settings. */
export interface NegotiatedDeflate {
  params: DeflateParams;
  header: string;
  options: PerMessageDeflateOptions;
}

/** Where a socket keeps the WebSocket that owns it, for the shared socket listeners. */
const OWNER = Symbol('weft.ws.owner');
type Owned = Duplex & { [OWNER]?: WebSocket };

function onEnd(this: Duplex): void {
  this.end(); // the peer half-closed: finish our side once everything queued is written
}

/** `readyState` values, as the WHATWG WebSocket and the ws package use them. */
export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/**
 * Sends one tick may queue before those queued so far are written at once rather than at the end of
 * the tick: with many messages in flight both ways, writing only at the end makes the two processes
 * take turns (each idle while the other works through a whole batch). The threshold is half the
 * sends of recent ticks (their decaying peak), between EAGER_MIN_SENDS and EAGER_WRITE_SENDS, so a
 * small batch is split as well as a large one (@weft/mux scales with its open streams instead, which
 * a WebSocket does not have). Figures: docs/perf/2026-12-03-write-thresholds.md.
 */
const EAGER_WRITE_SENDS = 32;
const EAGER_MIN_SENDS = 8;

/** The events of a {@link WebSocket} and their arguments. */
export interface WebSocketEvents {
  /** The opening handshake completed. */
  open: [];
  /** A whole message: text arrives as a UTF-8 `Buffer` with `isBinary` false. */
  message: [data: Buffer, isBinary: boolean];
  ping: [data: Buffer];
  pong: [data: Buffer];
  /** The socket took what `bufferedAmount` held past its high-water mark. */
  drain: [];
  /** Emitted only when someone listens; `'close'` follows. */
  error: [err: Error];
  /** The connection is closed: the close code (1005 when none came) and reason. */
  close: [code: number, reason: Buffer];
}

// Typed listeners, merged into the class below.
export interface WebSocket {
  on: Listen<WebSocketEvents, this>;
  once: Listen<WebSocketEvents, this>;
  off: Listen<WebSocketEvents, this>;
}

/**
 * A WebSocket, shaped like the ws package's: `send(data, options?, cb?)`, `ping()`, `pong()`,
 * `close(code, reason)`, `terminate()`; events `'open'`, `'message'` (data, isBinary), `'drain'`
 * (the socket took what `bufferedAmount` held past its high-water mark), `'ping'`,
 * `'pong'`, `'close'` (code, reason), `'error'`; `readyState`, `bufferedAmount`, `protocol`.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds typed listeners only
export class WebSocket extends EventEmitter {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;

  readyState: number = CONNECTING;
  /** The subprotocol the server selected ('' for none). */
  protocol = '';
  /** The negotiated extensions, as in the handshake's `Sec-WebSocket-Extensions` ('' for none). */
  extensions = '';
  #pmd: PerMessageDeflate | undefined;
  /** A message is inflating: later input waits in the parser. */
  #inflating = false;
  #userPaused = false;
  /** Sends in order, behind the compressions of earlier messages. */
  readonly #sends = new OrderedSends();
  /** The message being sent in fragments is compressed. */
  #fragmentCompressed = false;
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
    return (this.#socket?.writableLength ?? 0) + (this.#core?.outboundBytes ?? 0) + this.#sends.pendingBytes;
  }

  /**
   * Send a message: strings as text, bytes as binary (override with `binary`); `fin: false` sends a
   * fragment (continue with further `send`s). `cb` runs once the data was handed to the socket.
   * @throws {WsUsageError} `WS_ERR_INVALID_STATE` before `'open'`. After close starts, nothing is
   * sent and `cb` (if any) gets that error instead, as the ws package does.
   */
  send(
    data: string | Uint8Array | ArrayBuffer,
    options?: { binary?: boolean; fin?: boolean; compress?: boolean } | ((err?: Error) => void),
    cb?: (err?: Error) => void,
  ): void {
    const o = typeof options === 'function' ? {} : (options ?? {});
    const callback = typeof options === 'function' ? options : cb;
    if (this.readyState !== OPEN) {
      const err = new WsUsageError(
        'WS_ERR_INVALID_STATE',
        `WebSocket is not open: readyState ${this.readyState}`,
      );
      // As the ws package: too early is a programming error; too late (the peer may close at any
      // moment, e.g. while a handler answers) is reported to the callback, never thrown.
      if (this.readyState === CONNECTING) throw err;
      if (callback !== undefined) queueMicrotask(() => callback(err));
      return;
    }
    const raw = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    const binary = o.binary ?? typeof raw !== 'string';
    const bytes = typeof raw === 'string' ? Buffer.from(raw) : raw;
    const fin = o.fin ?? true;
    const continuation = this.#fragmenting;
    this.#fragmenting = !fin;
    const pmd = this.#pmd;
    // A message is compressed or not as a whole, decided on its first fragment.
    const compress = continuation
      ? this.#fragmentCompressed
      : pmd !== undefined && o.compress !== false && bytes.length >= pmd.threshold;
    this.#fragmentCompressed = compress && !fin;
    if (!compress) {
      this.#sends.run(() => {
        if (this.#sendable(callback)) {
          this.#core!.send(bytes, { binary, fin, continuation });
          this.#flush(callback);
        }
      });
      return;
    }
    this.#sends.compressed(
      bytes.length,
      () => pmd!.compress(bytes, fin),
      (out) => {
        if (this.#sendable(callback)) {
          this.#core!.send(out, { binary, fin, continuation, compressed: true });
          this.#flush(callback);
        }
      },
      (err) => {
        // zlib failed us (1011): close as for any failure; the sends queued behind are dropped.
        callback?.(err as WsError);
        for (const e of this.#core!.fail(err as WsError)) this.#event(e);
      },
    );
  }

  /**
   * Whether the core still takes messages when a queued send runs: a close (ours or a failure's) may
   * have been queued while it waited behind a compression. Such a send is dropped, as the ws package
   * drops sends after close; `cb` hears.
   */
  #sendable(cb: ((err?: Error) => void) | undefined): boolean {
    if (this.#core?.state === 'open') return true;
    if (cb !== undefined) {
      const err = new WsUsageError('WS_ERR_INVALID_STATE', 'the connection is closing');
      queueMicrotask(() => cb(err));
    }
    return false;
  }

  #fragmenting = false;
  /** Input arrived since the last heartbeat ping. */
  #alive = true;
  #heartbeat: NodeJS.Timeout | undefined;

  /** Send a ping (at most 125 bytes); the peer answers with a `'pong'`. */
  ping(data: Uint8Array | string = EMPTY): void {
    this.#control('ping', data);
  }

  /** Send an unsolicited pong (a one-way heartbeat). */
  pong(data: Uint8Array | string = EMPTY): void {
    this.#control('pong', data);
  }

  #control(kind: 'ping' | 'pong', data: Uint8Array | string): void {
    if (this.readyState !== OPEN) throw new WsUsageError('WS_ERR_INVALID_STATE', 'WebSocket is not open');
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (bytes.length > 125) throw new WsUsageError('WS_ERR_INVALID_OPTION', 'control payload over 125 bytes');
    this.#sends.run(() => {
      if (this.#core!.state !== 'open') return;
      this.#core![kind](bytes);
      this.#flush();
    });
  }

  /** Start the close handshake; the socket is destroyed if the peer does not answer in time. */
  close(code?: number, reason?: string): void {
    if (this.readyState === CLOSED || this.readyState === CLOSING) return;
    if (this.readyState === CONNECTING) {
      this.terminate();
      return;
    }
    encodeClose(code, reason ?? ''); // throws WS_ERR_INVALID_OPTION now, not when dequeued
    this.readyState = CLOSING;
    this.#sends.run(() => {
      this.#core!.close(code, reason ?? '');
      this.#flush();
    });
    this.#armCloseTimer();
  }

  /** Give the peer `closeTimeoutMs` to finish the close handshake, then destroy the socket. */
  #armCloseTimer(): void {
    this.#closeTimer ??= setTimeout(() => this.#socket?.destroy(), this.#options.closeTimeoutMs ?? 30_000);
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
  _setSocket(
    socket: Duplex,
    head: Buffer,
    role: 'client' | 'server',
    protocol: string,
    deflate?: NegotiatedDeflate,
  ): void {
    this.#socket = socket;
    this.#role = role;
    this.protocol = protocol;
    if (deflate !== undefined) {
      this.extensions = deflate.header;
      this.#pmd = new PerMessageDeflate(sideOf(deflate.params, role), deflate.options);
    }
    this.#core = new WsConnection({
      role,
      perMessageDeflate: deflate !== undefined,
      ...(this.#options.maxPayload === undefined ? {} : { maxPayload: this.#options.maxPayload }),
      ...(this.#options.pingBudget === undefined ? {} : { pingBudget: this.#options.pingBudget }),
    });
    if ('setNoDelay' in socket) (socket as unknown as { setNoDelay(v: boolean): void }).setNoDelay(true);
    if ('setTimeout' in socket) (socket as unknown as { setTimeout(v: number): void }).setTimeout(0);
    this.readyState = OPEN;
    // Shared listeners that find this WebSocket on the socket: four closures per connection were
    // ~250 B each of the 10,000-idle-connections figure.
    (socket as Owned)[OWNER] = this;
    socket.on('data', WebSocket.#onData);
    socket.on('end', onEnd);
    socket.on('error', WebSocket.#onError);
    socket.on('close', WebSocket.#onClose);
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

  static #onData(this: Duplex, chunk: Buffer): void {
    // biome-ignore lint/complexity/noThisInStatic: a socket listener, called with the socket as this
    const ws = (this as Owned)[OWNER]!;
    ws.#alive = true;
    ws.#receive(chunk);
  }

  static #onError(this: Duplex, err: Error): void {
    // biome-ignore lint/complexity/noThisInStatic: a socket listener, called with the socket as this
    (this as Owned)[OWNER]!.#emitError(err);
  }

  static #onClose(this: Duplex): void {
    // biome-ignore lint/complexity/noThisInStatic: a socket listener, called with the socket as this
    (this as Owned)[OWNER]!.#finish();
  }

  /**
   * Read one message at a time: each is delivered (its handler's replies queued) before the frames
   * behind it are parsed, as the ws package does, so a reply is never overtaken by a close or a
   * violation that came in the same read. A compressed message holds the rest until it is inflated.
   */
  #receive(chunk: Uint8Array): void {
    if (this.#inflating) {
      this.#core!.receive(chunk, 0); // buffered in the parser until the inflation is done
      return;
    }
    let input = chunk;
    for (;;) {
      const events = this.#core!.receive(input, 1);
      input = EMPTY;
      this.#flush();
      let more = false;
      for (const e of events) {
        if (e.type === 'CompressedMessageReceived') {
          this.#inflate(e.data, e.binary); // always the batch's last event
          return;
        }
        this.#event(e);
        if (e.type === 'MessageReceived') more = true;
      }
      if (!more) return;
    }
  }

  #inflate(data: Uint8Array, binary: boolean): void {
    this.#inflating = true;
    this.#socket?.pause(); // bytes wait in the kernel, not in our parser
    const limit = this.#options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    const resume = (events: WsEvent[]) => {
      this.#inflating = false;
      this.#flush();
      for (const e of events) this.#event(e);
      if (!this.#userPaused) this.#socket?.resume();
      this.#receive(EMPTY);
    };
    this.#pmd!.decompress(data, limit).then(
      (out) => resume(this.#core!.inflated(out, binary)),
      (err: WsError) => resume(this.#core!.fail(err)),
    );
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
        if (this.#role === 'server') this.#end();
        else this.#armCloseTimer();
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

  #role: 'client' | 'server' = 'client';

  /**
   * Stop reading from the socket, as the ws package's `pause()`: messages wait in the kernel and
   * the peer is slowed by TCP flow control. For backpressure (a reader, or output backed up).
   */
  pause(): void {
    this.#userPaused = true;
    this.#socket?.pause();
  }

  /** Read from the socket again after {@link pause}. */
  resume(): void {
    this.#userPaused = false;
    if (!this.#inflating) this.#socket?.resume();
  }

  /**
   * Write what the core queued. Sends within one tick are batched into one corked write (one
   * `writev`), as the mux adapter does; callbacks run when their batch reached the socket.
   */
  #flush(cb?: (err?: Error) => void): void {
    if (cb !== undefined) this.#callbacks.push(cb);
    this.#sendsThisTick++;
    this.#flusher.queued();
  }

  /** A busy tick writes part of its messages at once, so the peer starts on them meanwhile. */
  readonly #flusher = new TickFlusher(() => this.#flushNow(), {
    after: () => this.#eagerSends,
    write: () => this.#write(),
  });
  #sendsThisTick = 0;
  #peakSends = 0;
  /** Sends after which part of a tick is written early: from the size of recent ticks. */
  #eagerSends = EAGER_WRITE_SENDS;
  #callbacks: ((err?: Error) => void)[] = [];

  #flushNow(): void {
    // Recent ticks' peak, decaying by an eighth a tick: one small tick among large ones changes little.
    this.#peakSends = Math.max(this.#sendsThisTick, this.#peakSends - (this.#peakSends >> 3));
    this.#eagerSends = Math.min(EAGER_WRITE_SENDS, Math.max(EAGER_MIN_SENDS, this.#peakSends >> 1));
    this.#sendsThisTick = 0;
    this.#write();
  }

  /** One corked write of everything queued; its callbacks run when it reached the socket. */
  #write(): void {
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
    let ok = true;
    for (let i = 0; i < out.length; i++) ok = s.write(out[i]!, i === out.length - 1 ? done : undefined);
    s.uncork();
    // Backpressure: past the socket's high-water mark, 'drain' tells the sender to go on.
    if (!ok && !this.#awaitingDrain) {
      this.#awaitingDrain = true;
      s.once('drain', () => {
        this.#awaitingDrain = false;
        this.emit('drain');
      });
    }
  }

  #awaitingDrain = false;

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
    this.#pmd?.close();
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
    const deflate = deflateOptions(this.#options.perMessageDeflate, true);
    const req = (secure ? https : http).request({
      ...(secure ? this.#options.tls : {}),
      // A connection of its own: through the (keep-alive) global agent, an upgrade could be sent on
      // a pooled socket the server had already ended after an earlier refusal, and hang.
      agent: false,
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
        ...(deflate === undefined ? {} : { 'Sec-WebSocket-Extensions': deflateOffer(deflate) }),
      },
    });
    const timer = setTimeout(() => {
      req.destroy(new WsError('WS_ERR_HANDSHAKE', CloseCode.Abnormal, 'opening handshake timed out'));
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
      req.destroy(); // a refused upgrade: this connection is of no further use
      failHandshake(
        new WsError('WS_ERR_HANDSHAKE', CloseCode.Abnormal, `unexpected server response: ${res.statusCode}`),
      );
    });
    req.on('upgrade', (res, socket, head) => {
      clearTimeout(timer);
      let answer: { protocol: string; deflate: NegotiatedDeflate | undefined };
      try {
        answer = checkUpgrade(res, key, protocols, deflate);
      } catch (err) {
        socket.destroy();
        failHandshake(err as Error);
        return;
      }
      this._setSocket(socket, head, 'client', answer.protocol, answer.deflate);
    });
    req.end();
  }
}

/**
 * The client's checks of a 101 answer (RFC 6455 §4.1, RFC 7692 §7.1): the accept key, a subprotocol
 * we offered, an extension answer matching our offer.
 * @throws {WsError} `WS_ERR_HANDSHAKE` or `WS_ERR_INVALID_EXTENSION`.
 */
function checkUpgrade(
  res: http.IncomingMessage,
  key: string,
  protocols: string[],
  offered: PerMessageDeflateOptions | undefined,
): { protocol: string; deflate: NegotiatedDeflate | undefined } {
  const fail = (code: 'WS_ERR_HANDSHAKE' | 'WS_ERR_INVALID_EXTENSION', why: string) =>
    new WsError(code, CloseCode.Abnormal, why);
  if (res.headers['sec-websocket-accept'] !== acceptKey(key))
    throw fail('WS_ERR_HANDSHAKE', 'invalid Sec-WebSocket-Accept');
  const protocol = (res.headers['sec-websocket-protocol'] as string | undefined) ?? '';
  if (protocol !== '' && !protocols.includes(protocol))
    throw fail('WS_ERR_HANDSHAKE', `server chose unoffered subprotocol ${protocol}`);
  const header = res.headers['sec-websocket-extensions'];
  if (header === undefined) return { protocol, deflate: undefined };
  if (offered === undefined)
    throw fail('WS_ERR_INVALID_EXTENSION', 'server negotiated an extension we did not offer');
  return { protocol, deflate: { params: acceptDeflateResponse(header, offered), header, options: offered } };
}
