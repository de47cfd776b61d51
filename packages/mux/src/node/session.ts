import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Listen } from '@weft/framing';
import { concatBytes, IdMap } from '@weft/framing';
import { TickFlusher } from '@weft/framing/node';
import { Connection, type ConnectionOptions } from '../connection.js';
import { MuxError, type MuxProtocolError } from '../errors.js';
import type { ConnectionEvent } from '../events.js';
import { ErrorCode, errorCodeName } from '../frame/types.js';
import type { HeaderField } from '../hpack/encoder.js';
import type { Settings } from '../settings.js';
import { CallbackStream, type StreamCallbacks } from './callback-stream.js';
import {
  fieldsOf,
  type HeaderList,
  type HeaderObject,
  hasField,
  type OutgoingHeaders,
  toFields,
  toObject,
} from './headers.js';
import { MuxStream } from './stream.js';

/** Options of a session (client or server side). */
export interface SessionOptions extends Omit<ConnectionOptions, 'role'> {
  /** Client: default `:authority` of requests (`connect` sets it from its target), and `:scheme`. */
  authority?: string;
  scheme?: 'http' | 'https';
  /**
   * Bytes of DATA handed to the socket per flush while it keeps up (views of the application's
   * buffers, not copies). Default 16 MiB: 1 MiB cost one stream a third of its throughput.
   */
  writeBudget?: number;
  /**
   * Bytes a stream may have queued (the application's buffers, held by reference) before its
   * `write()` reports backpressure. Default 4 MiB, which keeps one stream's bulk transfer at full
   * speed (docs/perf/2026-12-03-write-thresholds.md); lower it when many streams write bulk at once.
   */
  streamHighWaterMark?: number;
  /** How long the peer may take to acknowledge our SETTINGS (then SETTINGS_TIMEOUT). Default 10 s. */
  settingsTimeoutMs?: number;
  /**
   * Keepalive: after `intervalMs` without input, send a PING; no answer within `timeoutMs` (default
   * 20 s) means a dead peer, and the session is destroyed with `MUX_ERR_TIMEOUT`. Off by default.
   */
  keepAlive?: { intervalMs: number; timeoutMs?: number };
  /** Close gracefully after this long with no open stream. Off (0) by default. */
  idleTimeoutMs?: number;
  /**
   * A stream with data queued but no send window for this long is reset (CANCEL) and fails with
   * `MUX_ERR_TIMEOUT`; a socket the peer reads nothing from (its buffer full) for this long ends the
   * session with `MUX_ERR_TIMEOUT` — a peer that never reads, whatever windows it grants, cannot hold
   * our buffers forever. Default 60 s; 0 = off.
   */
  sendStallTimeoutMs?: number;
  /** Phase one of a graceful server close waits at most this long for the PING round trip. Default 1 s. */
  shutdownRttMs?: number;
  /**
   * Take the streams the peer opens (requests, on a server) as {@link CallbackStream}s: called with
   * each new stream and its header fields as received (no object is built: `toObject(headers)` gives
   * node:http2's), it returns the stream's callbacks. No `'stream'` event then.
   */
  onRequest?: (stream: CallbackStream, headers: HeaderList) => StreamCallbacks;
}

/** Options of `session.request()`. */
export interface RequestOptions {
  /** Send the headers with END_STREAM: a request without a body. */
  endStream?: boolean;
}

/** A stream of either kind, as the session drives it. */
type SessionStream = MuxStream | CallbackStream;

/** PING payload kinds, in the first byte: answers are matched by payload, not order. */
const PING_USER = 1;
const PING_KEEPALIVE = 2;
const PING_SHUTDOWN = 3;

/** Events from one read past which the session yields to other connections before reading on. */
const YIELD_AFTER_EVENTS = 1024;
/** How much of a read a connection of tiny frames is fed at a time (see `#input`). */
const SLICE_BYTES = 4096;

