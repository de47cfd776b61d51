/**
 * The WebSocket transport: `@weft/ws` binary messages, one envelope each (docs/rpc-pooled.md), many
 * calls at once over one connection, full duplex, with per-call message windows.
 */

import http from 'node:http';
import https from 'node:https';
import { concatBytes } from '@weft/framing';
import { WebSocket, WebSocketServer } from '@weft/ws/node';
import {
  type CallDispatcher,
  type ClientCallListener,
  type ClientCallStart,
  type ClientTransport,
  type ClientTransportCall,
  failedCall,
  type TransportServer,
  type TransportStats,
} from '../call.js';
import { decodeEnvelope, MAX_METADATA_BYTES } from '../envelope.js';
import { RpcError } from '../errors.js';
import type { Logger } from '../log.js';
import { Status } from '../status.js';
import { EnvelopeClientSession, type EnvelopeLink } from '../transport/envelope-client.js';
import {
  type CloseReason,
  EnvelopeConnections,
  EnvelopeServerSession,
} from '../transport/envelope-server.js';
import { wsMismatchHint } from '../transport/mismatch.js';
import { closeListener, type ListenAt, listenOn } from './listen.js';
import { OUTPUT_HIGH_WATER } from './socket-link.js';
import type { ClientTlsOptions } from './tls-options.js';

/** The path the server accepts WebSocket upgrades on. */
export const WS_PATH = '/weft-rpc';

/** Calls one WebSocket connection carries at once, server side; beyond it RESOURCE_EXHAUSTED. */
export const WS_MAX_CALLS_PER_CONNECTION = 10_000;

/** Options of the WebSocket client transport. */
export interface WsClientOptions {
  /** Connect with `wss:` and these TLS options. */
  tls?: ClientTlsOptions;
  /** Largest message accepted from the server. Default 4 MiB + 64 KiB. */
  maxFrameBytes?: number;
  /** Keepalive ping interval (ms) for dead-peer detection. Default off. */
  heartbeatMs?: number;
  /**
   * How long the WebSocket opening handshake may take; then the connection attempt fails
   * (UNAVAILABLE, safe to retry). Default 10 s.
   */
  handshakeTimeoutMs?: number;
}

/** Default `ws.handshakeTimeoutMs` of a client. */
export const WS_CLIENT_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Envelopes over a WebSocket. A server's link stops reading while its output is backed up (see
 * `socketLink`); a client's never does, or the two could wait for each other forever.
 */
function wsLink(ws: WebSocket, side: 'client' | 'server'): EnvelopeLink {
  let paused = false;
  return {
    send(parts) {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(parts.length === 1 ? parts[0]! : concatBytes(parts));
      // A peer that does not read: stop reading its requests until our output drains, so what
      // it makes us answer stays bounded (TCP flow control holds the rest on its side).
      if (side === 'server' && !paused && ws.bufferedAmount > OUTPUT_HIGH_WATER) {
        paused = true;
        ws.pause();
        ws.once('drain', () => {
          paused = false;
          ws.resume();
        });
      }
    },
    close(error) {
      if (error === undefined) ws.close(1000);
      else ws.close(1002, 'protocol error');
    },
  };
}

function attach(ws: WebSocket, receive: (data: Uint8Array) => void): void {
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      ws.close(1003, 'binary envelopes only');
      return;
    }
    try {
      receive(data);
    } catch {
      ws.close(1002, 'protocol error');
    }
  });
  ws.on('error', () => {});
}

/** Calls to one endpoint over one WebSocket, reopened when it closes. */
export class WsClientTransport implements ClientTransport {
  readonly #url: string;
  readonly #options: WsClientOptions;
  #current: { ws: WebSocket; session: EnvelopeClientSession; queue: Uint8Array[][] | undefined } | undefined;
  #closed = false;

  readonly #logger: Logger | undefined;

  /** `logger`: where Goaways from the server are logged (the client's logger). */
  constructor(endpoint: { host: string; port: number }, options: WsClientOptions, logger?: Logger) {
    this.#logger = logger;
    const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
    this.#url = `${options.tls === undefined ? 'ws' : 'wss'}://${host}:${endpoint.port}${WS_PATH}`;
    this.#options = options;
  }

