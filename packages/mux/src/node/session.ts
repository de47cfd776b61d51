import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Connection, type ConnectionOptions } from '../connection.js';
import { MuxError, type MuxProtocolError } from '../errors.js';
import type { ConnectionEvent } from '../events.js';
import { ErrorCode, errorCodeName } from '../frame/types.js';
import { type HeaderObject, toFields, toObject } from './headers.js';
import { MuxStream } from './stream.js';

/** Options of a session (client or server side). */
export interface SessionOptions extends Omit<ConnectionOptions, 'role'> {
  /** Client: default `:authority` of requests (`connect` sets it from its target), and `:scheme`. */
  authority?: string;
  scheme?: 'http' | 'https';
  /** Bytes of DATA handed to the socket per flush while it keeps up. Default 256 KiB. */
  writeBudget?: number;
}

/**
 * One HTTP/2 connection over a Node `Duplex` (a TCP or TLS socket, or an in-memory pair), shaped like
 * node:http2's `Http2Session`. Everything queued in one tick is written with one corked write.
 *
 * Events: `'stream'` (stream, headers) on a server; `'goaway'` (code, lastStreamId); `'ping'`;
 * `'remoteSettings'`; `'error'` (a connection error); `'close'`.
 */
export class MuxSession extends EventEmitter {
  /** @internal the protocol core */
  readonly _core: Connection;
  readonly socket: Duplex;
  readonly #streams = new Map<number, MuxStream>();
  readonly #budget: number;
  readonly #defaults: HeaderObject;
  #flushScheduled = false;
  #pings: { resolve: (rtt: number) => void; sent: bigint }[] = [];
  #closing: (() => void) | undefined;
  #destroyed = false;
  /** A connection error was already reported: destroying later is not another error. */
  #errored = false;

  constructor(socket: Duplex, role: 'client' | 'server', options: SessionOptions = {}) {
    super();
    this.socket = socket;
    this.#budget = options.writeBudget ?? 256 * 1024;
    this.#defaults = { ':method': 'GET', ':scheme': options.scheme ?? 'http', ':path': '/' };
    if (options.authority !== undefined) this.#defaults[':authority'] = options.authority;
    const { authority: _a, scheme: _s, writeBudget: _w, ...core } = options;
    this._core = new Connection({ ...core, role });
    socket.on('data', (chunk: Buffer) => {
      this.#handle(this._core.receive(chunk));
      this._flushSoon();
    });
    socket.on('drain', () => this._flushSoon());
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
    socket.on('end', () => {
      // The peer half-closed without GOAWAY: nothing more will arrive.
      this.destroy();
    });
    this._flushSoon();
  }

  /** Whether the session was destroyed. */
  get destroyed(): boolean {
    return this.#destroyed;
  }

