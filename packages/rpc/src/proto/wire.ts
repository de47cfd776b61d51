/**
 * The few pieces of the protobuf binary format (protobuf.dev "Encoding") that the standard
 * messages Weft speaks without a protobuf runtime need: varints, length-delimited fields, and a
 * reader that skips what it does not know. Enough for `grpc.health.v1` and `google.rpc.Status`;
 * services of your own go through protobuf-es.
 * Internal to the package (the entry points export only what their users need of it).
 */

/** Wire types (protobuf.dev "Message Structure"). */
export const WireType = { Varint: 0, Fixed64: 1, LengthDelimited: 2, Fixed32: 5 } as const;

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** A growable buffer that protobuf fields are appended to. */
export class ProtoWriter {
  #buf = new Uint8Array(64);
  #at = 0;

  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#at + n));
    next.set(this.#buf.subarray(0, this.#at));
    this.#buf = next;
  }

  /** A varint of a non-negative integer below 2^53. */
  varint(value: number): this {
    this.#room(10);
    let v = value;
    while (v >= 0x80) {
      this.#buf[this.#at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#at++] = v;
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  /** A varint field (int32, enum, bool; negative int32 as its 10-byte two's complement). */
  int(field: number, value: number): this {
    if (value === 0) return this; // proto3: a default value is not written
    this.tag(field, WireType.Varint);
    if (value >= 0) return this.varint(value);
    // Negative: two's complement over 64 bits, always 10 bytes.
    const low = value >>> 0;
    const high = Math.floor(value / 2 ** 32) >>> 0;
    return this.varint64(low, high);
  }

  varint64(low: number, high: number): this {
    this.#room(10);
    let lo = low >>> 0;
    let hi = high >>> 0;
    while (hi !== 0 || lo >= 0x80) {
      this.#buf[this.#at++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.#buf[this.#at++] = lo;
    return this;
  }

  /** A length-delimited field of bytes (written even when empty only if `always`). */
  bytes(field: number, value: Uint8Array, always = false): this {
    if (value.length === 0 && !always) return this;
    this.tag(field, WireType.LengthDelimited).varint(value.length);
    this.#room(value.length);
    this.#buf.set(value, this.#at);
    this.#at += value.length;
    return this;
  }

  string(field: number, value: string, always = false): this {
    return this.bytes(field, utf8.encode(value), always);
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#at);
  }
}

/** A protobuf message being read: `next()` gives each field in turn. */
export class ProtoReader {
  readonly #buf: Uint8Array;
  #at = 0;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
  }

  get done(): boolean {
    return this.#at >= this.#buf.length;
  }

  /** The next field's number and wire type. @throws RangeError when malformed. */
  tag(): { field: number; wireType: number } {
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field < 1) throw new RangeError('protobuf: invalid field number 0');
    return { field, wireType: key % 8 };
  }

  /** The low 32 bits of the last varint read, exactly (int32 and enum values). */
  #low32 = 0;

  /** A varint, exact up to 2^53 (larger values lose low bits; `int32()` reads those exactly). */
  varint(): number {
    let value = 0;
    let scale = 1;
    let low = 0;
    for (let i = 0; i < 10; i++) {
      if (this.#at >= this.#buf.length) throw new RangeError('protobuf: truncated varint');
      const byte = this.#buf[this.#at++]!;
      if (i < 5) low = (low | ((byte & 0x7f) << (7 * i))) >>> 0;
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
      if (byte < 0x80) {
        this.#low32 = low;
        return value;
      }
    }
    throw new RangeError('protobuf: varint longer than 10 bytes');
  }

  /** An int32 or enum field's value (a negative one comes as a 64-bit two's complement varint). */
  int32(): number {
    this.varint();
    return this.#low32 | 0;
  }

  bytes(): Uint8Array {
    const length = this.varint();
    if (length > this.#buf.length - this.#at) throw new RangeError('protobuf: truncated field');
    const out = this.#buf.subarray(this.#at, this.#at + length);
    this.#at += length;
    return out;
  }

  /** @throws TypeError for invalid UTF-8 (proto3 strings must be valid). */
  string(): string {
    return utf8Strict.decode(this.bytes());
  }

  /** Skip a field of `wireType` the reader does not know. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.#advance(8);
        return;
      case WireType.LengthDelimited:
        this.bytes();
        return;
      case WireType.Fixed32:
        this.#advance(4);
        return;
      default:
        throw new RangeError(`protobuf: unsupported wire type ${wireType}`);
    }
  }

  #advance(n: number): void {
    if (n > this.#buf.length - this.#at) throw new RangeError('protobuf: truncated field');
    this.#at += n;
  }
}

/**
 * Read every field of a message: `each` reads a field it knows from `reader` and returns true;
 * fields it returns false for are skipped.
 * @throws RangeError or TypeError for malformed bytes.
 */
export function readFields(
  bytes: Uint8Array,
  each: (field: number, wireType: number, reader: ProtoReader) => boolean,
): void {
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (!each(field, wireType, reader)) reader.skip(wireType);
  }
}
