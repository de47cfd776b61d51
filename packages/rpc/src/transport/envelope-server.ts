/**
 * Server side of the envelope protocol (docs/rpc-pooled.md), shared by the pooled and WebSocket
 * transports. In `ordered` mode (pooled pipelining) replies leave in the order the calls arrived:
 * a call's envelopes wait until every earlier call has sent its status — head-of-line blocking, by
 * design, as HTTP/1.1 pipelining.
 */
import { IdMap, TokenBucket } from '@weft/framing';
import type { CallDispatcher, ServerCallListener, ServerTransportCall } from '../call.js';
import {
  type Envelope,
  EnvelopeError,
  EnvelopeKind,
  encodeEmpty,
  encodeHeaders,
  encodeMessage,
  encodeStatus,
  encodeWindow,
} from '../envelope.js';
import { RpcError } from '../errors.js';
import { Metadata } from '../metadata.js';
import type { ServerConnection } from '../server-connections.js';
import { Status } from '../status.js';
import { CallWindow } from './call-window.js';
import type { EnvelopeLink } from './envelope-client.js';
import { maxAgeTimer } from './max-age.js';

/**
 * After Goaway, how long calls the client sent before it read the Goaway may take to arrive: a link
 * is not taken for idle before this has passed.
 */
const GOAWAY_SETTLE_MS = 50;

/** Close a link gracefully: Goaway, let calls already sent arrive and finish, then `close`. */
async function drainSession(session: EnvelopeServerSession, close: () => void): Promise<void> {
  session.goaway();
  await new Promise((resolve) => setTimeout(resolve, GOAWAY_SETTLE_MS));
  await session.idle();
  close();
}

/** Why a link is closed gracefully: the server closes, the link's max age is up, or it is idle. */
export type CloseReason = 'shutdown' | 'age' | 'idle';

/** How a server transport ends one of its links. @internal */
export interface LinkEnd {
  /** End it now that its calls are done. */
  close(reason: CloseReason): void;
  /** End it at once. */
  kill(): void;
}

/**
 * The open links of an envelope server (pooled, ws): each retired gracefully at its max age, all
 * drained on a graceful close, killed when the grace period runs out. @internal
 */
export class EnvelopeConnections {
  readonly #open = new Map<EnvelopeServerSession, LinkEnd>();
  readonly #maxAgeMs: number;

  constructor(maxAgeMs: number) {
    this.#maxAgeMs = maxAgeMs;
  }

