import { Duplex } from 'node:stream';
import type { Listen } from '@weft/framing';
import { MuxUsageError } from '../errors.js';
import { ErrorCode } from '../frame/types.js';
import type { HeaderField } from '../hpack/encoder.js';
import {
  fieldsOf,
  type HeaderObject,
  isInformational,
  type OutgoingHeaders,
  toFields,
  toObject,
} from './headers.js';
import type { MuxSession } from './session.js';

/** The events of a {@link MuxStream}: its headers, and the Duplex events most listened to. */
export interface MuxStreamEvents {
  /** The response headers (a client's request). */
  response: [headers: HeaderObject];
  /** Informational (1xx) headers. */
  headers: [headers: HeaderObject];
  /** The trailers, before `'end'`. */
  trailers: [headers: HeaderObject];
  data: [chunk: Buffer];
  end: [];
  finish: [];
  drain: [];
  error: [err: Error];
  close: [];
}

// Typed listeners, merged into the class below.
export interface MuxStream {
  on: Listen<MuxStreamEvents, this>;
  once: Listen<MuxStreamEvents, this>;
  off: Listen<MuxStreamEvents, this>;
}

/**
 * One HTTP/2 stream as a Node `Duplex`, shaped like node:http2's `Http2Stream`: write the body,
 * read the peer's body; `respond()` (server), `'response'` (client), `sendTrailers()`, `'trailers'`,
 * `close(code)`. Reading is flow-controlled: data the application has not read is not credited back
 * to the peer, so a reader that stops reading stops the sender.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds typed listeners only
export class MuxStream extends Duplex {
  readonly id: number;
  readonly session: MuxSession;
  /** RST_STREAM code once the stream was reset (by either side). */
  rstCode: number | undefined;
  /** Whether the peer never processed this stream (REFUSED_STREAM, or above GOAWAY's last id): safe to retry. */
  retryable = false;
  #owed = 0;
  #writeCallback: (() => void) | undefined;
  #finalCallback: ((err?: Error | null) => void) | undefined;
  #headersSent = false;
  #closed = false;
  /** Our side was ended in the core already; `_final` has nothing to send. */
  #endedByCore = false;
  /** @internal listed with the session to hear when its queue drains */
  _drainListed = false;
  /** Trailers to send once the buffered writes have reached the core (from `_final`). */
  #trailers: OutgoingHeaders | undefined;

  /** @internal created by the session */
  constructor(session: MuxSession, id: number) {
    super({ allowHalfOpen: true, highWaterMark: 64 * 1024 });
    this.session = session;
    this.id = id;
  }

  /** Whether response (server) or request (client) headers were sent. */
  get headersSent(): boolean {
    return this.#headersSent;
  }

  /**
   * Server: send the response headers (`{ ':status': 200, ... }`); `endStream` sends no body.
   * @throws {MuxUsageError} `MUX_ERR_INVALID_STATE`
   */
  respond(headers: OutgoingHeaders = { ':status': 200 }, options: { endStream?: boolean } = {}): void {
    if (this.#headersSent && !isInformational(headers))
      throw new MuxUsageError('MUX_ERR_INVALID_STATE', 'headers already sent');
    const endStream = options.endStream ?? false;
    this.session._core.respond(this.id, fieldsOf(headers), endStream);
    if (!isInformational(headers)) this.#headersSent = true;
    if (endStream) this.#localEnded();
    this.session._flushSoon();
  }

  /**
   * Server: push a response to the request `headers` (`{ ':path': '/style.css' }`; `:method` GET,
   * `:scheme` and `:authority` default from this stream's request). Returns the pushed stream: call
   * `respond()` and write its body.
   * @throws {MuxUsageError} `MUX_ERR_INVALID_STATE` when the client disabled push.
   */
  pushStream(headers: HeaderObject): MuxStream {
    const request: HeaderObject = { ':method': 'GET', ...this.session._requestDefaults(this.id), ...headers };
    const id = this.session._core.push(this.id, toFields(request));
    const pushed = this.session._adopt(id);
    this.session._flushSoon();
    return pushed;
  }

  /** Send trailers: they follow everything written so far, and end our side of the stream. */
  sendTrailers(headers: OutgoingHeaders): void {
    if (this.#trailers !== undefined || this.writableEnded) {
      throw new MuxUsageError('MUX_ERR_INVALID_STATE', 'the stream already ended');
    }
    this.#trailers = headers;
    this.end();
  }

  /**
   * Change the priority this side serves the stream with (RFC 9218: `urgency` 0–7, lower first;
   * `incremental`). A client also tells the server with PRIORITY_UPDATE; a server applies it to its
   * response. @throws {MuxUsageError} `MUX_ERR_INVALID_OPTION` for an urgency outside 0–7
   */
  setPriority(priority: { urgency?: number; incremental?: boolean }): void {
    if (this.#closed) return;
    this.session._core.setPriority(this.id, priority);
    this.session._flushSoon();
  }

  /**
   * Reset the stream with an HTTP/2 error code (default NO_ERROR, as node:http2's `close()`). A reset
   * we ask for is not an error on this side: the stream just closes, with `rstCode` set.
   */
  close(code: number = ErrorCode.NoError, callback?: () => void): void {
    if (callback !== undefined) this.once('close', callback);
    if (this.#closed) return;
    this.session._core.resetStream(this.id, code);
    this.rstCode = code;
    this.session._flushSoon();
    this._finish(undefined);
    this.destroy();
  }

  /** @internal */
  _markHeadersSent(): void {
    this.#headersSent = true;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    try {
      this.session._core.write(this.id, chunk);
    } catch (err) {
      callback(err as Error);
      return;
    }
    this.session._flushSoon();
    if (this.session._core.pendingBytes(this.id) < this.session._streamHighWaterMark) callback();
    else {
      this.#writeCallback = callback;
      this.session._awaitDrain(this);
    }
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (this.#closed || this.#endedByCore) {
      callback();
      return;
    }
    try {
      if (this.#trailers !== undefined) this.session._core.sendTrailers(this.id, fieldsOf(this.#trailers));
      else this.session._core.write(this.id, new Uint8Array(0), true);
    } catch (err) {
      callback(err as Error);
      return;
    }
    this.#finalCallback = callback;
    this.session._awaitDrain(this);
    this.session._flushSoon();
  }

  override _read(): void {
    if (this.#owed > 0) {
      this.session._core.consume(this.id, this.#owed);
      this.#owed = 0;
      this.session._flushSoon();
    }
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (!this.#closed) {
      this.session._core.resetStream(this.id, err === null ? ErrorCode.Cancel : ErrorCode.InternalError);
      this.session._flushSoon();
      this.#closed = true;
      this.session._forget(this.id);
    }
    callback(err);
  }

  /** @internal peer data arrived */
  _data(data: Uint8Array, endStream: boolean): void {
    this.#owed += data.length;
    // Copy out of the socket's chunk only when the application will hold it; here it is pushed as is.
    if (this.push(data) && this.#owed > 0) {
      this.session._core.consume(this.id, this.#owed);
      this.#owed = 0;
    }
    if (endStream) this.push(null);
  }

  /** @internal headers arrived */
  _headers(kind: string, fields: HeaderField[], endStream: boolean): void {
    const obj = toObject(fields);
    if (kind === 'informational') this.emit('headers', obj);
    else if (kind === 'response') this.emit('response', obj);
    else if (kind === 'trailers') this.emit('trailers', obj);
    if (endStream) this.push(null);
  }

  /** @internal the session flushed: release a blocked writer if its queue drained. */
  _drained(): void {
    if (
      this.#writeCallback !== undefined &&
      this.session._core.pendingBytes(this.id) < this.session._streamHighWaterMark
    ) {
      const cb = this.#writeCallback;
      this.#writeCallback = undefined;
      cb();
    }
    // Our side is finished only once its ending left too, not just its DATA.
    if (this.#finalCallback !== undefined && !this.session._core.sending(this.id)) {
      const cb = this.#finalCallback;
      this.#finalCallback = undefined;
      cb();
    }
    if (this.#writeCallback !== undefined || this.#finalCallback !== undefined)
      this.session._awaitDrain(this);
  }

  /** @internal the core already sent END_STREAM for us (a request or response with `endStream`). */
  _coreEnded(): void {
    this.#localEnded();
  }

  #localEnded(): void {
    // The core already ended our side (respond with endStream): end the Writable to match.
    if (!this.writableEnded) {
      this.#endedByCore = true;
      this.end();
    }
  }

  /** @internal the stream ended: normally (`err` undefined) or by reset. */
  _finish(err: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.session._forget(this.id);
    this.#writeCallback?.();
    this.#writeCallback = undefined;
    this.#finalCallback?.();
    this.#finalCallback = undefined;
    // A normal end needs nothing more: both sides already ended, and autoDestroy emits 'close' once
    // the application has read the rest. A reset discards what is left.
    if (err !== undefined) this.destroy(err);
  }
}
