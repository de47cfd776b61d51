import { encodeClose, parseClose } from './close.js';
import { WsError, WsUsageError } from './errors.js';
import { type Frame, FrameParser } from './frame/decode.js';
import { encodeFrame } from './frame/encode.js';
import { CloseCode, DEFAULT_MAX_PAYLOAD, MAX_CONTROL_PAYLOAD, Opcode } from './frame/types.js';
import { Utf8Validator } from './utf8.js';

/** Options of {@link WsConnection}. */
export interface WsConnectionOptions {
  /** Which side we are: a client masks what it sends and refuses masked frames. */
  role: 'client' | 'server';
  /** Largest message (and frame) accepted. Default 16 MiB. */
  maxPayload?: number;
  /**
   * Most fragments one message may arrive in (a peer sending 1-byte fragments makes us hold many
   * small buffers). Default 4096.
   */
  maxFragments?: number;
  /** Masking keys for client frames; default crypto.getRandomValues (a fresh key per frame, §5.3). */
  randomMask?: () => Uint8Array;
}

/** What the core reports, in order. */
export type WsEvent =
  /** A complete message (text decoded as UTF-8, binary as bytes). */
  | { type: 'MessageReceived'; data: Uint8Array; text: string | undefined; binary: boolean }
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
  #message: { opcode: number; parts: Uint8Array[]; bytes: number } | undefined;
  readonly #utf8 = new Utf8Validator();

  constructor(options: WsConnectionOptions) {
    this.#client = options.role === 'client';
    this.#maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.#maxFragments = options.maxFragments ?? 4096;
    this.#parser = new FrameParser({ role: options.role, maxPayload: this.#maxPayload });
    this.#random =
      options.randomMask ??
      (() => {
        const m = new Uint8Array(4);
        globalThis.crypto.getRandomValues(m);
        return m;
      });
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

  /** Feed bytes from the peer; returns what they caused. */
  receive(chunk: Uint8Array): WsEvent[] {
    const events: WsEvent[] = [];
    if (this.#state === 'closed' || this.#receivedClose !== undefined) return events;
    try {
      for (const f of this.#parser.push(chunk)) {
        this.#frame(f, events);
        if (this.#receivedClose !== undefined) break;
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
          // "it MUST send a Close frame in response" (§5.5.1), echoing the code.
          const echo = info.code === CloseCode.NoStatus ? undefined : info.code;
          this.#sendClose(echo, '');
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
      m = { opcode: f.opcode, parts: [], bytes: 0 };
      this.#message = m;
    }
    if (m === undefined) return; // the parser already refuses a continuation without a start
    if (m.parts.length >= this.#maxFragments) {
      throw new WsError(
        'WS_ERR_MESSAGE_TOO_BIG',
        CloseCode.MessageTooBig,
        `message in more than ${this.#maxFragments} fragments`,
      );
    }
    if (m.opcode === Opcode.Text && !this.#utf8.push(f.payload)) {
      throw new WsError('WS_ERR_INVALID_UTF8', CloseCode.InvalidPayload, 'invalid UTF-8 in a text message');
    }
    if (f.payload.length > 0) m.parts.push(f.payload);
    m.bytes += f.payload.length;
    if (!f.fin) return;
    this.#message = undefined;
    const data = m.parts.length === 1 ? m.parts[0]! : concat(m.parts, m.bytes);
    if (m.opcode === Opcode.Text) {
      if (!this.#utf8.end())
        throw new WsError(
          'WS_ERR_INVALID_UTF8',
          CloseCode.InvalidPayload,
          'text message ends inside a UTF-8 sequence',
        );
      events.push({ type: 'MessageReceived', data, text: decoder.decode(data), binary: false });
    } else {
      events.push({ type: 'MessageReceived', data, text: undefined, binary: true });
    }
  }

  /**
   * Queue a message (or one fragment of it with `fin: false`; continue with the same call).
   * @throws {WsUsageError} `WS_ERR_INVALID_STATE` after close.
   */
  send(
    data: Uint8Array | string,
    options: { binary?: boolean; fin?: boolean; continuation?: boolean } = {},
  ): void {
    if (this.#sentClose !== undefined || this.#state === 'closed') {
      throw new WsUsageError('WS_ERR_INVALID_STATE', 'the connection is closing');
    }
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const opcode = options.continuation
      ? Opcode.Continuation
      : (options.binary ?? typeof data !== 'string')
        ? Opcode.Binary
        : Opcode.Text;
    this.#queue(opcode, bytes, options.fin ?? true);
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

  #queue(opcode: number, payload: Uint8Array, fin = true): void {
    for (const part of encodeFrame(opcode, payload, this.#client ? { fin, mask: this.#random() } : { fin })) {
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

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