  #open(): EnvelopeClientSession {
    if (this.#current !== undefined) return this.#current.session;
    const ws = new WebSocket(this.#url, undefined, {
      maxPayload: this.#options.maxFrameBytes ?? 4 * 1024 * 1024 + MAX_METADATA_BYTES,
      perMessageDeflate: false,
      handshakeTimeoutMs: this.#options.handshakeTimeoutMs ?? WS_CLIENT_HANDSHAKE_TIMEOUT_MS,
      ...(this.#options.tls === undefined ? {} : { tls: this.#options.tls }),
      ...(this.#options.heartbeatMs === undefined ? {} : { heartbeatMs: this.#options.heartbeatMs }),
    });
    // Envelopes sent before the handshake completes wait here.
    const current = {
      ws,
      session: undefined as unknown as EnvelopeClientSession,
      queue: [] as Uint8Array[][] | undefined,
    };
    const link = wsLink(ws, 'client');
    current.session = new EnvelopeClientSession({
      send: (parts) => {
        if (current.queue !== undefined) current.queue.push(parts);
        else link.send(parts);
      },
      close: (error) => link.close(error),
    });
    ws.on('open', () => {
      const queued = current.queue ?? [];
      current.queue = undefined;
      for (const parts of queued) link.send(parts);
    });
    attach(ws, (data) => current.session.receive(decodeEnvelope(data)));
    // Goaway: the next calls open a new WebSocket; this one closes once its calls end.
    const closeWhenIdle = () => {
      if (current.session.draining && current.session.openCalls === 0) ws.close(1000, 'drained');
    };
    current.session.onGoaway = () => {
      this.#logger?.info(
        { url: this.#url, transport: 'ws', openCalls: current.session.openCalls },
        'weft: goaway',
      );
      if (this.#current === current) this.#current = undefined;
      closeWhenIdle();
    };
    current.session.onCallEnded = closeWhenIdle;
    let failure: Error | undefined;
    ws.on('error', (err: Error) => (failure ??= err));
    ws.on('close', (code: number, reason: Buffer | string) => {
      if (this.#current === current) this.#current = undefined;
      const text = String(reason);
      const hint = current.queue !== undefined ? wsMismatchHint(failure) : undefined;
      const why =
        failure !== undefined
          ? `: ${failure.message}${hint === undefined ? '' : `; ${hint}`}`
          : code !== 1000 && code !== 1005
            ? ` (close ${code}${text === '' ? '' : ` ${text}`})`
            : '';
      // Envelopes still queued for the handshake never left.
      current.session.fail(
        current.queue !== undefined
          ? new RpcError(Status.UNAVAILABLE, `could not connect to ${this.#url}${why}`, {
              unprocessed: true,
              cause: failure,
            })
          : new RpcError(Status.UNAVAILABLE, `the WebSocket connection closed${why}`, { cause: failure }),
      );
    });
    this.#current = current;
    return current.session;
  }

  connectionStats(): TransportStats {
    // One WebSocket per endpoint (a draining one, after Goaway, is no longer counted).
    return { connections: this.#current === undefined ? 0 : 1, tlsResumed: 0 };
  }

  start(start: ClientCallStart, listener: ClientCallListener): ClientTransportCall {
    if (this.#closed)
      return failedCall(
        listener,
        new RpcError(Status.UNAVAILABLE, 'the client is closed', { noRetry: true }),
      );
    return this.#open().start(start, listener);
  }

  close(): void {
    this.#closed = true;
    const current = this.#current;
    this.#current = undefined;
    if (current !== undefined) {
      current.session.fail(new RpcError(Status.UNAVAILABLE, 'the client is closed', { noRetry: true }));
      current.ws.terminate();
    }
  }
}

/** The close reason a ws server sends when it closes a connection gracefully. */
const CLOSE_TEXT: Record<CloseReason, string> = {
  shutdown: 'server closing',
  age: 'max connection age',
  idle: 'idle',
};

/** Serve `dispatcher` over WebSocket. @internal */
export async function listenWs(dispatcher: CallDispatcher, at: ListenAt): Promise<TransportServer> {
  const httpServer = at.tls === undefined ? http.createServer() : https.createServer(at.tls);
  httpServer.on('request', (_req, res) => {
    res.writeHead(426, { upgrade: 'websocket' }).end();
  });
  const wss = new WebSocketServer({
    server: httpServer,
    path: WS_PATH,
    maxPayload: at.maxFrameBytes,
    handshakeTimeoutMs: at.handshakeTimeoutMs,
  });
  const connections = new EnvelopeConnections(at.maxConnectionAgeMs);
  wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
    const peer = `${req.socket.remoteAddress ?? 'unknown'}:${req.socket.remotePort ?? 0}`;
    const session = new EnvelopeServerSession(wsLink(ws, 'server'), dispatcher, {
      ordered: false,
      maxCalls: WS_MAX_CALLS_PER_CONNECTION,
      peer,
      transport: 'ws',
    });
    attach(ws, (data) => session.receive(decodeEnvelope(data)));
    const closed = connections.add(session, {
      close: (reason) => ws.close(reason === 'shutdown' ? 1001 : 1000, CLOSE_TEXT[reason]),
      kill: () => ws.terminate(),
    });
    ws.on('close', closed);
  });
  const address = await listenOn(httpServer, at.host, at.port);
  return {
    address,
    close: (graceMs) =>
      closeListener(httpServer, graceMs, {
        drain: () => connections.drain(),
        kill: () => {
          connections.kill();
          wss.close();
        },
      }),
  };
}
