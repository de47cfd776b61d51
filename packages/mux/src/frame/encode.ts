import { Flag, FRAME_HEADER_LENGTH, FrameType } from './types.js';

/**
 * Frame encoders (RFC 9113 §4.1, §6). Control frames are one small buffer each; DATA and header
 * blocks are a 9-byte header followed by a view of the payload, so nothing large is copied. Every
 * function appends to `out`, the parts the adapter hands to one `writev`.
 */

function writeHeader(b: Uint8Array, length: number, type: number, flags: number, streamId: number): void {
  b[0] = (length >>> 16) & 0xff;
  b[1] = (length >>> 8) & 0xff;
  b[2] = length & 0xff;
  b[3] = type;
  b[4] = flags;
  writeU32(b, 5, streamId & 0x7fff_ffff);
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** A frame header alone. */
export function frameHeader(length: number, type: number, flags: number, streamId: number): Uint8Array {
  const b = new Uint8Array(FRAME_HEADER_LENGTH);
  writeHeader(b, length, type, flags, streamId);
  return b;
}

/** DATA: header + the payload itself (not copied). */
export function encodeData(out: Uint8Array[], streamId: number, data: Uint8Array, endStream: boolean): void {
  out.push(frameHeader(data.length, FrameType.Data, endStream ? Flag.EndStream : 0, streamId));
  if (data.length > 0) out.push(data);
}

/**
 * HEADERS (or PUSH_PROMISE with `promisedId`) carrying `block`, split into CONTINUATION frames so
 * that no frame exceeds `maxFrameSize` (§4.3: a field block is sent as a contiguous run of frames).
 */
export function encodeHeaderBlock(
  out: Uint8Array[],
  streamId: number,
  block: Uint8Array,
  endStream: boolean,
  maxFrameSize: number,
  promisedId?: number,
): void {
  const prefix = promisedId === undefined ? 0 : 4;
  const firstLength = Math.min(block.length, maxFrameSize - prefix);
  const whole = firstLength === block.length;
  let flags = whole ? Flag.EndHeaders : 0;
  if (endStream && promisedId === undefined) flags |= Flag.EndStream;
  // A block that fits one frame (nearly all) is copied behind its header: one small buffer, not two.
  const head = new Uint8Array(FRAME_HEADER_LENGTH + prefix + (whole ? firstLength : 0));
  writeHeader(
    head,
    firstLength + prefix,
    promisedId === undefined ? FrameType.Headers : FrameType.PushPromise,
    flags,
    streamId,
  );
  if (promisedId !== undefined) writeU32(head, FRAME_HEADER_LENGTH, promisedId & 0x7fff_ffff);
  out.push(head);
  if (whole) {
    head.set(block, FRAME_HEADER_LENGTH + prefix);
    return;
  }
  if (firstLength > 0) out.push(block.subarray(0, firstLength));
  for (let at = firstLength; at < block.length; at += maxFrameSize) {
    const n = Math.min(maxFrameSize, block.length - at);
    out.push(frameHeader(n, FrameType.Continuation, at + n === block.length ? Flag.EndHeaders : 0, streamId));
    out.push(block.subarray(at, at + n));
  }
}

/** SETTINGS with the given parameters, or an acknowledgement. */
export function encodeSettings(settings: readonly (readonly [number, number])[], ack = false): Uint8Array {
  const b = new Uint8Array(FRAME_HEADER_LENGTH + settings.length * 6);
  writeHeader(b, settings.length * 6, FrameType.Settings, ack ? Flag.Ack : 0, 0);
  let at = FRAME_HEADER_LENGTH;
  for (const [id, value] of settings) {
    b[at] = (id >>> 8) & 0xff;
    b[at + 1] = id & 0xff;
    writeU32(b, at + 2, value);
    at += 6;
  }
  return b;
}

/** PING with 8 octets of opaque data. */
export function encodePing(data: Uint8Array, ack: boolean): Uint8Array {
  const b = new Uint8Array(FRAME_HEADER_LENGTH + 8);
  writeHeader(b, 8, FrameType.Ping, ack ? Flag.Ack : 0, 0);
  b.set(data.subarray(0, 8), FRAME_HEADER_LENGTH);
  return b;
}

/** GOAWAY with the last processed stream id, an error code and optional debug data. */
export function encodeGoaway(lastStreamId: number, code: number, debug?: Uint8Array): Uint8Array {
  const d = debug ?? new Uint8Array(0);
  const b = new Uint8Array(FRAME_HEADER_LENGTH + 8 + d.length);
  writeHeader(b, 8 + d.length, FrameType.Goaway, 0, 0);
  writeU32(b, FRAME_HEADER_LENGTH, lastStreamId & 0x7fff_ffff);
  writeU32(b, FRAME_HEADER_LENGTH + 4, code);
  b.set(d, FRAME_HEADER_LENGTH + 8);
  return b;
}

/** WINDOW_UPDATE granting `increment` (1 to 2^31 - 1) on a stream or (0) the connection. */
export function encodeWindowUpdate(streamId: number, increment: number): Uint8Array {
  const b = new Uint8Array(FRAME_HEADER_LENGTH + 4);
  writeHeader(b, 4, FrameType.WindowUpdate, 0, streamId);
  writeU32(b, FRAME_HEADER_LENGTH, increment & 0x7fff_ffff);
  return b;
}

/** RST_STREAM with an error code. */
export function encodeRstStream(streamId: number, code: number): Uint8Array {
  const b = new Uint8Array(FRAME_HEADER_LENGTH + 4);
  writeHeader(b, 4, FrameType.RstStream, 0, streamId);
  writeU32(b, FRAME_HEADER_LENGTH, code);
  return b;
}

/** PRIORITY_UPDATE (RFC 9218 §7.1) reprioritising `streamId` with a Priority field value. */
export function encodePriorityUpdate(streamId: number, fieldValue: string): Uint8Array {
  const b = new Uint8Array(FRAME_HEADER_LENGTH + 4 + fieldValue.length);
  writeHeader(b, 4 + fieldValue.length, FrameType.PriorityUpdate, 0, 0);
  writeU32(b, FRAME_HEADER_LENGTH, streamId & 0x7fff_ffff);
  for (let i = 0; i < fieldValue.length; i++)
    b[FRAME_HEADER_LENGTH + 4 + i] = fieldValue.charCodeAt(i) & 0xff;
  return b;
}