/** The events of a {@link MuxSession} and their arguments. */
export interface MuxSessionEvents {
  /** The peer opened a stream (a server's requests; a client's with symmetric streams). */
  stream: [stream: MuxStream, headers: HeaderObject];
  /** The peer promised a push on `parent` (only accepted while someone listens). */
  push: [stream: MuxStream, headers: HeaderObject, parent: MuxStream | CallbackStream | undefined];
  /** The peer's SETTINGS arrived. */
  remoteSettings: [settings: Settings];
  /** The peer pinged (the ACK is sent already). */
  ping: [data: Uint8Array];
  /** The peer sent GOAWAY: nothing above `lastStreamId` was or will be processed. */
  goaway: [code: number, lastStreamId: number, debug: Uint8Array];
  /** TLS handed out a session ticket (clients over TLS). */
  tlsSession: [ticket: Buffer];
  /** The session failed; `'close'` follows. */
  error: [err: Error];
  /** The session is closed: every stream ended. */
  close: [];
}

// Typed listeners, merged into the class below.
export interface MuxSession {
  on: Listen<MuxSessionEvents, this>;
  once: Listen<MuxSessionEvents, this>;
  off: Listen<MuxSessionEvents, this>;
}

/**
 * One HTTP/2 connection over a Node `Duplex` (a TCP or TLS socket, or an in-memory pair), shaped like
 * node:http2's `Http2Session`. Everything queued in one tick is written with one corked write.
 *
 * Events: `'stream'` (stream, headers) on a server; `'goaway'` (code, lastStreamId); `'ping'`;
 * `'remoteSettings'`; `'error'` (a connection error); `'close'`.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds typed listeners only
export class MuxSession extends EventEmitter {
  /** @internal the protocol core */
  readonly _core: Connection;
  readonly socket: Duplex;
  readonly #streams = new IdMap<SessionStream>();
  /** Streams waiting for their queue to drain: their `_drained()` runs after the next flush. */
  #awaitingDrain: SessionStream[] = [];
  readonly #budget: number;
  /** @internal per-stream queued bytes before write() reports backpressure */
  readonly _streamHighWaterMark: number;
  readonly #defaults: HeaderObject;
  readonly #defaultFields: HeaderField[];
  /**
   * Writes once per tick; a busy tick writes its first operations early — after as many as there
   * are open streams, between EAGER_MIN_OPS and EAGER_WRITE_OPS, so a small batch is split as well as
   * a large one — and the rest at the end of the tick.
   */
  readonly #flusher = new TickFlusher(() => this.#flush(), {
    after: () => Math.min(EAGER_WRITE_OPS, Math.max(EAGER_MIN_OPS, this.#streams.size)),
    write: () => {
      if (!this.#ending) this.#writeQueued();
    },
  });
  /** Runs while SETTINGS we sent wait for their ACK (see {@link #watchSettings}). */
  #settingsTimer: NodeJS.Timeout | undefined;
  readonly #pings = new Map<string, { resolve: (rtt: number) => void; sent: bigint }>();
  #pingCounter = 0;
  #closing: (() => void) | undefined;
  /** A graceful close sent its final GOAWAY (the real last stream id): new streams can no longer come. */
  #finalGoaway = false;
  readonly #timers: NodeJS.Timeout[] = [];
  #lastInput = Date.now();
  /** When the last stream ended (or the session began): the idle timeout counts from here. */
  #idleSince = Date.now();
  #keepAliveTimer: NodeJS.Timeout | undefined;
  readonly #options: SessionOptions;
  /** Server: `:scheme`/`:authority` of open request streams, the defaults of their pushes. */
  readonly #requestHeaders = new IdMap<HeaderObject>();
  readonly #role: 'client' | 'server';
  #destroyed = false;
  /** A connection error was already reported: destroying later is not another error. */
  #errored = false;
  /** The socket is being half-closed: nothing more is written. */
  #ending = false;
  /**
   * The last reads were full of tiny frames (or none came yet: a peer's first read is not trusted
   * either): feed the core a slice at a time.
   */
  #sliced = true;

  constructor(socket: Duplex, role: 'client' | 'server', options: SessionOptions = {}) {
    super();
    this.socket = socket;
    this.#options = options;
    this.#role = role;
    this.#budget = options.writeBudget ?? 16 * 1024 * 1024;
    this._streamHighWaterMark = options.streamHighWaterMark ?? 4 * 1024 * 1024;
    this.#defaults = { ':method': 'GET', ':scheme': options.scheme ?? 'http', ':path': '/' };
    if (options.authority !== undefined) this.#defaults[':authority'] = options.authority;
    this.#defaultFields = toFields(this.#defaults);
    const {
      authority: _a,
      scheme: _s,
      writeBudget: _w,
      streamHighWaterMark: _h,
      settingsTimeoutMs: _st,
      keepAlive: _k,
      idleTimeoutMs: _i,
      shutdownRttMs: _r,
      sendStallTimeoutMs: _ss,
      onRequest: _or,
      ...core
    } = options;
    this._core = new Connection({ ...core, role });
    socket.on('data', (chunk: Buffer) => {
      this.#lastInput = Date.now();
      this.#input(chunk);
    });
    socket.on('drain', () => this._flushSoon());
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
    socket.on('end', () => {
      // The peer half-closed without GOAWAY: nothing more will arrive.
      this.destroy();
    });
    this._flushSoon();
    this.#startTimers();
  }

  /**
   * Feed a read to the core. A read that held many small frames cost much CPU: the event loop then
   * serves the other connections before this one's next read (libuv would otherwise read it again
   * at once, up to 32 times). And once a connection's reads are full of tiny frames, they are fed
   * `SLICE_BYTES` at a time and the rest of a read waits for the next turn past
   * `YIELD_AFTER_EVENTS` events — a 64 KiB read of 10-byte frames is 6,500 of them, milliseconds of
   * work — so that a peer of tiny frames cannot hold the process alone, nor for long at a time.
   * Returns false when the rest of `chunk` was deferred (the socket stays paused until it is fed).
   */
  #input(chunk: Uint8Array): boolean {
    const socket = this.socket;
    let at = 0;
    let count = 0;
    while (at < chunk.length) {
      const end = this.#sliced ? Math.min(chunk.length, at + SLICE_BYTES) : chunk.length;
      const events = this._core.receive(at === 0 && end === chunk.length ? chunk : chunk.subarray(at, end));
      at = end;
      count += events.length;
      this.#handle(events);
      if (this.#destroyed || socket.destroyed) return true;
      if (count > YIELD_AFTER_EVENTS) {
        this.#sliced = true;
        if (this._core.wantsFlush) this._flushSoon();
        socket.pause();
        const rest = chunk.subarray(at);
        setImmediate(() => {
          if (this.#destroyed || socket.destroyed) return;
          if (rest.length === 0 || this.#input(rest)) socket.resume();
        });
        return false;
      }
    }
    // Reads of few frames again: whole reads again.
    if (count < YIELD_AFTER_EVENTS / 4) this.#sliced = false;
    if (this._core.wantsFlush) this._flushSoon();
    return true;
  }

  #startTimers(): void {
    const o = this.#options;
    if (o.keepAlive !== undefined) {
      const { intervalMs, timeoutMs = 20_000 } = o.keepAlive;
      this.#timer(
        setInterval(() => {
          if (this.#keepAliveTimer !== undefined || Date.now() - this.#lastInput < intervalMs) return;
          this.#sendPing(PING_KEEPALIVE, () => {
            clearTimeout(this.#keepAliveTimer);
            this.#keepAliveTimer = undefined;
          });
          this.#keepAliveTimer = setTimeout(
            () =>
              this.destroy(
                new MuxError('MUX_ERR_TIMEOUT', `keepalive PING not answered within ${timeoutMs} ms`),
              ),
            timeoutMs,
          );
          this.#keepAliveTimer.unref();
        }, intervalMs),
      );
    }
    const stall = o.sendStallTimeoutMs ?? 60_000;
    if (stall > 0) {
      const since = new Map<number, number>();
      // The socket full since (no 'drain' since it filled), or undefined.
      let blockedSince: number | undefined;
      this.socket.on('drain', () => {
        blockedSince = undefined;
      });
      this.#timer(
        setInterval(
          () => {
            const now = Date.now();
            if ((this.socket as { writableNeedDrain?: boolean }).writableNeedDrain === true) {
              blockedSince ??= now;
              if (now - blockedSince >= stall) {
                this.destroy(
                  new MuxError('MUX_ERR_TIMEOUT', `the peer read nothing we sent for ${stall} ms`),
                );
                return;
              }
            } else blockedSince = undefined;
            for (const stream of this.#streams.values()) {
              const id = stream.id;
              if (this._core.pendingBytes(id) > 0 && this._core.sendWindow(id) === 0) {
                const t = since.get(id) ?? now;
                since.set(id, t);
                if (now - t >= stall) {
                  since.delete(id);
                  this.#stalled(stream, stall);
                }
              } else since.delete(id);
            }
            for (const id of since.keys()) if (!this.#streams.has(id)) since.delete(id);
          },
          Math.max(10, Math.min(stall / 4, 1000)),
        ),
      );
    }
    if (o.idleTimeoutMs !== undefined && o.idleTimeoutMs > 0) {
      const idle = o.idleTimeoutMs;
      this.#timer(
        setInterval(
          () => {
            if (this.#streams.size === 0 && Date.now() - this.#idleSince >= idle) void this.close();
          },
          Math.max(10, Math.min(idle, 1000)),
        ),
      );
    }
  }

  /** The peer left a stream's queued data without a window for `ms`: reset it, and fail it with a timeout. */
  #stalled(stream: SessionStream, ms: number): void {
    this._core.resetStream(stream.id, ErrorCode.Cancel);
    stream.rstCode = ErrorCode.Cancel;
    this._flushSoon();
    stream._finish(new MuxError('MUX_ERR_TIMEOUT', `the peer opened no window for ${ms} ms; stream reset`));
  }

  #timer(t: NodeJS.Timeout): void {
    t.unref();
    this.#timers.push(t);
  }

  #sendPing(kind: number, onAck: (rtt: number) => void): void {
    const data = new Uint8Array(8);
    data[0] = kind;
    new DataView(data.buffer).setUint32(4, ++this.#pingCounter);
    this.#pings.set(Buffer.from(data).toString('hex'), { resolve: onAck, sent: process.hrtime.bigint() });
    this._core.ping(data);
    this._flushSoon();
  }

  /** The peer's settings as last received (RFC 9113's defaults until its SETTINGS arrive), like node:http2's. */
  get remoteSettings(): Readonly<Settings> {
    return this._core.remoteSettings;
  }

  /** Whether the session was destroyed. */
  get destroyed(): boolean {
    return this.#destroyed;
  }

  /**
   * Client: send a request. `headers` as node:http2 takes them (`{ ':method': 'POST', ':path': '/x' }`),
   * or a `HeaderList`; `:scheme` and `:authority` default from the connection. Beyond the server's
   * MAX_CONCURRENT_STREAMS the request waits for a free slot. Returns a `MuxStream` (a Duplex), or
   * with `callbacks` a {@link CallbackStream} that reports to them.
   */
  request(headers: OutgoingHeaders, options: RequestOptions & { callbacks: StreamCallbacks }): CallbackStream;
  request(headers: OutgoingHeaders, options?: RequestOptions): MuxStream;
  request(
    headers: OutgoingHeaders,
    options: RequestOptions & { callbacks?: StreamCallbacks } = {},
  ): MuxStream | CallbackStream {
    const endStream = options.endStream ?? false;
    // The defaults (pseudo-headers) the request does not set go first; no merged object is built.
    const fields = fieldsOf(headers);
    let defaults: HeaderField[] | undefined;
    for (const field of this.#defaultFields) {
      if (hasField(headers, field[0])) continue;
      defaults ??= [];
      defaults.push(field);
    }
    const id = this._core.request(defaults === undefined ? fields : defaults.concat(fields), endStream);
    let stream: SessionStream;
    if (options.callbacks === undefined) {
      stream = new MuxStream(this, id);
      stream._markHeadersSent();
    } else {
      stream = new CallbackStream(this, id);
      stream._setCallbacks(options.callbacks);
    }
    this.#streams.set(id, stream);
    if (endStream) stream._coreEnded();
    this._flushSoon();
    return stream;
  }

  /**
   * Server: open a stream to the client, as a client opens requests — only when both peers enabled
   * the symmetric-streams extension (`settings: { symmetricStreams: true }`; docs/mux-extension.md).
   * The client sees it as a `'stream'` event and answers with `respond()`.
   * @throws {MuxUsageError} `MUX_ERR_INVALID_STATE` when the extension is not in force.
   */
  openStream(headers: OutgoingHeaders, options: RequestOptions = {}): MuxStream {
    return this.request(headers, options);
  }

  /** Whether the symmetric-streams extension is in force on this connection. */
  get symmetric(): boolean {
    return this._core.symmetric;
  }

  /** Round-trip time of a PING, in milliseconds (NaN if the session ends first). */
  ping(): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.#destroyed) {
        reject(new MuxError('MUX_ERR_INVALID_STATE', 'session destroyed'));
        return;
      }
      this.#sendPing(PING_USER, resolve);
    });
  }

  /**
   * Graceful close: no new streams, open ones finish, then the socket ends. A server does it in two
   * phases (RFC 9113 §6.8): GOAWAY with 2^31 - 1 and a PING, then — one round trip later, when
   * requests already in flight have arrived — GOAWAY with the last stream id it will process. A
   * client sends GOAWAY at once. Resolves when the session is closed.
   */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#destroyed) {
        resolve();
        return;
      }
      this.once('close', () => resolve());
      if (this.#closing !== undefined) return;
      this.#closing = () => {
        if (this.#finalGoaway && this.#streams.size === 0) this.#end();
      };
      if (this.#role === 'client') {
        this._core.goaway(ErrorCode.NoError, 0);
        this.#finalGoaway = true;
      } else {
        this._core.goaway(ErrorCode.NoError, 0x7fff_ffff);
        const final = () => {
          if (this.#finalGoaway || this.#destroyed) return;
          this._core.goaway(ErrorCode.NoError, this._core.lastRemoteStreamId);
          this.#finalGoaway = true;
          this._flushSoon();
          this.#closing?.();
        };
        this.#sendPing(PING_SHUTDOWN, final);
        this.#timer(setTimeout(final, this.#options.shutdownRttMs ?? 1000));
      }
      this._flushSoon();
      this.#closing();
    });
  }

  /** Tear down now: every open stream fails with `err` (or a cancellation). */
  destroy(err?: Error): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const s of this.#streams.values()) {
      s._finish(err ?? new MuxError('MUX_ERR_CANCEL', 'session destroyed'));
    }
    this.#streams.clear();
    for (const p of this.#pings.values()) p.resolve(Number.NaN);
    this.#pings.clear();
    for (const t of this.#timers) clearTimeout(t);
    clearTimeout(this.#settingsTimer);
    clearTimeout(this.#keepAliveTimer);
    if (err !== undefined && !this.#errored && this.listenerCount('error') > 0) this.emit('error', err);
    this.socket.destroy();
    queueMicrotask(() => this.emit('close'));
  }

  /** @internal schedule one flush at the end of this tick */
  _flushSoon(): void {
    if (!this.#destroyed) this.#flusher.queued();
  }

  /**
   * SETTINGS_TIMEOUT: each SETTINGS we send (the first, and auto-tuning's window updates later) must
   * be acknowledged within `settingsTimeoutMs` of when it was sent. A timer runs only while one
   * waits, armed for the oldest; every SETTINGS goes out through a flush, which arms it.
   */
  #watchSettings(): void {
    if (this.#settingsTimer !== undefined || !this._core.settingsPending) return;
    const timeout = this.#options.settingsTimeoutMs ?? 10_000;
    this.#settingsTimer = setTimeout(
      () => {
        this.#settingsTimer = undefined;
        if (this.#destroyed) return;
        if (this._core.settingsWaitMs >= timeout) {
          this._core.fail(ErrorCode.SettingsTimeout, `no SETTINGS ACK within ${timeout} ms`);
          this._flushSoon();
        } else this.#watchSettings();
      },
      Math.max(1, timeout - this._core.settingsWaitMs),
    );
    this.#settingsTimer.unref();
  }

  /** @internal register a stream the core created (a pushed stream) */
  _adopt(id: number): MuxStream {
    const stream = new MuxStream(this, id);
    this.#streams.set(id, stream);
    return stream;
  }

  /** @internal `:scheme` and `:authority` of a request stream, as defaults for its pushes */
  _requestDefaults(id: number): HeaderObject {
    return this.#requestHeaders.get(id) ?? {};
  }

  /** @internal a stream finished */
  _forget(id: number): void {
    this.#streams.delete(id);
    this.#requestHeaders.delete(id);
    // Only the end of the last stream starts an idle period: one clock read per idle period, not per stream.
    if (this.#streams.size === 0) this.#idleSince = Date.now();
    this.#closing?.();
  }

  #flush(): void {
    if (this.#destroyed || this.#ending) return;
    this.#writeQueued();
    this.#watchSettings();
    // Events caused by commands (streams our last frame closed) may end the session: after the write.
    this.#handle(this._core.takeEvents());
    const waiting = this.#awaitingDrain;
    if (waiting.length > 0) {
      this.#awaitingDrain = [];
      for (const s of waiting) {
        s._drainListed = false;
        s._drained();
      }
    }
    if (!this._core.alive) this.#end();
  }

  /**
   * @internal `stream` waits for its queue to drain (a writer past the high-water mark, or an end not
   * sent yet): its `_drained()` runs after the next flush, which lists it again while it still waits.
   */
  _awaitDrain(stream: SessionStream): void {
    if (stream._drainListed) return;
    stream._drainListed = true;
    this.#awaitingDrain.push(stream);
  }

  /** Write what the core queued. While the socket is backed up, control frames still go out but DATA waits for 'drain'. */
  #writeQueued(): void {
    this.#write(this._core.takeOutbound(this.socket.writableNeedDrain ? 0 : this.#budget));
  }

  /**
   * One corked write of a flush. Runs of small parts (frame headers, header blocks, small DATA) are
   * copied into one buffer: each part handed to a Node stream costs an entry, an iovec and garbage,
   * which dominated many small calls. Parts of `BY_REFERENCE` bytes or more (bulk DATA) go as they
   * are, uncopied.
   */
  #write(out: Uint8Array[]): void {
    if (out.length === 0) return;
    if (out.length === 1) {
      this.socket.write(out[0]!);
      return;
    }
    this.socket.cork();
    let from = 0;
    let bytes = 0;
    const run = (to: number) => {
      if (to - from === 1) this.socket.write(out[from]!);
      else if (to > from) this.socket.write(concatBytes(out.slice(from, to), bytes));
      bytes = 0;
    };
    for (let i = 0; i < out.length; i++) {
      const part = out[i]!;
      if (part.length >= BY_REFERENCE) {
        run(i);
        this.socket.write(part);
        from = i + 1;
      } else {
        bytes += part.length;
        if (bytes >= COALESCE_LIMIT) {
          run(i + 1);
          from = i + 1;
        }
      }
    }
    run(out.length);
    this.socket.uncork();
  }

  /**
   * Write everything still queued, then half-close. The socket is destroyed when the peer closes its
   * side (after reading ours), or after a grace period: destroying as soon as our writes finish would
   * make the kernel answer any unread input with RST and discard what we queued.
   */
  #end(): void {
    if (this.#destroyed || this.#ending) return;
    this.#ending = true;
    this.#write(this._core.takeOutbound());
    this.socket.end();
    this.#linger();
  }

  /** Destroy after the grace period unless the peer closes first. */
  #linger(): void {
    const timer = setTimeout(() => this.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  #handle(events: ConnectionEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'HeadersReceived': {
          const stream = this.#streams.get(e.streamId);
          if (stream === undefined && e.kind === 'request') this.#opened(e.streamId, e.headers, e.endStream);
          else stream?._headers(e.kind, e.headers, e.endStream);
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
        case 'PushPromiseReceived': {
          // Pushes are accepted only when someone listens for them; otherwise refused at once.
          if (this.listenerCount('push') === 0) {
            this._core.resetStream(e.promisedId, ErrorCode.Cancel);
            break;
          }
          const pushed = this._adopt(e.promisedId);
          pushed._coreEnded(); // a pushed stream carries nothing from us
          this.emit('push', pushed, toObject(e.headers), this.#streams.get(e.parentId));
          break;
        }
        case 'PingReceived':
          this.emit('ping', e.data);
          break;
        case 'PingAcknowledged': {
          const key = Buffer.from(e.data).toString('hex');
          const p = this.#pings.get(key);
          if (p !== undefined) {
            this.#pings.delete(key);
            p.resolve(Number(process.hrtime.bigint() - p.sent) / 1e6);
          }
          break;
        }
        case 'GoawayReceived':
          this.emit('goaway', e.code, e.lastStreamId, e.debug);
          // The peer is leaving: finish what is open, then close (our own GOAWAY is not needed).
          this.#finalGoaway = true;
          this.#closing ??= () => {
            if (this.#streams.size === 0) this.#end();
          };
          this.#closing();
          break;
        case 'ConnectionError':
          this.#connectionError(e.error);
          break;
      }
    }
  }

  /** The peer opened a stream: a CallbackStream for `onRequest`, else a MuxStream for `'stream'`. */
  #opened(id: number, fields: HeaderField[], endStream: boolean): void {
    const onRequest = this.#options.onRequest;
    if (onRequest !== undefined) {
      const stream = new CallbackStream(this, id);
      this.#streams.set(id, stream);
      stream._setCallbacks(onRequest(stream, fields));
      if (endStream) stream._peerEnded();
      return;
    }
    const headers = toObject(fields);
    const stream = new MuxStream(this, id);
    this.#streams.set(id, stream);
    if (endStream) stream.push(null);
    // Defaults for pushes answering this request: only a client that allows push gets any.
    if (this._core.remoteSettings.enablePush && !this._core.symmetric) {
      this.#requestHeaders.set(id, { ':scheme': headers[':scheme'], ':authority': headers[':authority'] });
    }
    this.emit('stream', stream, headers);
  }

  #connectionError(error: MuxProtocolError): void {
    // Deliver the GOAWAY before closing: destroying a socket with unread input makes the kernel send
    // RST and drop what we queued. So: write it, half-close, and destroy when the peer closes or
    // after a short grace period.
    this.#write(this._core.takeOutbound(0));
    this.#ending = true;
    for (const s of this.#streams.values()) s._finish(error);
    this.#streams.clear();
    this.#errored = true;
    if (this.listenerCount('error') > 0) this.emit('error', error);
    this.socket.end();
    this.#linger();
  }
}

/**
 * Operations (requests, writes, responses, credit) one tick may queue before what they queued is
 * written at once rather than at the end of the tick. With many calls on one connection, writing
 * everything at the end of the tick makes the two processes take turns — each idles while the other
 * works through a whole batch; an early part lets the peer start on it while this side goes on.
 * Figures: docs/perf/2026-12-03-write-thresholds.md.
 */
const EAGER_WRITE_OPS = 32;
/**
 * The fewest operations before such an early write; between it and EAGER_WRITE_OPS the threshold is
 * one operation per open stream, so small batches split too while large ones do not cost a syscall
 * every few operations (docs/perf/2026-12-03-write-thresholds.md).
 */
const EAGER_MIN_OPS = 8;
/** Parts of a flush this large are written by reference; smaller ones are coalesced. */
const BY_REFERENCE = 4096;
/** A coalesced run is written once it reaches this size. */
const COALESCE_LIMIT = 64 * 1024;

/** How long a connection that failed may take to receive our GOAWAY before it is destroyed. */
const CLOSE_GRACE_MS = 1000;
