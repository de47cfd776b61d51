import { MuxUsageError } from '../errors.js';
import { ErrorCode } from '../frame/types.js';
import type { HeaderField } from '../hpack/encoder.js';
import { fieldsOf, type HeaderList, isInformational, type OutgoingHeaders } from './headers.js';
import type { MuxSession } from './session.js';

/**
 * What a {@link CallbackStream} tells its owner, in order: headers and data as they arrive, `onEnd`
 * once the peer ended its side, `onClose` once the stream is over. Called synchronously from the
 * session's input processing: keep them short, and do not throw.
 */
export interface StreamCallbacks {
  /**
   * Response headers (client), informational (1xx) headers, or trailers: the fields as received, in
   * order (`toObject(headers)` gives node:http2's object, `headerValue` one field's value).
   */
  onHeaders?(headers: HeaderList, kind: 'informational' | 'response' | 'trailers'): void;
  /**
   * DATA from the peer. Its flow-control credit goes back to the peer when this returns, unless the
   * stream is paused ({@link CallbackStream.pause}): then it goes back on `resume()`.
   */
  onData?(chunk: Uint8Array): void;
  /** The peer ended its side (after its last data and trailers). */
  onEnd?(): void;
  /** Room again after a `write()` that returned false. */
  onDrain?(): void;
  /**
   * The stream is over: both sides ended (`err` undefined), or it was reset (`stream.rstCode`) or its
   * session failed (`err`). Called once; the stream takes no more writes.
   */
  onClose?(err: Error | undefined): void;
}

const EMPTY = new Uint8Array(0);

/**
 * An HTTP/2 stream driven by callbacks instead of a Node `Duplex`: the same frames, flow control and
 * limits as a {@link MuxStream}, without a Readable and a Writable per stream (their state, events and
 * the five to nine `process.nextTick`s each stream costs). For frameworks that manage their own
 * buffering — `@weft/rpc` uses them. Opened with `session.request(headers, { callbacks })` on a
 * client, and by the `onRequest` session option on a server.
 */
export class CallbackStream {
  readonly id: number;
  readonly session: MuxSession;
  /** RST_STREAM code once the stream was reset (by either side). */
  rstCode: number | undefined;
  /** Whether the peer never processed this stream (REFUSED_STREAM, or above GOAWAY's last id): safe to retry. */
  retryable = false;
  #callbacks: StreamCallbacks = {};
  #headersSent = false;
  #ended = false;
  #closed = false;
  #paused = false;
  /** Credit of data received while paused, returned on resume. */
  #owed = 0;
  #needDrain = false;
  /** @internal listed with the session to hear when its queue drains */
  _drainListed = false;

  /** @internal created by the session */
  constructor(session: MuxSession, id: number) {
    this.session = session;
    this.id = id;
  }

  /** @internal the owner's callbacks, set before any input reaches the stream */
  _setCallbacks(callbacks: StreamCallbacks): void {
    this.#callbacks = callbacks;
  }

  /** Whether our side ended (`write(chunk, true)`, `end()`, or headers sent with `endStream`). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Whether the stream is over (`onClose` was called). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether response (server) or request (client) headers were sent. */
  get headersSent(): boolean {
    return this.#headersSent;
  }

