/**
 * The client side of the WebSocket transport, whatever the WebSocket: `@weft/ws` in Node, the
 * native `WebSocket` in a browser. One WebSocket per endpoint carries every call as envelopes
 * (docs/rpc-pooled.md), one binary message each; it is reopened for the next call after it closes,
 * and after the server's Goaway once its calls end.
 * Internal to the package (the entry points export only what their users need of it).
 */
import { concatBytes } from '@weft/framing';
import {
  type ClientCallListener,
  type ClientCallStart,
  type ClientTransport,
  type ClientTransportCall,
  failedCall,
  type TransportStats,
} from '../call.js';
import { decodeEnvelope } from '../envelope.js';
import { RpcError } from '../errors.js';
import type { Logger } from '../log.js';
import { Status } from '../status.js';
import { EnvelopeClientSession } from './envelope-client.js';
import { type Keepalive, type KeepaliveOptions, startKeepalive } from './keepalive.js';

/** The path a weft server accepts WebSocket upgrades on. */
export const WS_PATH = '/weft-rpc';

/** What the transport tells a WebSocket it opened. */
export interface WsEvents {
  open(): void;
  /** A message: `binary` false for a text message. */
  message(data: Uint8Array, binary: boolean): void;
  /** A connection error, before `close`. */
  error(err: Error): void;
  close(code: number, reason: string): void;
}

/** A WebSocket as the transport uses it. */
export interface WsSocket {
  /** Whether it is open (sends before that are queued by the transport). */
  readonly open: boolean;
  send(bytes: Uint8Array): void;
  close(code: number, reason?: string): void;
  /** Drop the connection at once. */
  terminate(): void;
}

/** Opens a WebSocket to `url`, reporting to `events`. */
export type WsConnect = (url: string, events: WsEvents) => WsSocket;

/** How a WsClientTransport connects. */
export interface WsClientSetup {
  url: string;
  connect: WsConnect;
  /** Where Goaways from the server are logged (the client's logger). */
  logger?: Logger | undefined;
  /** Keepalive with Ping envelopes (for WebSockets that cannot send pings of their own). */
  keepalive?: KeepaliveOptions | undefined;
  /** A sentence on why a connection attempt failed (a transport mismatch), if one can be told. */
  hint?: ((failure: Error | undefined) => string | undefined) | undefined;
}

interface Current {
  socket: WsSocket;
  session: EnvelopeClientSession;
  /** Envelopes sent before the handshake completed; undefined once open. */
  queue: Uint8Array[][] | undefined;
  keepalive: Keepalive | undefined;
}

/** Calls to one endpoint over one WebSocket, reopened when it closes. */
export class WsClientTransport implements ClientTransport {
  readonly #setup: WsClientSetup;
  #current: Current | undefined;
  #closed = false;

  constructor(setup: WsClientSetup) {
    this.#setup = setup;
  }

  #open(): EnvelopeClientSession {
    if (this.#current !== undefined) return this.#current.session;
    const { url, logger } = this.#setup;
    let failure: Error | undefined;
    const current = {
      queue: [],
      keepalive: undefined,
    } as unknown as Current;
    const send = (parts: Uint8Array[]) => {
      if (current.socket.open) current.socket.send(parts.length === 1 ? parts[0]! : concatBytes(parts));
    };
    current.session = new EnvelopeClientSession({
      send: (parts) => {
        if (current.queue !== undefined) current.queue.push(parts);
        else send(parts);
      },
      close: (error) => {
        if (error === undefined) current.socket.close(1000);
        else current.socket.close(1002, 'protocol error');
      },
    });
    // Goaway: the next calls open a new WebSocket; this one closes once its calls end.
    const closeWhenIdle = () => {
      if (current.session.draining && current.session.openCalls === 0) current.socket.close(1000, 'drained');
    };
    current.session.onGoaway = () => {
      logger?.info({ url, transport: 'ws', openCalls: current.session.openCalls }, 'weft: goaway');
      if (this.#current === current) this.#current = undefined;
      closeWhenIdle();
    };
    current.session.onCallEnded = closeWhenIdle;
    current.socket = this.#setup.connect(url, {
      open: () => {
        const queued = current.queue ?? [];
        current.queue = undefined;
        for (const parts of queued) send(parts);
        if (this.#setup.keepalive !== undefined) {
          current.session.onPong = () => current.keepalive?.input();
          current.keepalive = startKeepalive(
            this.#setup.keepalive,
            () => current.session.ping(),
            () => current.socket.terminate(),
          );
        }
      },
      message: (data, binary) => {
        current.keepalive?.input();
        if (!binary) {
          current.socket.close(1003, 'binary envelopes only');
          return;
        }
        try {
          current.session.receive(decodeEnvelope(data));
        } catch {
          current.socket.close(1002, 'protocol error');
        }
      },
      error: (err) => {
        failure ??= err;
      },
      close: (code, reason) => {
        current.keepalive?.stop();
        if (this.#current === current) this.#current = undefined;
        const hint = current.queue !== undefined ? this.#setup.hint?.(failure) : undefined;
        const why =
          failure !== undefined
            ? `: ${failure.message}${hint === undefined ? '' : `; ${hint}`}`
            : code !== 1000 && code !== 1005
              ? ` (close ${code}${reason === '' ? '' : ` ${reason}`})`
              : '';
        // Envelopes still queued for the handshake never left: safe to send elsewhere.
        current.session.fail(
          current.queue !== undefined
            ? new RpcError(Status.UNAVAILABLE, `could not connect to ${url}${why}`, {
                unprocessed: true,
                cause: failure,
              })
            : new RpcError(Status.UNAVAILABLE, `the WebSocket connection closed${why}`, { cause: failure }),
        );
      },
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
      current.keepalive?.stop();
      current.session.fail(new RpcError(Status.UNAVAILABLE, 'the client is closed', { noRetry: true }));
      current.socket.terminate();
    }
  }
}
