import { type Budget, TokenBucket } from '@weft/framing';
import { encodeClose, parseClose } from './close.js';
import { WsError, WsUsageError } from './errors.js';
import { type Frame, FrameParser } from './frame/decode.js';
import { encodeFrame } from './frame/encode.js';
import { CloseCode, DEFAULT_MAX_PAYLOAD, MAX_CONTROL_PAYLOAD, Opcode } from './frame/types.js';
import { MessageBuffer } from './message-buffer.js';
import { isValidUtf8, Utf8Validator } from './utf8.js';

/** Options of {@link WsConnection}. */
export interface WsConnectionOptions {
  /** Which side we are: a client masks what it sends and refuses masked frames. */
  role: 'client' | 'server';
  /** Largest message (and frame) accepted. Default 16 MiB. */
  maxPayload?: number;
  /**
   * Most frames one message may arrive in (each costs parsing, even when empty; bytes are bounded by
   * `maxPayload` and fragments are appended to one buffer). Default 65,536 (the Autobahn suite's
   * 4 MiB in 64-byte fragments).
   */
  maxFragments?: number;
  /**
   * permessage-deflate was negotiated (RFC 7692): RSV1 marks a compressed message, reported as
   * `CompressedMessageReceived` for the adapter to inflate and hand back through `inflated()`.
   */
  perMessageDeflate?: boolean;
  /** Masking keys for client frames; default: fresh keys from crypto.getRandomValues (§5.3), 512 per call. */
  randomMask?: () => Uint8Array;
  /**
   * Pings the peer may send (each is answered with a pong): `rate` per second, `burst` at once;
   * past it the connection is closed 1008 (`WS_ERR_FLOOD`), as a ping flood would otherwise fill
   * the output with pongs a peer that does not read never takes. Default 50/s, bursts of 200 (as
   * @weft/mux's PING budget).
   */
  pingBudget?: Budget;
  /** The clock of the budgets, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** Default `pingBudget`. */
export const DEFAULT_PING_BUDGET: Readonly<Budget> = { rate: 50, burst: 200 };

/**
 * Random bytes cut into masking keys: one CSPRNG call per 512 frames. A `getRandomValues` call per
 * frame was half of a busy client's time (48.9% of the CPU of 100 rpc calls in flight over one
 * WebSocket); the `ws` package pools its keys the same way. Every key is still fresh, unpredictable
 * randomness, used once (§5.3).
 */
const MASK_POOL_BYTES = 2048;
let maskPool = new Uint8Array(0);
let maskAt = 0;

function randomMask(): Uint8Array {
  if (maskAt + 4 > maskPool.length) {
    maskPool = new Uint8Array(MASK_POOL_BYTES);
    globalThis.crypto.getRandomValues(maskPool);
    maskAt = 0;
  }
  const key = new Uint8Array(maskPool.buffer, maskAt, 4);
  maskAt += 4;
  return key;
}

/** What the core reports, in order. */
export type WsEvent =
  /** A complete message (text decoded as UTF-8, binary as bytes). */
  | { type: 'MessageReceived'; data: Uint8Array; text: string | undefined; binary: boolean }
  /**
   * A complete compressed message (RFC 7692 §6.2): `data` still deflated, without the 0x00 0x00
   * 0xff 0xff tail. Inflate it and pass the result to `inflated()` (or a failure to `fail()`);
   * the events after this one belong after the message.
   */
  | { type: 'CompressedMessageReceived'; data: Uint8Array; binary: boolean }
  /** A ping; the pong is already queued. */
  | { type: 'PingReceived'; data: Uint8Array }
  | { type: 'PongReceived'; data: Uint8Array }
  /** The peer's close frame. If we had not closed, our answering close is already queued. */
  | { type: 'CloseReceived'; code: number; reason: string }
  /** The close handshake completed both ways: the transport may be closed. */
  | { type: 'Closed'; code: number; reason: string }
  /** A protocol violation: our close frame with `error.closeCode` is queued; no more input is read. */
  | { type: 'ProtocolError'; error: WsError };

/** Connection states (RFC 6455 §4, §7). */
export type WsState = 'open' | 'closing' | 'closed';

const decoder = new TextDecoder();

/**
 * The pure WebSocket connection core (after the handshake): bytes in, events out, frames to send
 * queued. Assembles fragmented messages, validates text as it arrives (a bad byte fails the frame
 * that carries it, close 1007), answers pings, and runs the close handshake (§7.1).
 */
export class WsConnection {
  readonly #client: boolean;
  readonly #parser: FrameParser;
  readonly #maxPayload: number;
  readonly #maxFragments: number;
  readonly #random: () => Uint8Array;
  #outbound: Uint8Array[] = [];
  #state: WsState = 'open';
  #sentClose: { code: number; reason: string } | undefined;
  #receivedClose: { code: number; reason: string } | undefined;
  /** The data message being assembled. */
  #message: { opcode: number; compressed: boolean; bytes: MessageBuffer } | undefined;
  readonly #deflate: boolean;
  readonly #utf8 = new Utf8Validator();
  readonly #now: () => number;
  readonly #pings: TokenBucket;