  /**
   * Server: send the response headers (`{ ':status': 200, ... }` as node:http2 takes them, or a
   * `HeaderList`; 1xx headers may come first); `endStream` sends no body.
   * @throws {MuxUsageError} `MUX_ERR_INVALID_STATE`
   */
  respond(headers: OutgoingHeaders = { ':status': 200 }, options: { endStream?: boolean } = {}): void {
    this.#open('respond');
    const informational = isInformational(headers);
    if (this.#headersSent && !informational)
      throw new MuxUsageError('MUX_ERR_INVALID_STATE', 'headers already sent');
    const endStream = options.endStream ?? false;
    this.session._core.respond(this.id, fieldsOf(headers), endStream);
    if (!informational) this.#headersSent = true;
    if (endStream) this.#ended = true;
    this.session._flushSoon();
  }

  /**
   * Queue `chunk` (held by reference: do not change it) and, with `end`, end our side after it.
   * Returns false once the stream holds `streamHighWaterMark` bytes unsent: wait for `onDrain`.
   * @throws {MuxUsageError} `MUX_ERR_INVALID_STATE` after the end or the close
   */
  write(chunk: Uint8Array, end = false): boolean {
    this.#open('write');
    const core = this.session._core;
    core.write(this.id, chunk, end);
    if (end) this.#ended = true;
    this.session._flushSoon();
    if (core.pendingBytes(this.id) < this.session._streamHighWaterMark) return true;
    this.#needDrain = true;
    this.session._awaitDrain(this);
    return false;
  }

  /**
   * End our side: after what was written, with `trailers` (an object or a `HeaderList`) when given.
   * @throws {MuxUsageError} `MUX_ERR_INVALID_STATE` after the end or the close
   */
  end(trailers?: OutgoingHeaders): void {
    this.#open('end');
    if (trailers === undefined) this.session._core.write(this.id, EMPTY, true);
    else this.session._core.sendTrailers(this.id, fieldsOf(trailers));
    this.#ended = true;
    this.session._flushSoon();
  }

  /**
   * Change the priority this side serves the stream with (RFC 9218: `urgency` 0–7, lower first;
   * `incremental`). A client also tells the server with PRIORITY_UPDATE; a server applies it to its
   * response. @throws {MuxUsageError} `MUX_ERR_INVALID_OPTION` for an urgency outside 0–7 (as `MuxStream.setPriority`)
   */
  setPriority(priority: { urgency?: number; incremental?: boolean }): void {
    if (this.#closed) return;
    this.session._core.setPriority(this.id, priority);
    this.session._flushSoon();
  }

  /** Reset the stream (RST_STREAM `code`, default NO_ERROR, as `MuxStream.close`): `onClose` follows. */
  close(code: number = ErrorCode.NoError): void {
    if (this.#closed) return;
    this.session._core.resetStream(this.id, code);
    this.rstCode = code;
    this.session._flushSoon();
    this._finish(undefined);
  }

  /** Stop returning flow-control credit: the peer stops once the window it has is used up. */
  pause(): void {
    this.#paused = true;
  }

  /** Return the credit held back while paused, and go on returning it as data arrives. */
  resume(): void {
    this.#paused = false;
    if (this.#owed > 0) {
      this.session._core.consume(this.id, this.#owed);
      this.#owed = 0;
      this.session._flushSoon();
    }
  }

  /** Whether the stream is paused. */
  get paused(): boolean {
    return this.#paused;
  }

  #open(what: string): void {
    if (this.#closed || this.#ended) {
      throw new MuxUsageError(
        'MUX_ERR_INVALID_STATE',
        `${what}: stream ${this.id} ${this.#closed ? 'is closed' : 'already ended'}`,
      );
    }
  }

  /** @internal peer data arrived */
  _data(data: Uint8Array, endStream: boolean): void {
    this.#callbacks.onData?.(data);
    if (this.#paused) this.#owed += data.length;
    else this.session._core.consume(this.id, data.length);
    if (endStream) this._peerEnded();
  }

  /** @internal headers arrived */
  _headers(kind: string, fields: HeaderField[], endStream: boolean): void {
    if (kind === 'informational' || kind === 'response' || kind === 'trailers')
      this.#callbacks.onHeaders?.(fields, kind);
    if (endStream) this._peerEnded();
  }

  /** @internal the peer ended its side (not reported once the owner closed the stream meanwhile) */
  _peerEnded(): void {
    if (!this.#closed) this.#callbacks.onEnd?.();
  }

  /** @internal the session flushed: tell a blocked writer when its queue drained. */
  _drained(): void {
    if (!this.#needDrain || this.#closed) return;
    if (this.session._core.pendingBytes(this.id) >= this.session._streamHighWaterMark) {
      this.session._awaitDrain(this);
      return;
    }
    this.#needDrain = false;
    this.#callbacks.onDrain?.();
  }

  /** @internal the core already sent END_STREAM for us (a request sent with `endStream`). */
  _coreEnded(): void {
    this.#ended = true;
  }

  /** @internal the stream ended: normally (`err` undefined) or by reset. */
  _finish(err: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.session._forget(this.id);
    this.#callbacks.onClose?.(err);
  }
}
