/**
 * Client side of the envelope protocol (docs/rpc-pooled.md), shared by the pooled and WebSocket
 * transports: calls by id over one link, per-call message windows both ways.
 */
import { IdMap } from '@weft/framing';
import type { ClientCallListener, ClientCallStart, ClientTransportCall } from '../call.js';
import { hasGzip } from '../compression.js';
import {
  type Envelope,
  EnvelopeError,
  EnvelopeKind,
  encodeCall,
  encodeEmpty,
  encodeMessage,
  encodeWindow,
  MAX_CALL_ID,
} from '../envelope.js';
import { RpcError } from '../errors.js';
import { EMPTY_METADATA, type Metadata } from '../metadata.js';
import { Status } from '../status.js';
import { CallWindow } from './call-window.js';

/** How a session sends: envelopes as parts, and closing the link. */
export interface EnvelopeLink {
  send(parts: Uint8Array[]): void;
  close(error?: Error): void;
}

/** Calls over one link. */
export class EnvelopeClientSession {
  readonly #link: EnvelopeLink;
  readonly #calls = new IdMap<EnvelopeClientCall>();
  #nextId = 1;
  #failed: RpcError | undefined;
  /** Called when a call ends (the pool's release). */
  onCallEnded: ((call: EnvelopeClientCall) => void) | undefined;
  /** Called when the application cancels a call (pooled: the connection must then close). */
  onCancel: ((call: EnvelopeClientCall) => void) | undefined;
  /** Called when the server sends Goaway: no new calls here; close once the open ones end. */
  onGoaway: (() => void) | undefined;
  /** Called when the server answers a Ping. */
  onPong: (() => void) | undefined;
  #draining = false;

  /** Send a keepalive Ping (the answer arrives through `onPong`). */
  ping(): void {
    this._send([encodeEmpty(EnvelopeKind.Ping, 0)]);
  }

  /** The server sent Goaway: this link takes no new calls. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Calls open on this link. */
  get openCalls(): number {
    return this.#calls.size;
  }

  constructor(link: EnvelopeLink) {
    this.#link = link;
  }

  /** Whether the link failed. */
  get failed(): boolean {
    return this.#failed !== undefined;
  }

  start(start: ClientCallStart, listener: ClientCallListener): EnvelopeClientCall {
    const id = this.#nextId;
    this.#nextId = id === MAX_CALL_ID ? 1 : id + 1;
    const call = new EnvelopeClientCall(this, id, listener);
    if (this.#failed !== undefined) {
      const error = this.#failed;
      queueMicrotask(() => call._status(error, undefined));
      return call;
    }
    const timeoutMs = start.deadline === undefined ? undefined : Math.max(0, start.deadline - Date.now());
    let envelope: Uint8Array;
    try {
      envelope = encodeCall(
        id,
        start.method.path,
        timeoutMs,
        hasGzip(),
        start.metadata,
        start.method.codecName,
      );
    } catch (err) {
      // Metadata past what the server reads: refused here, or the server would close the link
      // (and every call on it) for a protocol error.
      const refusal = new RpcError(Status.RESOURCE_EXHAUSTED, (err as Error).message, { noRetry: true });
      queueMicrotask(() => call._status(refusal, undefined));
      return call;
    }
    this.#calls.set(id, call);
    this._send([envelope]);
    return call;
  }

  /**
   * One envelope from the server.
   * @throws {EnvelopeError} when the server breaks the protocol (the caller closes the link).
   */
  receive(envelope: Envelope): void {
    if (envelope.kind === EnvelopeKind.Pong) {
      this.onPong?.();
      return;
    }
    if (envelope.kind === EnvelopeKind.Goaway) {
      if (!this.#draining) {
        this.#draining = true;
        this.onGoaway?.();
      }
      return;
    }
    const call = this.#calls.get(envelope.id);
    if (call === undefined) {
      // A late reply to a call already ended here (cancelled, or past its deadline): dropped.
      return;
    }
    switch (envelope.kind) {
      case EnvelopeKind.Headers:
        call._headers(envelope.metadata);
        return;
      case EnvelopeKind.Message:
        call._message(envelope.bytes, envelope.compressed);
        return;
      case EnvelopeKind.Status: {
        const error =
          envelope.code === 0
            ? undefined
            : new RpcError(envelope.code, envelope.message, { details: envelope.details });
        call._status(error, envelope.trailers);
        return;
      }
      case EnvelopeKind.Window:
        call._credit(envelope.credit);
        return;
      default:
        throw new EnvelopeError(`a server may not send envelope kind ${envelope.kind}`);
    }
  }

  /** The link is gone: every call in flight fails with `error`. */
  fail(error: RpcError): void {
    if (this.#failed !== undefined) return;
    this.#failed = error;
    for (const call of this.#calls.values()) call._status(error, undefined);
  }

  /** @internal */
  _send(parts: Uint8Array[]): void {
    if (this.#failed === undefined) this.#link.send(parts);
  }

  /** @internal */
  _ended(call: EnvelopeClientCall): void {
    if (this.#calls.get(call.id) === call) {
      this.#calls.delete(call.id);
      this.onCallEnded?.(call);
    }
  }

  /** @internal */
  _cancelled(call: EnvelopeClientCall): void {
    this.onCancel?.(call);
  }
}

/** One call over an envelope link. */
export class EnvelopeClientCall implements ClientTransportCall {
  readonly id: number;
  readonly _listener: ClientCallListener;
  readonly #session: EnvelopeClientSession;
  #done = false;
  #sawHeaders = false;
  readonly #window: CallWindow;

  constructor(session: EnvelopeClientSession, id: number, listener: ClientCallListener) {
    this.#session = session;
    this.id = id;
    this._listener = listener;
    this.#window = new CallWindow((credit) => session._send([encodeWindow(id, credit)]));
  }

  write(bytes: Uint8Array, compressed: boolean, end: boolean): Promise<void> | undefined {
    if (this.#done) return undefined;
    const wait = this.#window.take();
    if (wait !== undefined) return wait.then(() => this.write(bytes, compressed, end));
    this.#session._send(encodeMessage(this.id, bytes, end, compressed));
    return this.#window.backpressure();
  }

  end(): void {
    if (!this.#done) this.#session._send([encodeEmpty(EnvelopeKind.End, this.id)]);
  }

  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    this.#session._send([encodeEmpty(EnvelopeKind.Cancel, this.id)]);
    this.#window.release();
    this.#session._cancelled(this);
    this.#session._ended(this);
  }

  pause(): void {
    this.#window.pause();
  }

  resume(): void {
    if (!this.#done) this.#window.resume();
  }

  /** @internal */
  _headers(metadata: Metadata): void {
    if (this.#done || this.#sawHeaders) return;
    this.#sawHeaders = true;
    this._listener.onHeaders(metadata);
  }

  /** @internal */
  _message(bytes: Uint8Array, compressed: boolean): void {
    if (this.#done) return;
    // Headers are optional on the wire: none before the first message means empty ones.
    if (!this.#sawHeaders) this._headers(EMPTY_METADATA);
    this.#window.received();
    this._listener.onMessage(bytes, compressed);
    if (!this.#done) this.#window.grant();
  }

  /** @internal */
  _credit(credit: number): void {
    this.#window.credit(credit);
  }

  /** @internal */
  _status(error: RpcError | undefined, trailers: Metadata | undefined): void {
    if (this.#done) return;
    this.#done = true;
    this.#window.release();
    this.#session._ended(this);
    this._listener.onStatus(error, trailers ?? EMPTY_METADATA);
  }
}
