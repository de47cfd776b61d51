import { allocUninitialized, ByteQueue } from '@weft/framing';
import { WsError } from '../errors.js';
import { CloseCode, DEFAULT_MAX_PAYLOAD, MAX_CONTROL_PAYLOAD, Opcode } from './types.js';

/** A decoded frame, payload unmasked. */
export interface Frame {
  fin: boolean;
  /** RSV1: "per-message compressed" under permessage-deflate (RFC 7692). */
  rsv1: boolean;
  opcode: number;
  payload: Uint8Array;
}

/** Options of {@link FrameParser}. */
export interface FrameParserOptions {
  /** Which side parses: a server requires masked frames, a client refuses them (§5.1). */
  role: 'client' | 'server';
  /** Largest frame payload and message. Default 16 MiB. */
  maxPayload?: number;
  /** RSV1 allowed on the first frame of a data message (permessage-deflate negotiated). Default false. */
  rsv1?: boolean;
}

interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  length: number;
  headerLength: number;
  /** The masking key as a big-endian 32-bit number (a typed array per frame costs more than the XOR). */
  mask: number | undefined;
}

const fail = (
  code: ConstructorParameters<typeof WsError>[0],
  message: string,
  close: number = CloseCode.ProtocolError,
) => new WsError(code, close, message);

/**
 * Header bytes, copied out of the queue to be read. Shared by every parser (parsing is synchronous
 * and the mask is copied out): a typed array per connection cost 10,000 idle connections ~2 MB.
 */
const scratch = new Uint8Array(14);

/**
 * A resumable WebSocket frame parser (RFC 6455 §5.2) that enforces every frame-level must-fail rule
 * before buffering a payload: reserved bits, opcodes, masking direction, control frame size and
 * fragmentation, continuation order, shortest-form lengths, and the payload limit (from the header).
 * After a throw the parser is failed; the connection must close with `err.closeCode`.
 */
export class FrameParser {
  readonly #server: boolean;
  readonly #max: number;
  readonly #rsv1: boolean;
  readonly #queue = new ByteQueue();
  /** Header of the frame being received, once complete. */
  #header: FrameHeader | undefined;
  /** A fragmented data message is in progress; its bytes so far. */
  #message = -1;
  #failed: WsError | undefined;

  constructor(options: FrameParserOptions) {
    this.#server = options.role === 'server';
    this.#max = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.#rsv1 = options.rsv1 ?? false;
  }

  /** Bytes held for an incomplete frame. */
  get buffered(): number {
    return this.#queue.length;
  }

  /** Feed bytes; returns the frames they completed. @throws {WsError} with the close code to send. */
  push(chunk: Uint8Array): Frame[] {
    this.write(chunk);
    const out: Frame[] = [];
    for (let f = this.next(); f !== undefined; f = this.next()) out.push(f);
    return out;
  }

