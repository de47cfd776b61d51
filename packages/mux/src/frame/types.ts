/**
 * HTTP/2 wire constants (RFC 9113 §6, §7, §11; RFC 9218 for PRIORITY_UPDATE). Each carries its wire
 * number; the doc comments quote the specification.
 */

/** Frame types (RFC 9113 §6; RFC 9218 §7.1). */
export const FrameType = {
  /** "convey arbitrary, variable-length sequences of octets associated with a stream" (§6.1). */
  Data: 0x0,
  /** "used to open a stream ... and additionally carries a field block fragment" (§6.2). */
  Headers: 0x1,
  /** Deprecated RFC 7540 priority signal: "MUST be parsed but can be ignored" (§6.3). */
  Priority: 0x2,
  /** "allows for immediate termination of a stream" (§6.4). */
  RstStream: 0x3,
  /** "conveys configuration parameters that affect how endpoints communicate" (§6.5). */
  Settings: 0x4,
  /** "used to notify the peer endpoint in advance of streams the sender intends to initiate" (§6.6). */
  PushPromise: 0x5,
  /** "a mechanism for measuring a minimal round-trip time ... and for determining whether an idle connection is still functional" (§6.7). */
  Ping: 0x6,
  /** "used to initiate shutdown of a connection or to signal serious error conditions" (§6.8). */
  Goaway: 0x7,
  /** "used to implement flow control" (§6.9). */
  WindowUpdate: 0x8,
  /** "used to continue a sequence of field block fragments" (§6.10). */
  Continuation: 0x9,
  /** RFC 9218 §7.1: reprioritises a stream (urgency, incremental). */
  PriorityUpdate: 0x10,
} as const;
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

/** Frame flags (RFC 9113 §6). */
export const Flag = {
  /** DATA, HEADERS: "the last frame that the endpoint will send for the identified stream". */
  EndStream: 0x1,
  /** SETTINGS, PING: acknowledgement. */
  Ack: 0x1,
  /** HEADERS, PUSH_PROMISE, CONTINUATION: "this frame contains an entire field block". */
  EndHeaders: 0x4,
  /** DATA, HEADERS, PUSH_PROMISE: "the Pad Length field and any padding that it describes are present". */
  Padded: 0x8,
  /** HEADERS: "the Exclusive, Stream Dependency, and Weight fields are present". */
  Priority: 0x20,
} as const;

/** Error codes for RST_STREAM and GOAWAY (RFC 9113 §7). */
export const ErrorCode = {
  /** "The associated condition is not a result of an error." */
  NoError: 0x0,
  /** "The endpoint detected an unspecific protocol error." */
  ProtocolError: 0x1,
  /** "The endpoint encountered an unexpected internal error." */
  InternalError: 0x2,
  /** "The endpoint detected that its peer violated the flow-control protocol." */
  FlowControlError: 0x3,
  /** "The endpoint sent a SETTINGS frame but did not receive a response in a timely manner." */
  SettingsTimeout: 0x4,
  /** "The endpoint received a frame after a stream was half-closed." */
  StreamClosed: 0x5,
  /** "The endpoint received a frame with an invalid size." */
  FrameSizeError: 0x6,
  /** "The endpoint refused the stream prior to performing any application processing." */
  RefusedStream: 0x7,
  /** "The endpoint uses this error code to indicate that the stream is no longer needed." */
  Cancel: 0x8,
  /** "The endpoint is unable to maintain the field section compression context for the connection." */
  CompressionError: 0x9,
  /** "The connection established in response to a CONNECT request was reset or abnormally closed." */
  ConnectError: 0xa,
  /** "The endpoint detected that its peer is exhibiting a behavior that might be generating excessive load." */
  EnhanceYourCalm: 0xb,
  /** "The underlying transport has properties that do not meet minimum security requirements." */
  InadequateSecurity: 0xc,
  /** "The endpoint requires that HTTP/1.1 be used instead of HTTP/2." */
  Http11Required: 0xd,
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The name of an error code, for messages ("PROTOCOL_ERROR"); unknown codes as hex. */
export function errorCodeName(code: number): string {
  for (const [k, v] of Object.entries(ErrorCode)) {
    if (v === code) return k.replace(/([a-z])([A-Z0-9])/g, '$1_$2').toUpperCase();
  }
  return `0x${code.toString(16)}`;
}

/** SETTINGS parameters (RFC 9113 §6.5.2; RFC 9218 §2.1). Unknown ones "MUST be ignored". */
export const SettingId = {
  HeaderTableSize: 0x1,
  EnablePush: 0x2,
  MaxConcurrentStreams: 0x3,
  InitialWindowSize: 0x4,
  MaxFrameSize: 0x5,
  MaxHeaderListSize: 0x6,
  EnableConnectProtocol: 0x8,
  /** RFC 9218 §2.1: the sender does not use RFC 7540 priority signals. */
  NoRfc7540Priorities: 0x9,
  /**
   * Weft's symmetric-streams extension, in the range RFC 9113 §11.3 leaves for experiments
   * (0xf000-0xffff): 1 = "I accept streams opened by either side" (docs/mux-extension.md).
   */
  WeftSymmetricStreams: 0xf0a1,
} as const;

/** Size of the frame header: "All frames begin with a fixed 9-octet header" (§4.1). */
export const FRAME_HEADER_LENGTH = 9;
/** The client connection preface (§3.4). */
export const CLIENT_PREFACE: Uint8Array = new TextEncoder().encode('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/** Smallest and largest SETTINGS_MAX_FRAME_SIZE (§6.5.2): 2^14 and 2^24 - 1. */
export const MIN_MAX_FRAME_SIZE = 16_384;
export const MAX_MAX_FRAME_SIZE = 16_777_215;
/** Largest flow-control window: 2^31 - 1 (§6.9.1). */
export const MAX_WINDOW = 0x7fff_ffff;
/** The initial window of every stream and of the connection (§6.9.2): 65,535. */
export const DEFAULT_WINDOW = 65_535;
/** Largest stream identifier: 2^31 - 1 (§5.1.1). */
export const MAX_STREAM_ID = 0x7fff_ffff;