  /**
   * Client: send a request. `headers` as node:http2 takes them (`{ ':method': 'POST', ':path': '/x' }`;
   * `:scheme` and `:authority` default from the connection). Beyond the server's
   * MAX_CONCURRENT_STREAMS the request waits for a free slot.
   */
  request(headers: HeaderObject, options: { endStream?: boolean } = {}): MuxStream {
    const endStream = options.endStream ?? false;
    const h: HeaderObject = { ...this.#defaults, ...headers };
    const id = this._core.request(toFields(h), endStream);
    const stream = new MuxStream(this, id);
    stream._markHeadersSent();
    this.#streams.set(id, stream);
    if (endStream) stream._coreEnded();
    this._flushSoon();
    return stream;
  }

  /** Round-trip time of a PING, in milliseconds. */
  ping(): Promise<number> {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setBigUint64(0, BigInt(this.#pings.length + 1));
    return new Promise((resolve, reject) => {
      if (this.#destroyed) {
        reject(new MuxError('MUX_ERR_INVALID_STATE', 'session destroyed'));
        return;
      }
      this.#pings.push({ resolve, sent: process.hrtime.bigint() });
      this._core.ping(data);
      this._flushSoon();
    });
  }

  /**
   * Graceful close: GOAWAY, let open streams finish, then end the socket. Resolves when closed.
   */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#destroyed) {
        resolve();
        return;
      }
      this.once('close', () => resolve());
      if (this.#closing === undefined) {
        this.#closing = () => {
          if (this.#streams.size === 0) this.#end();
        };
        this._core.goaway(ErrorCode.NoError);
        this._flushSoon();
        this.#closing();
      }
    });
  }

  /** Tear down now: every open stream fails with `err` (or a cancellation). */
  destroy(err?: Error): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const s of [...this.#streams.values()]) {
      s._finish(err ?? new MuxError('MUX_ERR_CANCEL', 'session destroyed'));
    }
    this.#streams.clear();
    for (const p of this.#pings) p.resolve(Number.NaN);
    this.#pings = [];
    if (err !== undefined && !this.#errored && this.listenerCount('error') > 0) this.emit('error', err);
    this.socket.destroy();
    queueMicrotask(() => this.emit('close'));
  }

  /** @internal schedule one flush at the end of this tick */
  _flushSoon(): void {
    if (this.#flushScheduled || this.#destroyed) return;
    this.#flushScheduled = true;
    process.nextTick(() => this.#flush());
  }

  /** @internal a stream finished */
  _forget(id: number): void {
    this.#streams.delete(id);
    this.#closing?.();
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#destroyed) return;
    // While the socket is backed up, control frames still go out but DATA waits for 'drain'.
    const budget = this.socket.writableNeedDrain ? 0 : this.#budget;
    const out = this._core.takeOutbound(budget);
    this.#handle(this._core.takeEvents());
    if (out.length > 0) {
      this.socket.cork();
      for (const part of out) this.socket.write(part);
      this.socket.uncork();
    }
    for (const s of this.#streams.values()) s._drained();
    if (!this._core.alive) this.#end();
  }

  #end(): void {
    if (this.#destroyed) return;
    this.socket.end(() => this.destroy());
  }

  #handle(events: ConnectionEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'HeadersReceived': {
          let stream = this.#streams.get(e.streamId);
          if (stream === undefined && e.kind === 'request') {
            stream = new MuxStream(this, e.streamId);
            this.#streams.set(e.streamId, stream);
            if (e.endStream) stream.push(null);
            this.emit('stream', stream, toObject(e.headers));
            break;
          }
          stream?._headers(e.kind, e.headers, e.endStream);
          break;
        }
        case 'DataReceived':
          this.#streams.get(e.streamId)?._data(e.data, e.endStream);
          break;
        case 'StreamReset': {
          const s = this.#streams.get(e.streamId);
          if (s !== undefined) {
            s.rstCode = e.code;
            s.retryable = e.retryable;
            s._finish(
              e.code === ErrorCode.NoError && e.remote
                ? undefined
                : (e.error ??
                    new MuxError(
                      e.code === ErrorCode.RefusedStream ? 'MUX_ERR_REFUSED_STREAM' : 'MUX_ERR_STREAM_RESET',
                      `stream ${e.streamId} reset: ${errorCodeName(e.code)}`,
                    )),
            );
          }
          break;
        }
        case 'StreamClosed':
          this.#streams.get(e.streamId)?._finish(undefined);
          break;
        case 'WindowUpdated':
        case 'StreamOpened':
        case 'SettingsAcknowledged':
          break;
        case 'SettingsReceived':
          this.emit('remoteSettings', e.settings);
          break;
        case 'PingReceived':
          this.emit('ping', e.data);
          break;
        case 'PingAcknowledged': {
          const p = this.#pings.shift();
          p?.resolve(Number(process.hrtime.bigint() - p.sent) / 1e6);
          break;
        }
        case 'GoawayReceived':
          this.emit('goaway', e.code, e.lastStreamId, e.debug);
          if (this.#closing === undefined) {
            this.#closing = () => {
              if (this.#streams.size === 0) this.#end();
            };
          }
          this.#closing();
          break;
        case 'ConnectionError':
          this.#connectionError(e.error);
          break;
      }
    }
  }

  #connectionError(error: MuxProtocolError): void {
    // Deliver the GOAWAY before closing: destroying a socket with unread input makes the kernel send
    // RST and drop what we queued. So: write it, half-close, and destroy when the peer closes or
    // after a short grace period.
    const out = this._core.takeOutbound(0);
    this.socket.cork();
    for (const part of out) this.socket.write(part);
    this.socket.uncork();
    for (const s of [...this.#streams.values()]) s._finish(error);
    this.#streams.clear();
    this.#errored = true;
    if (this.listenerCount('error') > 0) this.emit('error', error);
    this.socket.end();
    const timer = setTimeout(() => this.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }
}

/** How long a connection that failed may take to receive our GOAWAY before it is destroyed. */
const CLOSE_GRACE_MS = 1000;