  /** Feed bytes without parsing them yet (see {@link next}). */
  write(chunk: Uint8Array): void {
    if (this.#failed === undefined && chunk.length > 0) this.#queue.push(chunk);
  }

  /**
   * The next complete frame, or undefined until more bytes arrive. Pulling one frame at a time
   * lets the caller act on a message before the frames behind it are even parsed.
   * @throws {WsError} with the close code to send, at the first invalid frame.
   */
  next(): Frame | undefined {
    if (this.#failed !== undefined) throw this.#failed;
    try {
      if (this.#header === undefined) {
        this.#header = this.#readHeader();
        if (this.#header === undefined) return undefined;
      }
      const h = this.#header;
      if (this.#queue.length < h.headerLength + h.length) return undefined;
      this.#queue.skip(h.headerLength);
      let payload = this.#queue.take(h.length);
      if (h.mask !== undefined) payload = unmaskWith(payload, h.mask);
      this.#header = undefined;
      return { fin: h.fin, rsv1: h.rsv1, opcode: h.opcode, payload };
    } catch (err) {
      this.#queue.clear();
      this.#failed = err as WsError;
      throw err;
    }
  }

  #readHeader(): FrameHeader | undefined {
    const q = this.#queue;
    if (q.length < 2) return undefined;
    const s = scratch;
    q.peekInto(s, Math.min(q.length, 14));
    const b0 = s[0]!;
    const b1 = s[1]!;
    const fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    const opcode = b0 & 0x0f;
    const control = opcode >= 0x8;
    if (
      opcode !== Opcode.Continuation &&
      opcode !== Opcode.Text &&
      opcode !== Opcode.Binary &&
      opcode !== Opcode.Close &&
      opcode !== Opcode.Ping &&
      opcode !== Opcode.Pong
    ) {
      throw fail('WS_ERR_INVALID_OPCODE', `reserved opcode 0x${opcode.toString(16)}`);
    }
    // "RSV1, RSV2, RSV3: MUST be 0 unless an extension is negotiated that defines meanings" (§5.2);
    // permessage-deflate's RSV1 goes on the first frame of a data message only (RFC 7692 §6).
    if ((b0 & 0x30) !== 0) throw fail('WS_ERR_RESERVED_BITS', 'RSV2 or RSV3 set');
    if (rsv1 && (!this.#rsv1 || control || opcode === Opcode.Continuation)) {
      throw fail(
        'WS_ERR_RESERVED_BITS',
        control ? 'RSV1 on a control frame' : 'RSV1 without permessage-deflate',
      );
    }
    const masked = (b1 & 0x80) !== 0;
    // "a client MUST mask all frames that it sends to the server" / "A server MUST NOT mask" (§5.1).
    if (this.#server && !masked) throw fail('WS_ERR_MASK_REQUIRED', 'unmasked frame from a client');
    if (!this.#server && masked) throw fail('WS_ERR_UNEXPECTED_MASK', 'masked frame from a server');
    if (control) {
      if (!fin) throw fail('WS_ERR_CONTROL_FRAGMENTED', 'fragmented control frame');
      if ((b1 & 0x7f) > MAX_CONTROL_PAYLOAD)
        throw fail('WS_ERR_CONTROL_TOO_LARGE', 'control frame over 125 bytes');
    } else if (opcode === Opcode.Continuation) {
      if (this.#message < 0) throw fail('WS_ERR_UNEXPECTED_CONTINUATION', 'continuation without a message');
    } else if (this.#message >= 0) {
      throw fail('WS_ERR_EXPECTED_CONTINUATION', 'new data frame inside a fragmented message');
    }
    let length = b1 & 0x7f;
    let at = 2;
    if (length === 126) {
      if (q.length < 4) return undefined;
      length = (s[2]! << 8) | s[3]!;
      if (length < 126) throw fail('WS_ERR_INVALID_LENGTH', 'length not in its shortest form');
      at = 4;
    } else if (length === 127) {
      if (q.length < 10) return undefined;
      const hi = s[2]! * 0x100_0000 + ((s[3]! << 16) | (s[4]! << 8) | s[5]!);
      const lo = s[6]! * 0x100_0000 + ((s[7]! << 16) | (s[8]! << 8) | s[9]!);
      // "the most significant bit MUST be 0" (§5.2)
      if (hi >= 0x8000_0000) throw fail('WS_ERR_INVALID_LENGTH', '64-bit length with its top bit set');
      if (hi >= 0x20_0000)
        throw fail('WS_ERR_MESSAGE_TOO_BIG', 'frame payload beyond 2^53', CloseCode.MessageTooBig);
      length = hi * 2 ** 32 + lo;
      if (length < 65536) throw fail('WS_ERR_INVALID_LENGTH', 'length not in its shortest form');
      at = 10;
    }
    const total = (opcode === Opcode.Continuation ? this.#message : 0) + length;
    if (total > this.#max) {
      throw fail(
        'WS_ERR_MESSAGE_TOO_BIG',
        `message of at least ${total} bytes exceeds maxPayload ${this.#max}`,
        CloseCode.MessageTooBig,
      );
    }
    let mask: number | undefined;
    if (masked) {
      if (q.length < at + 4) return undefined;
      mask = ((s[at]! << 24) | (s[at + 1]! << 16) | (s[at + 2]! << 8) | s[at + 3]!) >>> 0;
      at += 4;
    }
    if (!control) this.#message = fin ? -1 : total;
    return { fin, rsv1, opcode, length, headerLength: at, mask };
  }
}

/** XOR `payload` with the 4-byte mask into a new buffer (§5.3). */
export function unmask(payload: Uint8Array, mask: Uint8Array): Uint8Array {
  return unmaskWith(payload, ((mask[0]! << 24) | (mask[1]! << 16) | (mask[2]! << 8) | mask[3]!) >>> 0);
}

/** `unmask` with the key as a big-endian 32-bit number. */
function unmaskWith(payload: Uint8Array, key: number): Uint8Array {
  const out = allocUninitialized(payload.length);
  const m0 = key >>> 24;
  const m1 = (key >>> 16) & 0xff;
  const m2 = (key >>> 8) & 0xff;
  const m3 = key & 0xff;
  const n = payload.length;
  let i = 0;
  for (const end = n - 3; i < end; i += 4) {
    out[i] = payload[i]! ^ m0;
    out[i + 1] = payload[i + 1]! ^ m1;
    out[i + 2] = payload[i + 2]! ^ m2;
    out[i + 3] = payload[i + 3]! ^ m3;
  }
  for (; i < n; i++) out[i] = payload[i]! ^ ((key >>> (24 - 8 * (i & 3))) & 0xff);
  return out;
}