  constructor(options: WsConnectionOptions) {
    this.#client = options.role === 'client';
    this.#maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.#maxFragments = options.maxFragments ?? 65_536;
    this.#deflate = options.perMessageDeflate ?? false;
    this.#parser = new FrameParser({
      role: options.role,
      maxPayload: this.#maxPayload,
      rsv1: this.#deflate,
    });
    this.#random = options.randomMask ?? randomMask;
    this.#now = options.now ?? Date.now;
    this.#pings = new TokenBucket(options.pingBudget ?? DEFAULT_PING_BUDGET, this.#now());
  }

  get state(): WsState {
    return this.#state;
  }

  /** Bytes queued to send (for `bufferedAmount`-style accounting by the adapter). */
  get outboundBytes(): number {
    let n = 0;
    for (const p of this.#outbound) n += p.length;
    return n;
  }

  /**
   * Feed bytes from the peer; returns what they caused. With `maxMessages`, processing stops after
   * that many (possibly compressed) messages and the frames behind them wait in the parser; call
   * again (with an empty chunk) to go on. An adapter that answers each message before reading on
   * passes 1, so a reply is never overtaken by a close or a violation that arrived in the same read.
   */
  receive(chunk: Uint8Array, maxMessages = Number.POSITIVE_INFINITY): WsEvent[] {
    const events: WsEvent[] = [];
    if (this.#state === 'closed' || this.#receivedClose !== undefined) return events;
    this.#parser.write(chunk);
    let messages = 0;
    try {
      while (messages < maxMessages) {
        const f = this.#parser.next();
        if (f === undefined) break;
        const before = events.length;
        this.#frame(f, events);
        if (this.#receivedClose !== undefined) break;
        const last = events.length > before ? events[events.length - 1]!.type : undefined;
        if (last === 'MessageReceived' || last === 'CompressedMessageReceived') messages++;
      }
    } catch (err) {
      if (!(err instanceof WsError)) throw err;
      this.#fail(err, events);
    }
    return events;
  }

  #frame(f: Frame, events: WsEvent[]): void {
    switch (f.opcode) {
      case Opcode.Ping:
        if (!this.#pings.take(this.#now())) {
          throw new WsError(
            'WS_ERR_FLOOD',
            CloseCode.PolicyViolation,
            'more pings than the ping budget allows',
          );
        }
        if (this.#sentClose === undefined) this.#queue(Opcode.Pong, f.payload);
        events.push({ type: 'PingReceived', data: f.payload });
        return;
      case Opcode.Pong:
        events.push({ type: 'PongReceived', data: f.payload });
        return;
      case Opcode.Close: {
        const info = parseClose(f.payload);
        this.#receivedClose = info;
        events.push({ type: 'CloseReceived', ...info });
        if (this.#sentClose === undefined) {
          // "it MUST send a Close frame in response" (§5.5.1), echoing the code and reason (as the
          // ws package does; a reason needs a code).
          const echo = info.code === CloseCode.NoStatus ? undefined : info.code;
          this.#sendClose(echo, echo === undefined ? '' : info.reason);
        }
        this.#state = 'closed';
        events.push({ type: 'Closed', code: info.code, reason: info.reason });
        return;
      }
      default:
        this.#data(f, events);
    }
  }

  #data(f: Frame, events: WsEvent[]): void {
    let m = this.#message;
    if (f.opcode !== Opcode.Continuation) {
      m = { opcode: f.opcode, compressed: f.rsv1, bytes: new MessageBuffer(this.#maxPayload) };
      this.#message = m;
    }
    if (m === undefined) return; // the parser already refuses a continuation without a start
    if (m.bytes.fragments >= this.#maxFragments) {
      throw new WsError(
        'WS_ERR_MESSAGE_TOO_BIG',
        CloseCode.MessageTooBig,
        `message in more than ${this.#maxFragments} fragments`,
      );
    }
    if (m.opcode === Opcode.Text && !m.compressed && !this.#utf8.push(f.payload)) {
      throw new WsError('WS_ERR_INVALID_UTF8', CloseCode.InvalidPayload, 'invalid UTF-8 in a text message');
    }
    m.bytes.push(f.payload);
    if (!f.fin) return;
    this.#message = undefined;
    const data = m.bytes.take();
    if (m.compressed) {
      events.push({ type: 'CompressedMessageReceived', data, binary: m.opcode !== Opcode.Text });
      return;
    }
    this.#deliver(data, m.opcode !== Opcode.Text, events, true);
  }

  /**
   * The inflated content of a `CompressedMessageReceived`: text is validated as UTF-8 (1007 on
   * failure). Returns `MessageReceived`, or `ProtocolError` with our close frame queued.
   */
  inflated(data: Uint8Array, binary: boolean): WsEvent[] {
    const events: WsEvent[] = [];
    try {
      this.#deliver(data, binary, events, false);
    } catch (err) {
      if (!(err instanceof WsError)) throw err;
      this.#fail(err, events);
    }
    return events;
  }

  /**
   * Fail the connection for a violation found outside the core (an inflate error, an inflated
   * message over the limit): queues our close frame with `error.closeCode`.
   */
  fail(error: WsError): WsEvent[] {
    const events: WsEvent[] = [];
    this.#fail(error, events);
    return events;
  }

  /** `streamed`: the text was validated frame by frame and only its end is left to check. */
  #deliver(data: Uint8Array, binary: boolean, events: WsEvent[], streamed: boolean): void {
    if (binary) {
      events.push({ type: 'MessageReceived', data, text: undefined, binary: true });
      return;
    }
    if (!(streamed ? this.#utf8.end() : isValidUtf8(data))) {
      const where = streamed
        ? 'text message ends inside a UTF-8 sequence'
        : 'invalid UTF-8 in a text message';
      throw new WsError('WS_ERR_INVALID_UTF8', CloseCode.InvalidPayload, where);
    }
    events.push({ type: 'MessageReceived', data, text: decoder.decode(data), binary: false });
  }

  /**
   * Queue a message (or one fragment of it with `fin: false`; continue with the same call).
   * `compressed`: `data` is already deflated (RFC 7692 §7.2.1, tail removed on the last fragment);
   * RSV1 goes on the first frame. Only after permessage-deflate was negotiated.
   * @throws {WsUsageError} `WS_ERR_INVALID_STATE` after close.
   */
  send(
    data: Uint8Array | string,
    options: { binary?: boolean; fin?: boolean; continuation?: boolean; compressed?: boolean } = {},
  ): void {
    if (this.#sentClose !== undefined || this.#state === 'closed') {
      throw new WsUsageError('WS_ERR_INVALID_STATE', 'the connection is closing');
    }
    if (options.compressed && !this.#deflate)
      throw new WsUsageError('WS_ERR_INVALID_STATE', 'permessage-deflate was not negotiated');
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const opcode = options.continuation
      ? Opcode.Continuation
      : (options.binary ?? typeof data !== 'string')
        ? Opcode.Binary
        : Opcode.Text;
    // RSV1 marks the whole message on its first frame only (RFC 7692 §6.1).
    const rsv1 = (options.compressed ?? false) && opcode !== Opcode.Continuation;
    this.#queue(opcode, bytes, options.fin ?? true, rsv1);
  }

  /** Queue a ping (at most 125 bytes). */
  ping(data: Uint8Array = new Uint8Array(0)): void {
    this.#control(Opcode.Ping, data);
  }

  /** Queue an unsolicited pong (a heartbeat). */
  pong(data: Uint8Array = new Uint8Array(0)): void {
    this.#control(Opcode.Pong, data);
  }

  /**
   * Start the close handshake (§7.1.2): queue our close frame; `Closed` is reported when the peer's
   * arrives. Calling it again is a no-op.
   * @throws {WsError} `WS_ERR_INVALID_OPTION` for a code not allowed on the wire.
   */
  close(code?: number, reason = ''): void {
    if (this.#sentClose !== undefined || this.#state === 'closed') return;
    this.#sendClose(code, reason);
    this.#state = 'closing';
  }

  /** The frames to write now, in order. */
  takeOutbound(): Uint8Array[] {
    const out = this.#outbound;
    this.#outbound = [];
    return out;
  }

  #control(opcode: number, data: Uint8Array): void {
    if (data.length > MAX_CONTROL_PAYLOAD)
      throw new WsUsageError('WS_ERR_INVALID_OPTION', 'control payload over 125 bytes');
    if (this.#sentClose !== undefined || this.#state === 'closed')
      throw new WsUsageError('WS_ERR_INVALID_STATE', 'the connection is closing');
    this.#queue(opcode, data);
  }

  #sendClose(code: number | undefined, reason: string): void {
    const payload = encodeClose(code, reason);
    this.#sentClose = { code: code ?? CloseCode.NoStatus, reason };
    this.#queue(Opcode.Close, payload);
  }

  #queue(opcode: number, payload: Uint8Array, fin = true, rsv1 = false): void {
    const options = this.#client ? { fin, rsv1, mask: this.#random() } : { fin, rsv1 };
    for (const part of encodeFrame(opcode, payload, options)) {
      this.#outbound.push(part);
    }
  }

  #fail(err: WsError, events: WsEvent[]): void {
    // "the endpoint MUST _Fail the WebSocket Connection_" (§7.1.7): send a close frame if we can.
    if (this.#sentClose === undefined) this.#sendClose(err.closeCode, '');
    this.#state = 'closed';
    this.#message = undefined;
    events.push({ type: 'ProtocolError', error: err });
  }
}
