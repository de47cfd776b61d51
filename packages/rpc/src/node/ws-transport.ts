/**
 * The WebSocket transport in Node: `@weft/ws` binary messages, one envelope each
 * (docs/rpc-pooled.md), many calls at once over one connection, full duplex, with per-call message
 * windows. The client side is the shared `transport/ws-client.ts` over `@weft/ws` sockets.
 */

import http from 'node:http';
import https from 'node:https';
import { concatBytes } from '@weft/framing';
import { WebSocket, WebSocketServer } from '@weft/ws/node';
import type { CallDispatcher, ClientTransport, TransportServer } from '../call.js';
import { decodeEnvelope, MAX_METADATA_BYTES } from '../envelope.js';
import type { Logger } from '../log.js';
import type { EnvelopeLink } from '../transport/envelope-client.js';
import {
  type CloseReason,
  EnvelopeConnections,
  EnvelopeServerSession,
} from '../transport/envelope-server.js';
import { wsMismatchHint } from '../transport/mismatch.js';
import { WS_PATH, WsClientTransport, type WsConnect } from '../transport/ws-client.js';
import { closeListener, type ListenAt, listenOn } from './listen.js';
import { trackPageConnections } from './page-connections.js';
import { OUTPUT_HIGH_WATER } from './socket-link.js';
import type { ClientTlsOptions } from './tls-options.js';

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

/** Options of a server's `ws` transport (`ListenOptions.ws`). */
export interface WsListenOptions {
  /**
   * Which web pages may call, by the `Origin` their browser sends: a list of origins
   * (`'https://app.example.com'`) or a predicate. By default a request whose Origin names another
   * host than its `Host` header is refused (HTTP 401), so a page elsewhere cannot call with the
   * user's cookies; clients that send no Origin (Node, Go, Python) are always accepted.
   */
  allowOrigin?: readonly string[] | ((origin: string) => boolean);
  /**
   * Answers the listener's plain HTTP requests — the page and scripts of a web client, served from
   * the origin it calls. Default: 426 Upgrade Required.
   */
  onRequest?: (req: http.IncomingMessage, res: http.ServerResponse) => void;
}

/** Whether the upgrade request `req` comes from a page allowed to call. */
function originAllowed(req: http.IncomingMessage, allow: WsListenOptions['allowOrigin']): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (typeof allow === 'function') return allow(origin);
  if (allow !== undefined) return allow.includes(origin);
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Default `ws.handshakeTimeoutMs` of a client. */
export const WS_CLIENT_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Envelopes over a server's WebSocket. It stops reading while its output is backed up (see
 * `socketLink`); a client never does, or the two could wait for each other forever.
 */
function serverLink(ws: WebSocket): EnvelopeLink {
  let paused = false;
  return {
    send(parts) {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(parts.length === 1 ? parts[0]! : concatBytes(parts));
      // A peer that does not read: stop reading its requests until our output drains, so what
      // it makes us answer stays bounded (TCP flow control holds the rest on its side).
      if (!paused && ws.bufferedAmount > OUTPUT_HIGH_WATER) {
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

/** `@weft/ws` WebSockets for the shared client transport, with this client's options. */
function nodeConnect(options: WsClientOptions): WsConnect {
  return (url, events) => {
    const ws = new WebSocket(url, undefined, {
      maxPayload: options.maxFrameBytes ?? 4 * 1024 * 1024 + MAX_METADATA_BYTES,
      perMessageDeflate: false,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? WS_CLIENT_HANDSHAKE_TIMEOUT_MS,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    });
    ws.on('open', () => events.open());
    ws.on('message', (data: Buffer, isBinary: boolean) => events.message(data, isBinary));
    ws.on('error', (err: Error) => events.error(err));
    ws.on('close', (code: number, reason: Buffer | string) => events.close(code, String(reason)));
    return {
      get open() {
        return ws.readyState === WebSocket.OPEN;
      },
      send: (bytes) => ws.send(bytes),
      close: (code, reason) => ws.close(code, reason),
      terminate: () => ws.terminate(),
    };
  };
}

/** The WebSocket client transport to one endpoint, over `@weft/ws`. */
export function wsClientTransport(
  endpoint: { host: string; port: number },
  options: WsClientOptions,
  logger?: Logger,
): ClientTransport {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return new WsClientTransport({
    url: `${options.tls === undefined ? 'ws' : 'wss'}://${host}:${endpoint.port}${WS_PATH}`,
    connect: nodeConnect(options),
    logger,
    hint: wsMismatchHint,
  });
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
  const endPages = trackPageConnections(httpServer);
  const onRequest = at.ws?.onRequest;
  httpServer.on('request', (req, res) => {
    if (onRequest !== undefined) onRequest(req, res);
    else res.writeHead(426, { upgrade: 'websocket' }).end();
  });
  const allow = at.ws?.allowOrigin;
  const wss = new WebSocketServer({
    server: httpServer,
    path: WS_PATH,
    maxPayload: at.maxFrameBytes,
    handshakeTimeoutMs: at.handshakeTimeoutMs,
    verifyClient: ({ req }) => originAllowed(req, allow),
  });
  const connections = new EnvelopeConnections(at.maxConnectionAgeMs);
  wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
    const peer = `${req.socket.remoteAddress ?? 'unknown'}:${req.socket.remotePort ?? 0}`;
    const session = new EnvelopeServerSession(serverLink(ws), dispatcher, {
      ordered: false,
      maxCalls: WS_MAX_CALLS_PER_CONNECTION,
      peer,
      transport: 'ws',
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        ws.close(1003, 'binary envelopes only');
        return;
      }
      try {
        session.receive(decodeEnvelope(data));
      } catch {
        ws.close(1002, 'protocol error');
      }
    });
    ws.on('error', () => {});
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
        drain: () => {
          endPages();
          return connections.drain();
        },
        kill: () => {
          connections.kill();
          wss.close();
        },
      }),
  };
}
