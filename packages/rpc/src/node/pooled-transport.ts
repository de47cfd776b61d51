/**
 * The pooled transport: plain TCP (or TLS) connections carrying envelopes (docs/rpc-pooled.md),
 * one call in flight per connection as HTTP/1.1, or up to `pipelining` unary calls answered in
 * order. A pool per endpoint: min/max connections, reuse, idle timeout, a bounded wait queue.
 */

import net from 'node:net';
import tls from 'node:tls';
import type {
  CallDispatcher,
  ClientCallListener,
  ClientCallStart,
  ClientTransport,
  ClientTransportCall,
  TransportServer,
  TransportStats,
} from '../call.js';
import { MAX_METADATA_BYTES } from '../envelope.js';
import { RpcError, RpcUsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { Metadata } from '../metadata.js';
import { Status } from '../status.js';
import { MAX_TIMER_MS } from '../timer.js';
import { EnvelopeClientSession } from '../transport/envelope-client.js';
import { EnvelopeConnections, EnvelopeServerSession } from '../transport/envelope-server.js';
import { type Keepalive, type KeepaliveOptions, startKeepalive } from '../transport/keepalive.js';
import { mismatchHint, sniffFirstBytes } from '../transport/mismatch.js';
import { closeListener, type ListenAt, listenOn } from './listen.js';
import { socketLink } from './socket-link.js';
import type { ClientTlsOptions } from './tls-options.js';

/** Options of the pooled client transport (per endpoint). */
export interface PooledClientOptions {
  /** Connections kept open even when idle. Default 0. */
  minConnections?: number;
  /** Most connections to the endpoint. Default 16. */
  maxConnections?: number;
  /** Unary calls in flight on one connection, answered in order. Default 1 (no pipelining). */
  pipelining?: number;
  /** Close a connection idle this long (above `minConnections`). Default 30 s. */
  idleTimeoutMs?: number;
  /** Calls that may wait for a connection; beyond it RESOURCE_EXHAUSTED. Default 10,000. */
  maxWaiting?: number;
  /** How long a call waits for a connection before UNAVAILABLE. Default 10 s. */
  waitTimeoutMs?: number;
  /** Connect over TLS with these options. */
  tls?: ClientTlsOptions;
  /** Largest frame accepted from the server. Default 4 MiB + 64 KiB. */
  maxFrameBytes?: number;
  /** Ping connections quiet this long; close them when the server stops answering (Ping/Pong envelopes). */
  keepalive?: KeepaliveOptions;
}

/** Per-connection limit of calls the server holds (a pipelining client cannot queue more). */
export const SERVER_MAX_CALLS_PER_CONNECTION = 1024;

interface Resolved {
  min: number;
  max: number;
  pipelining: number;
  idleTimeoutMs: number;
  maxWaiting: number;
  waitTimeoutMs: number;
  maxFrameBytes: number;
}

/** Pooled options with their defaults. @throws {RpcUsageError} `RPC_ERR_INVALID_OPTION` @internal */
export function resolvePooledOptions(options: PooledClientOptions): Resolved {
  const r: Resolved = {
    min: options.minConnections ?? 0,
    max: options.maxConnections ?? 16,
    pipelining: options.pipelining ?? 1,
    idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
    maxWaiting: options.maxWaiting ?? 10_000,
    waitTimeoutMs: options.waitTimeoutMs ?? 10_000,
    maxFrameBytes: options.maxFrameBytes ?? 4 * 1024 * 1024 + MAX_METADATA_BYTES,
  };
  for (const [name, value, low] of [
    ['minConnections', r.min, 0],
    ['maxConnections', r.max, 1],
    ['pipelining', r.pipelining, 1],
    ['idleTimeoutMs', r.idleTimeoutMs, 1],
    ['maxWaiting', r.maxWaiting, 0],
    ['waitTimeoutMs', r.waitTimeoutMs, 1],
    ['maxFrameBytes', r.maxFrameBytes, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < low) {
      throw new RpcUsageError(
        'RPC_ERR_INVALID_OPTION',
        `pooled.${name} must be an integer ≥ ${low}, got ${value}`,
      );
    }
  }
  if (r.min > r.max)
    throw new RpcUsageError('RPC_ERR_INVALID_OPTION', 'minConnections exceeds maxConnections');
  return r;
}

/** One pooled connection. */
class PooledConnection {
  readonly session: EnvelopeClientSession;
  readonly socket: net.Socket;
  /** Calls assigned (in flight or waiting for the connect). */
  inFlight = 0;
  /** A streaming call holds the connection alone. */
  exclusive = false;
  /**
   * No new calls; close once the open ones end: a call was cancelled (its late reply must not be
   * read as another's), or the server sent Goaway.
   */
  retiring = false;
  connected = false;
  idleTimer: NodeJS.Timeout | undefined;

  keepalive: Keepalive | undefined;

  constructor(socket: net.Socket, maxFrameBytes: number) {
    this.socket = socket;
    this.session = new EnvelopeClientSession(
      socketLink(
        socket,
        'client',
        maxFrameBytes,
        (envelope) => this.session.receive(envelope),
        () => this.keepalive?.input(),
      ),
    );
  }
}

interface Waiter {
  start: ClientCallStart;
  deferred: DeferredCall;
  /** Epoch ms after which the call gives up waiting. */
  expires: number;
}

/** A pool of connections to one endpoint. */
export class PooledClientTransport implements ClientTransport {
  readonly #endpoint: { host: string; port: number };
  readonly #options: Resolved;
  readonly #tls: ClientTlsOptions | undefined;
  readonly #conns = new Set<PooledConnection>();
  /** Calls waiting for a connection, oldest first (so their expiries are in order too). */
  readonly #waiting: Waiter[] = [];
  readonly #keepaliveOptions: KeepaliveOptions | undefined;
  /** The newest TLS session ticket of any connection: the next connection resumes with it. */
  #ticket: Buffer | undefined;
  #tlsResumed = 0;
  /** One timer for the whole wait queue, armed for its oldest call. */
  #waitTimer: NodeJS.Timeout | undefined;
  #closed = false;

  readonly #logger: Logger | undefined;

  /** `logger`: where Goaways from the server are logged (the client's logger). */
  constructor(endpoint: { host: string; port: number }, options: PooledClientOptions, logger?: Logger) {
    this.#endpoint = endpoint;
    this.#logger = logger;
    this.#options = resolvePooledOptions(options);
    this.#tls = options.tls;
    this.#keepaliveOptions = options.keepalive;
  }

  connectionStats(): TransportStats {
    return { connections: this.#conns.size, tlsResumed: this.#tlsResumed };
  }

  start(start: ClientCallStart, listener: ClientCallListener): ClientTransportCall {
    const deferred = new DeferredCall(listener, (d) => this.#unwait(d));
    if (this.#closed) {
      deferred.fail(new RpcError(Status.UNAVAILABLE, 'the client is closed', { noRetry: true }));
      return deferred;
    }
    this.#warm();
    const exclusive = start.method.kind !== 'unary';
    const conn = this.#pick(exclusive) ?? this.#grow();
    if (conn !== undefined) {
      this.#assign(conn, start, deferred, exclusive);
      return deferred;
    }
    if (this.#waiting.length >= this.#options.maxWaiting) {
      deferred.fail(
        new RpcError(
          Status.RESOURCE_EXHAUSTED,
          `${this.#options.maxWaiting} calls already wait for a connection`,
        ),
      );
      return deferred;
    }
    this.#waiting.push({ start, deferred, expires: Date.now() + this.#options.waitTimeoutMs });
    if (this.#waitTimer === undefined) this.#armWaitTimer();
    return deferred;
  }

  #armWaitTimer(): void {
    const oldest = this.#waiting[0];
    if (oldest === undefined) return;
    // Clamped to what a Node timer takes: #expireWaiters re-arms for what is still waiting.
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, oldest.expires - Date.now()));
    this.#waitTimer = setTimeout(() => this.#expireWaiters(), delay);
    this.#waitTimer.unref();
  }

  /** Fail the calls that waited too long, then re-arm for the oldest left. */
  #expireWaiters(): void {
    this.#waitTimer = undefined;
    const now = Date.now();
    while (this.#waiting.length > 0 && this.#waiting[0]!.expires <= now) {
      this.#waiting
        .shift()!
        .deferred.fail(
          new RpcError(
            Status.UNAVAILABLE,
            `no connection became free within ${this.#options.waitTimeoutMs} ms`,
            { noRetry: true },
          ),
        );
    }
    this.#armWaitTimer();
  }

  #pick(exclusive: boolean): PooledConnection | undefined {
    for (const c of this.#conns) {
      if (c.retiring || c.exclusive || c.session.failed) continue;
      if (exclusive ? c.inFlight === 0 : c.inFlight < this.#options.pipelining) return c;
    }
    return undefined;
  }

  #grow(): PooledConnection | undefined {
    // Retiring connections (closing once their calls end) do not hold a slot.
    let live = 0;
    for (const c of this.#conns) if (!c.retiring) live++;
    if (live >= this.#options.max) return undefined;
    return this.#connect();
  }

  #warm(): void {
    while (this.#conns.size < this.#options.min) this.#connect();
  }

  #connect(): PooledConnection {
    const { host, port } = this.#endpoint;
    let socket: net.Socket;
    if (this.#tls === undefined) socket = net.connect({ host, port, noDelay: true });
    else {
      // TLS session resumption across the pool: each connection offers the newest ticket any of
      // them received, so only the first pays for a full handshake.
      const resume = this.#ticket === undefined ? {} : { session: this.#ticket };
      const secure = tls.connect({
        host,
        port,
        ...(net.isIP(host) === 0 ? { servername: host } : {}),
        ...resume,
        ...this.#tls,
      });
      secure.on('session', (ticket: Buffer) => {
        this.#ticket = ticket;
      });
      secure.once('secureConnect', () => {
        if (secure.isSessionReused()) this.#tlsResumed++;
      });
      socket = secure;
    }
    socket.setNoDelay(true);
    const conn = new PooledConnection(socket, this.#options.maxFrameBytes);
    this.#conns.add(conn);
    socket.once(this.#tls === undefined ? 'connect' : 'secureConnect', () => {
      conn.connected = true;
    });
    if (this.#keepaliveOptions !== undefined) {
      conn.keepalive = startKeepalive(
        this.#keepaliveOptions,
        () => conn.session.ping(),
        () => socket.destroy(),
      );
    }
    let failure: Error | undefined;
    socket.on('error', (err) => (failure ??= err));
    const first = sniffFirstBytes(socket);
    socket.on('close', () => {
      conn.keepalive?.stop();
      this.#conns.delete(conn);
      clearTimeout(conn.idleTimer);
      const hint = mismatchHint('pooled', first());
      const why =
        (failure === undefined ? '' : `: ${failure.message}`) + (hint === undefined ? '' : `; ${hint}`);
      conn.session.fail(
        conn.connected
          ? new RpcError(Status.UNAVAILABLE, `the connection closed${why}`, { cause: failure })
          : new RpcError(Status.UNAVAILABLE, `could not connect to ${host}:${port}${why}`, {
              unprocessed: true,
              cause: failure,
            }),
      );
      this.#serveWaiters();
    });
    conn.session.onCancel = () => {
      conn.retiring = true;
    };
    conn.session.onGoaway = () => {
      this.#logger?.info(
        {
          endpoint: `${this.#endpoint.host}:${this.#endpoint.port}`,
          transport: 'pooled',
          inFlight: conn.inFlight,
        },
        'weft: goaway',
      );
      conn.retiring = true;
      if (conn.inFlight === 0) conn.socket.end();
      // Calls waiting for a connection may now open a new one in its place.
      this.#serveWaiters();
    };
    conn.session.onCallEnded = () => this.#release(conn);
    return conn;
  }

  #assign(conn: PooledConnection, start: ClientCallStart, deferred: DeferredCall, exclusive: boolean): void {
    conn.inFlight++;
    conn.exclusive = exclusive;
    clearTimeout(conn.idleTimer);
    conn.idleTimer = undefined;
    deferred.attach(conn.session.start(start, deferred.listener));
  }

  #release(conn: PooledConnection): void {
    conn.inFlight--;
    if (conn.inFlight === 0) conn.exclusive = false;
    if (conn.retiring) {
      // A cancelled call's reply may still come: the connection is not reused.
      if (conn.inFlight === 0) conn.socket.destroy();
      return;
    }
    this.#serveWaiters();
    if (conn.inFlight === 0 && this.#conns.has(conn) && this.#conns.size > this.#options.min) {
      conn.idleTimer = setTimeout(() => {
        conn.idleTimer = undefined;
        // Re-checked now: other connections may have closed meanwhile, leaving this one among the min.
        if (conn.inFlight === 0 && this.#conns.size > this.#options.min) {
          this.#conns.delete(conn);
          conn.socket.end();
        }
      }, this.#options.idleTimeoutMs);
      conn.idleTimer.unref();
    }
  }

  #serveWaiters(): void {
    while (this.#waiting.length > 0 && !this.#closed) {
      const waiter = this.#waiting[0]!;
      const exclusive = waiter.start.method.kind !== 'unary';
      const conn = this.#pick(exclusive) ?? this.#grow();
      if (conn === undefined) return;
      this.#waiting.shift();
      this.#assign(conn, waiter.start, waiter.deferred, exclusive);
    }
  }

  #unwait(deferred: DeferredCall): void {
    const at = this.#waiting.findIndex((w) => w.deferred === deferred);
    if (at >= 0) this.#waiting.splice(at, 1);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#waitTimer);
    this.#waitTimer = undefined;
    for (const w of this.#waiting.splice(0)) {
      w.deferred.fail(new RpcError(Status.UNAVAILABLE, 'the client is closed', { noRetry: true }));
    }
    for (const c of this.#conns) c.socket.destroy();
  }
}

