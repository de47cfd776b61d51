import { MuxProtocolError } from '../errors.js';
import {
  ErrorCode,
  Flag,
  FrameType,
  MAX_MAX_FRAME_SIZE,
  MAX_WINDOW,
  MIN_MAX_FRAME_SIZE,
  SettingId,
} from './types.js';

/** RFC 7540 priority fields of HEADERS and PRIORITY: parsed, then ignored (RFC 9113 §5.3.2). */
export interface PriorityFields {
  exclusive: boolean;
  dependency: number;
  weight: number;
}

/** A decoded frame. `flags` keeps the raw flag bits for the types that have them. */
export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Uint8Array; flowLength: number }
  | {
      kind: 'headers';
      streamId: number;
      flags: number;
      fragment: Uint8Array;
      priority: PriorityFields | undefined;
    }
  | { kind: 'priority'; streamId: number; priority: PriorityFields }
  | { kind: 'rst_stream'; streamId: number; code: number }
  | { kind: 'settings'; ack: boolean; settings: [id: number, value: number][] }
  | { kind: 'push_promise'; streamId: number; flags: number; promisedId: number; fragment: Uint8Array }
  | { kind: 'ping'; ack: boolean; data: Uint8Array }
  | { kind: 'goaway'; lastStreamId: number; code: number; debug: Uint8Array }
  | { kind: 'window_update'; streamId: number; increment: number }
  | { kind: 'continuation'; streamId: number; flags: number; fragment: Uint8Array }
  | { kind: 'priority_update'; prioritizedId: number; fieldValue: string }
  | { kind: 'unknown'; type: number; streamId: number };

const u32 = (b: Uint8Array, at: number) =>
  b[at]! * 0x100_0000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
const u31 = (b: Uint8Array, at: number) => u32(b, at) & 0x7fff_ffff;
const view = (b: Uint8Array, start: number, end: number) =>
  new Uint8Array(b.buffer, b.byteOffset + start, end - start);
const conn = (code: (typeof ErrorCode)[keyof typeof ErrorCode], msg: string) =>
  new MuxProtocolError(code, msg);

/**
 * Decode one whole frame (9-byte header + payload, as the frame splitter delivers it), enforcing the
 * per-frame rules of RFC 9113 §6. The payload views share `frame`'s memory.
 * @throws {MuxProtocolError} with the connection or stream error the RFC prescribes.
 */