  /** A link opened; call the returned function when it has closed (its calls are then cancelled). */
  add(session: EnvelopeServerSession, end: LinkEnd): () => void {
    this.#open.set(session, end);
    const aged = maxAgeTimer(this.#maxAgeMs, () => void drainSession(session, () => end.close('age')));
    session._onIdle = () => void drainSession(session, () => end.close('idle'));
    return () => {
      clearTimeout(aged);
      this.#open.delete(session);
      session.connection.closed();
      session.fail(new RpcError(Status.CANCELLED, 'the connection closed'));
    };
  }

  /** Goaway on every link; each closes once its calls are done. */
  async drain(): Promise<void> {
    await Promise.all(
      [...this.#open].map(([session, end]) => drainSession(session, () => end.close('shutdown'))),
    );
  }

  kill(): void {
    for (const end of this.#open.values()) end.kill();
  }
}

/** Options of a server session. */
export interface EnvelopeServerOptions {
  /** Replies in arrival order (pooled). */
  ordered: boolean;
  /** Calls open at once on this link; beyond it a call is refused with RESOURCE_EXHAUSTED. */
  maxCalls: number;
  /** `host:port` of the client. */
  peer: string;
  /** Which transport the link is. */
  transport: 'pooled' | 'ws';
}

/** Ping envelopes a client may send (a Pong answers each). */
const PING_BUDGET = { rate: 50, burst: 200 };

/** The calls of one client link. */
export class EnvelopeServerSession {
  /** The link as the server counts it (its calls, its idle time). */
  readonly connection: ServerConnection;
  readonly transport: 'pooled' | 'ws';
  /** @internal set by {@link EnvelopeConnections}: the server found the link idle. */
  _onIdle: (() => void) | undefined;
  readonly #link: EnvelopeLink;
  readonly #dispatcher: CallDispatcher;
  readonly #options: EnvelopeServerOptions;
  readonly #calls = new IdMap<EnvelopeServerCall>();
  /** Ordered mode: calls whose replies have not all left yet, oldest first. */
  readonly #order: EnvelopeServerCall[] = [];
  #idle: (() => void) | undefined;

  /** Ping envelopes the client may send: as @weft/mux's PING budget, 50/s, bursts of 200. */
  readonly #pings = new TokenBucket(PING_BUDGET, Date.now());

  constructor(link: EnvelopeLink, dispatcher: CallDispatcher, options: EnvelopeServerOptions) {
    this.#link = link;
    this.#dispatcher = dispatcher;
    this.#options = options;
    this.connection = dispatcher.openConnection({ closeIdle: () => this._onIdle?.() });
    this.transport = options.transport;
  }

  #goaway = false;

  /** Tell the client to send no new calls on this link (once); calls it already sent are served. */
  goaway(): void {
    if (this.#goaway) return;
    this.#goaway = true;
    this.#link.send([encodeEmpty(EnvelopeKind.Goaway, 0)]);
  }

  /** Resolves once no call is open. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#idle;
      this.#idle = () => {
        previous?.();
        resolve();
      };
    });
  }

  /**
   * One envelope from the client.
   * @throws {EnvelopeError} on a protocol violation (the caller closes the link).
   */
  receive(envelope: Envelope): void {
    if (envelope.kind === EnvelopeKind.Ping) {
      // Each Ping costs a Pong: a budget, or a client that floods and never reads fills memory.
      if (!this.#pings.take(Date.now()))
        throw new EnvelopeError('more Ping envelopes than the ping budget allows');
      this.#link.send([encodeEmpty(EnvelopeKind.Pong, 0)]);
      return;
    }
    if (envelope.kind === EnvelopeKind.Call) {
      if (this.#calls.has(envelope.id)) throw new EnvelopeError(`call id ${envelope.id} is already open`);
      // In order, finished calls wait (with their replies) behind the oldest open one: they count.
      // A client that goes on sending calls past the limit then loses the connection, as refusals
      // would queue up behind the same call.
      if (this.#options.ordered && this.#order.length >= this.#options.maxCalls) {
        throw new EnvelopeError(
          `more than ${this.#options.maxCalls} calls on one connection, with replies held in order`,
        );
      }
      const call = new EnvelopeServerCall(this, envelope.id, envelope, this.#options.peer);
      this.#calls.set(envelope.id, call);
      if (this.#options.ordered) this.#order.push(call);
      if (this.#calls.size > this.#options.maxCalls) {
        call.finish(
          new RpcError(
            Status.RESOURCE_EXHAUSTED,
            `more than ${this.#options.maxCalls} calls on one connection`,
          ),
          new Metadata(),
        );
        return;
      }
      call._start(this.#dispatcher);
      return;
    }
    const call = this.#calls.get(envelope.id);
    // Events for a call that already ended here (finished, or refused) are dropped.
    if (call === undefined) return;
    switch (envelope.kind) {
      case EnvelopeKind.Message:
        call._message(envelope.bytes, envelope.compressed, envelope.end);
        return;
      case EnvelopeKind.End:
        call._halfClose();
        return;
      case EnvelopeKind.Cancel:
        call._cancel(new RpcError(Status.CANCELLED, 'the client cancelled the call'));
        return;
      case EnvelopeKind.Window:
        call._credit(envelope.credit);
        return;
      default:
        throw new EnvelopeError(`a client may not send envelope kind ${envelope.kind}`);
    }
  }

  /** The link is gone: every open call is cancelled. */
  fail(error: RpcError): void {
    for (const call of this.#calls.values()) call._cancel(error);
    this.#order.length = 0;
    this.#checkIdle();
  }

  /** @internal send a call's envelope now, or hold it until the call reaches the head of the order. */
  _emit(call: EnvelopeServerCall, parts: Uint8Array[]): void {
    if (!this.#options.ordered || this.#order[0] === call) this.#link.send(parts);
    else call._held.push(parts);
  }

  /** @internal the call sent its status (or was cancelled). */
  _ended(call: EnvelopeServerCall): void {
    if (this.#calls.get(call.id) === call) this.#calls.delete(call.id);
    if (this.#options.ordered) {
      if (this.#order[0] === call) {
        this.#order.shift();
        // Release the calls behind it: each flushes what it held; finished ones leave the line.
        while (this.#order.length > 0) {
          const head = this.#order[0]!;
          for (const parts of head._held) this.#link.send(parts);
          head._held.length = 0;
          if (!head._finished) break;
          this.#order.shift();
        }
      }
    }
    this.#checkIdle();
  }

  /** @internal a cancelled call leaves the order without sending. */
  _dropped(call: EnvelopeServerCall): void {
    // At the head, `_ended` moves the line on; further back, the call just leaves it.
    const at = this.#order.indexOf(call);
    if (at > 0) this.#order.splice(at, 1);
    this._ended(call);
  }

  #isIdle(): boolean {
    return this.#calls.size === 0 && this.#order.length === 0;
  }

  #checkIdle(): void {
    if (this.#isIdle() && this.#idle !== undefined) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle();
    }
  }
}

/** One call as the server transport sees it. */
class EnvelopeServerCall implements ServerTransportCall {
  readonly id: number;
  readonly path: string;
  readonly metadata: Metadata;
  readonly deadline: number | undefined;
  readonly peer: string;
  readonly acceptsGzip: boolean;
  readonly contentSubtype: string;
  readonly connection: ServerConnection;
  readonly transport: 'pooled' | 'ws';
  maxMessageBytes = 0;
  codecName = 'msgpack';
  /** Envelopes waiting for this call's turn (ordered mode). */
  readonly _held: Uint8Array[][] = [];
  _finished = false;
  readonly #session: EnvelopeServerSession;
  #listener: ServerCallListener | undefined;
  #closed = false;
  readonly #window: CallWindow;

  constructor(
    session: EnvelopeServerSession,
    id: number,
    call: {
      path: string;
      timeoutMs: number | undefined;
      acceptsGzip: boolean;
      metadata: Metadata;
      subtype: string;
    },
    peer: string,
  ) {
    this.#session = session;
    this.id = id;
    this.path = call.path;
    this.metadata = call.metadata;
    this.deadline = call.timeoutMs === undefined ? undefined : Date.now() + call.timeoutMs;
    this.acceptsGzip = call.acceptsGzip;
    this.contentSubtype = call.subtype;
    this.peer = peer;
    this.connection = session.connection;
    this.transport = session.transport;
    this.#window = new CallWindow((credit) => session._emit(this, [encodeWindow(id, credit)]));
  }

  _start(dispatcher: CallDispatcher): void {
    this.#listener = dispatcher.dispatch(this);
  }

  _message(bytes: Uint8Array, compressed: boolean, end: boolean): void {
    if (this.#closed) return;
    this.#window.received();
    if (bytes.length > this.maxMessageBytes) {
      const error = new RpcError(
        Status.RESOURCE_EXHAUSTED,
        `a request message exceeds ${this.maxMessageBytes} bytes`,
      );
      this.#listener?.onCancel(error);
      this.finish(error, new Metadata());
      return;
    }
    this.#listener?.onMessage(bytes, compressed);
    if (!this.#closed) this.#window.grant();
    if (end) this._halfClose();
  }

  _halfClose(): void {
    if (!this.#closed) this.#listener?.onHalfClose();
  }

  _cancel(error: RpcError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#window.release();
    this.#listener?.onCancel(error);
    this.#session._dropped(this);
  }

  _credit(credit: number): void {
    this.#window.credit(credit);
  }

  sendHeaders(metadata: Metadata): void {
    // Empty headers need no envelope: the client implies them from the first Message or the Status.
    if (!this.#closed && metadata.size > 0) this.#session._emit(this, [encodeHeaders(this.id, metadata)]);
  }

  write(bytes: Uint8Array, compressed: boolean): Promise<void> | undefined {
    if (this.#closed) return undefined;
    const wait = this.#window.take();
    if (wait !== undefined) return wait.then(() => this.write(bytes, compressed));
    this.#session._emit(this, encodeMessage(this.id, bytes, false, compressed));
    return this.#window.backpressure();
  }

  finish(error: RpcError | undefined, trailers: Metadata): void {
    if (this.#closed) return;
    this.#closed = true;
    this._finished = true;
    this.#window.release();
    const code = error?.code ?? Status.OK;
    this.#session._emit(this, [encodeStatus(this.id, code, error?.message ?? '', trailers, error?.details)]);
    this.#session._ended(this);
  }

  pause(): void {
    this.#window.pause();
  }

  resume(): void {
    if (!this.#closed) this.#window.resume();
  }
}