/** A call waiting for its connection: buffers what the caller does until it is attached. */
class DeferredCall implements ClientTransportCall {
  readonly listener: ClientCallListener;
  readonly #unwait: (d: DeferredCall) => void;
  #real: ClientTransportCall | undefined;
  #queued: ((real: ClientTransportCall) => void)[] = [];
  #cancelled = false;

  constructor(listener: ClientCallListener, unwait: (d: DeferredCall) => void) {
    this.listener = listener;
    this.#unwait = unwait;
  }

  attach(real: ClientTransportCall): void {
    this.#real = real;
    for (const op of this.#queued) op(real);
    this.#queued = [];
  }

  fail(error: RpcError): void {
    queueMicrotask(() => this.listener.onStatus(error, new Metadata()));
  }

  write(bytes: Uint8Array, compressed: boolean, end: boolean): Promise<void> | undefined {
    if (this.#real !== undefined) return this.#real.write(bytes, compressed, end);
    return new Promise((resolve) => {
      this.#queued.push((real) => resolve(real.write(bytes, compressed, end)));
    });
  }

  end(): void {
    if (this.#real !== undefined) this.#real.end();
    else this.#queued.push((real) => real.end());
  }

  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    if (this.#real !== undefined) this.#real.cancel();
    else this.#unwait(this);
  }

  pause(): void {
    if (this.#real !== undefined) this.#real.pause();
    else this.#queued.push((real) => real.pause());
  }

  resume(): void {
    if (this.#real !== undefined) this.#real.resume();
    else this.#queued.push((real) => real.resume());
  }
}

/** Serve `dispatcher` over pooled connections. @internal */
export async function listenPooled(dispatcher: CallDispatcher, at: ListenAt): Promise<TransportServer> {
  const connections = new EnvelopeConnections(at.maxConnectionAgeMs);
  const onSocket = (socket: net.Socket) => {
    socket.setNoDelay(true);
    const peer = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
    let session: EnvelopeServerSession | undefined;
    const link = socketLink(socket, 'server', at.maxFrameBytes, (envelope) => session!.receive(envelope));
    session = new EnvelopeServerSession(link, dispatcher, {
      ordered: true,
      maxCalls: SERVER_MAX_CALLS_PER_CONNECTION,
      peer,
      transport: 'pooled',
    });
    const closed = connections.add(session, { close: () => link.close(), kill: () => socket.destroy() });
    socket.on('error', () => {});
    socket.on('close', closed);
  };
  const server = at.tls === undefined ? net.createServer(onSocket) : tls.createServer(at.tls, onSocket);
  const address = await listenOn(server, at.host, at.port);
  return {
    address,
    close: (graceMs) => closeListener(server, graceMs, connections),
  };
}