export function decodeFrame(frame: Uint8Array): Frame {
  const length = frame.length - 9;
  const type = frame[3]!;
  const flags = frame[4]!;
  const streamId = u31(frame, 5);
  const p = 9; // payload start
  switch (type) {
    case FrameType.Data: {
      if (streamId === 0) throw conn(ErrorCode.ProtocolError, 'DATA on stream 0');
      const [start, end] = unpad(frame, p, flags, 'DATA');
      return { kind: 'data', streamId, flags, data: view(frame, start, end), flowLength: length };
    }
    case FrameType.Headers: {
      if (streamId === 0) throw conn(ErrorCode.ProtocolError, 'HEADERS on stream 0');
      let [start, end] = unpad(frame, p, flags, 'HEADERS');
      let priority: PriorityFields | undefined;
      if (flags & Flag.Priority) {
        if (end - start < 5)
          throw conn(ErrorCode.FrameSizeError, 'HEADERS too short for its priority fields');
        priority = readPriority(frame, start);
        start += 5;
        if (priority.dependency === streamId) {
          throw new MuxProtocolError(ErrorCode.ProtocolError, 'a stream cannot depend on itself', streamId);
        }
      }
      return { kind: 'headers', streamId, flags, fragment: view(frame, start, end), priority };
    }
    case FrameType.Priority: {
      if (streamId === 0) throw conn(ErrorCode.ProtocolError, 'PRIORITY on stream 0');
      // "A PRIORITY frame with a length other than 5 octets MUST be treated as a stream error".
      if (length !== 5)
        throw new MuxProtocolError(ErrorCode.FrameSizeError, 'PRIORITY must be 5 octets', streamId);
      const priority = readPriority(frame, p);
      if (priority.dependency === streamId) {
        throw new MuxProtocolError(ErrorCode.ProtocolError, 'a stream cannot depend on itself', streamId);
      }
      return { kind: 'priority', streamId, priority };
    }
    case FrameType.RstStream:
      if (streamId === 0) throw conn(ErrorCode.ProtocolError, 'RST_STREAM on stream 0');
      if (length !== 4) throw conn(ErrorCode.FrameSizeError, 'RST_STREAM must be 4 octets');
      return { kind: 'rst_stream', streamId, code: u32(frame, p) };
    case FrameType.Settings: {
      if (streamId !== 0) throw conn(ErrorCode.ProtocolError, 'SETTINGS on a stream');
      const ack = (flags & Flag.Ack) !== 0;
      if (ack && length !== 0) throw conn(ErrorCode.FrameSizeError, 'SETTINGS ACK with a payload');
      if (length % 6 !== 0) throw conn(ErrorCode.FrameSizeError, 'SETTINGS length not a multiple of 6');
      const settings: [number, number][] = [];
      for (let at = p; at < frame.length; at += 6) {
        const id = (frame[at]! << 8) | frame[at + 1]!;
        const value = u32(frame, at + 2);
        checkSetting(id, value);
        settings.push([id, value]);
      }
      return { kind: 'settings', ack, settings };
    }
    case FrameType.PushPromise: {
      if (streamId === 0) throw conn(ErrorCode.ProtocolError, 'PUSH_PROMISE on stream 0');
      const [start, end] = unpad(frame, p, flags, 'PUSH_PROMISE');
      if (end - start < 4) throw conn(ErrorCode.FrameSizeError, 'PUSH_PROMISE too short');
      return {
        kind: 'push_promise',
        streamId,
        flags,
        promisedId: u31(frame, start),
        fragment: view(frame, start + 4, end),
      };
    }
    case FrameType.Ping:
      if (streamId !== 0) throw conn(ErrorCode.ProtocolError, 'PING on a stream');
      if (length !== 8) throw conn(ErrorCode.FrameSizeError, 'PING must be 8 octets');
      return { kind: 'ping', ack: (flags & Flag.Ack) !== 0, data: view(frame, p, p + 8) };
    case FrameType.Goaway:
      if (streamId !== 0) throw conn(ErrorCode.ProtocolError, 'GOAWAY on a stream');
      if (length < 8) throw conn(ErrorCode.FrameSizeError, 'GOAWAY shorter than 8 octets');
      return {
        kind: 'goaway',
        lastStreamId: u31(frame, p),
        code: u32(frame, p + 4),
        debug: view(frame, p + 8, frame.length),
      };
    case FrameType.WindowUpdate: {
      if (length !== 4) throw conn(ErrorCode.FrameSizeError, 'WINDOW_UPDATE must be 4 octets');
      const increment = u31(frame, p);
      // "A receiver MUST treat the receipt of a WINDOW_UPDATE frame with a flow-control window
      // increment of 0 as a stream error ... errors on the connection flow-control window MUST be
      // treated as a connection error" (§6.9).
      if (increment === 0)
        throw new MuxProtocolError(ErrorCode.ProtocolError, 'WINDOW_UPDATE of 0', streamId);
      return { kind: 'window_update', streamId, increment };
    }
    case FrameType.Continuation:
      if (streamId === 0) throw conn(ErrorCode.ProtocolError, 'CONTINUATION on stream 0');
      return { kind: 'continuation', streamId, flags, fragment: view(frame, p, frame.length) };
    case FrameType.PriorityUpdate: {
      if (streamId !== 0) throw conn(ErrorCode.ProtocolError, 'PRIORITY_UPDATE on a stream');
      if (length < 4) throw conn(ErrorCode.FrameSizeError, 'PRIORITY_UPDATE shorter than 4 octets');
      let fieldValue = '';
      for (let i = p + 4; i < frame.length; i++) fieldValue += String.fromCharCode(frame[i]!);
      return { kind: 'priority_update', prioritizedId: u31(frame, p), fieldValue };
    }
    default:
      // "Implementations MUST ignore and discard frames of unknown types" (§4.1).
      return { kind: 'unknown', type, streamId };
  }
}

/** The payload range without padding (§6.1): `[start, end)`. */
function unpad(frame: Uint8Array, p: number, flags: number, name: string): [number, number] {
  if ((flags & Flag.Padded) === 0) return [p, frame.length];
  if (frame.length === p) throw conn(ErrorCode.FrameSizeError, `${name} too short for its pad length`);
  const pad = frame[p]!;
  // "If the length of the padding is the length of the frame payload or greater, the recipient MUST
  // treat this as a connection error of type PROTOCOL_ERROR."
  if (pad >= frame.length - p) throw conn(ErrorCode.ProtocolError, `${name} padding exceeds the payload`);
  return [p + 1, frame.length - pad];
}

function readPriority(frame: Uint8Array, at: number): PriorityFields {
  return { exclusive: (frame[at]! & 0x80) !== 0, dependency: u31(frame, at), weight: frame[at + 4]! + 1 };
}

/** Value checks of §6.5.2; unknown settings are ignored. */
function checkSetting(id: number, value: number): void {
  switch (id) {
    case SettingId.EnablePush:
      if (value > 1) throw conn(ErrorCode.ProtocolError, `SETTINGS_ENABLE_PUSH of ${value}`);
      break;
    case SettingId.InitialWindowSize:
      if (value > MAX_WINDOW)
        throw conn(ErrorCode.FlowControlError, `SETTINGS_INITIAL_WINDOW_SIZE of ${value}`);
      break;
    case SettingId.MaxFrameSize:
      if (value < MIN_MAX_FRAME_SIZE || value > MAX_MAX_FRAME_SIZE) {
        throw conn(ErrorCode.ProtocolError, `SETTINGS_MAX_FRAME_SIZE of ${value}`);
      }
      break;
    case SettingId.EnableConnectProtocol:
    case SettingId.NoRfc7540Priorities:
    case SettingId.WeftSymmetricStreams:
      if (value > 1)
        throw conn(
          ErrorCode.ProtocolError,
          `SETTINGS value ${value} for boolean setting 0x${id.toString(16)}`,
        );
      break;
  }
}
