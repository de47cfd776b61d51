import { IdMap, TokenBucket } from '@weft/framing';
import { BdpEstimator, MAX_AUTO_CONNECTION_WINDOW, MAX_AUTO_STREAM_WINDOW } from './bdp.js';
import { MuxProtocolError, MuxUsageError } from './errors.js';
import type { ConnectionEvent, HeadersKind } from './events.js';
import { decodeFrame, type Frame } from './frame/decode.js';
import {
  encodeData,
  encodeGoaway,
  encodeHeaderBlock,
  encodePing,
  encodePriorityUpdate,
  encodeRstStream,
  encodeSettings,
  encodeWindowUpdate,
} from './frame/encode.js';
import { FrameReader, type FrameSink } from './frame/reader.js';
import {
  CLIENT_PREFACE,
  DEFAULT_WINDOW,
  ErrorCode,
  Flag,
  MAX_STREAM_ID,
  MAX_WINDOW,
  SettingId,
} from './frame/types.js';
import { type HeaderBlock, HeaderBlockAssembler } from './header-block.js';
import { type BlockKind, declaredLength, validateBlock } from './headers.js';
import { HpackDecoder } from './hpack/decoder.js';
import { type HeaderField, HpackEncoder } from './hpack/encoder.js';
import { HpackError } from './hpack/errors.js';
import { DEFAULT_FLOOD_LIMITS, type FloodLimits, MAX_QUEUED_CONTROL_FRAMES } from './limits.js';
import { DEFAULT_PRIORITY, formatPriority, type Priority, parsePriority } from './priority.js';
import { ReceiveWindow } from './receive-window.js';
import { Scheduler } from './scheduler.js';
import { applyWire, PROTOCOL_DEFAULTS, resolveSettings, type Settings, settingsToWire } from './settings.js';
import { canReceive, canSend, type StreamEvent, type StreamState, transition } from './state.js';

/** Options of {@link Connection}. */
export interface ConnectionOptions {
  role: 'client' | 'server';
  /** Settings we advertise (defaults: `WEFT_DEFAULTS`). */
  settings?: Partial<Settings>;
  /** Receive window of the whole connection, opened right after the preface. Default 1 MiB. */
  connectionWindow?: number;
  /** Largest HPACK table our encoder uses, whatever the peer allows. Default 4096. */
  encoderTableSize?: number;
  /**
   * Grow receive windows to the bandwidth-delay product (PING round trips), from the advertised
   * initial values up to 16 MiB per stream and 32 MiB for the connection. Default true.
   */
  autoTuneWindows?: boolean;
  /** Flood budgets (token buckets); see {@link FloodLimits}. */
  limits?: Partial<FloodLimits>;
  /** Clock in milliseconds for the budgets (injectable for tests). Default `performance.now`. */
  now?: () => number;
}

/**
 * Encoded header block bytes allowed beyond SETTINGS_MAX_HEADER_LIST_SIZE: an HPACK block is never
 * much larger than the list it decodes to (each field costs 32 octets in the list, a few in the block).
 */
const BLOCK_SLACK = 1024;

/** DATA granularity of the scheduler: a small call waits for at most one chunk of a large transfer. */
export const DATA_CHUNK = 16_384;

/**
 * Largest DATA frame for a stream alone in the send queue, within the peer's MAX_FRAME_SIZE: with
 * nobody to take turns with, fewer and larger frames cost both sides less (the receiver streams DATA
 * payloads, so a large frame is never buffered whole).
 */
export const BULK_CHUNK = 1 << 20;

/** Queued writes smaller than this may be joined (copied) into one frame; larger ones never are. */
const JOIN_LIMIT = 4096;

/**
 * `#rx` between batches. Keeping the last batch's events until the next batch cost dearly: in about
 * one run in five of a busy rpc-over-mux process, after an incremental mark-compact ~3% of all it
 * allocated was promoted at every scavenge from then on — mostly decoded header lists, which only
 * those events held (not with `--no-incremental-marking`, not once the array was let go).
 */
const NO_EVENTS: ConnectionEvent[] = Object.freeze([]) as unknown as ConnectionEvent[];

/** Stream ids we reset recently: frames the peer had in flight for them are ignored, not errors. */
const RECENT_RESETS = 256;

/**
 * Streams we open before the peer's first SETTINGS arrive. The protocol's initial
 * MAX_CONCURRENT_STREAMS is unlimited (§6.5.2), but a server that turns out to allow fewer refuses
 * the rest, and a client starting with 1,000 calls saw 750 of them refused. Until the SETTINGS come
 * we assume 100, the least §5.1.2 recommends a peer to allow (Go's http2 transport does the same);
 * requests beyond it wait, then open as the real limit allows.
 */
const ASSUMED_MAX_CONCURRENT_STREAMS = 100;

interface Stream {
  id: number;
  state: StreamState;
  local: boolean;
  /** Bytes we may still send. */
  sendWindow: number;
  /** Bytes the peer may still send. */
  recvWindow: number;
  /** Bytes consumed by the application, not yet returned with WINDOW_UPDATE. */
  unacked: number;
  pending: Uint8Array[];
  pendingBytes: number;
  /** END_STREAM (with or after the pending data and trailers) is queued. */
  pendingEnd: boolean;
  pendingTrailers: HeaderField[] | undefined;
  queued: boolean;
  schedPrev: Stream | undefined;
  schedNext: Stream | undefined;
  schedLane: object | undefined;
  /** Client: a final response arrived. Server: the request headers arrived. */
  headersDone: boolean;
  /** Client: request queued until the peer's concurrency limit allows it. */
  waiting: { headers: HeaderField[]; endStream: boolean } | undefined;
  /** RFC 9218 priority: from the request's `priority` field or PRIORITY_UPDATE. */
  priority: Priority;
  /** A pushed stream (RFC 9113 §8.4): opened by the server, yet it carries a response. */
  pushed: boolean;
  /** Our request (or the promised one) is HEAD: its response has no content. */
  head: boolean;
  /** Content bytes the peer's `content-length` still announces; -1 when it sent none (§8.1.1). */
  contentLeft: number;
}

/**
 * The pure HTTP/2 connection core (RFC 9113): bytes in, events out, bytes to send queued. No sockets,
 * no timers: the adapter feeds `receive()`, calls the commands, and writes `takeOutbound()`.
 */
export class Connection {
  readonly role: 'client' | 'server';
  #local: Settings;
  #remote: Settings = { ...PROTOCOL_DEFAULTS };
  /** The peer's first SETTINGS arrived (until then, ASSUMED_MAX_CONCURRENT_STREAMS applies). */
  #remoteSettingsSeen = false;
  /** Our settings waiting for the peer's ACK (applied to the decoder then). */
  /** SETTINGS we sent that the peer has not acknowledged yet, oldest first, with when they left. */
  #unackedSettings: { settings: Settings; at: number }[] = [];
  readonly #encoder: HpackEncoder;
  readonly #decoder: HpackDecoder;
  readonly #encoderTableLimit: number;
  readonly #reader: FrameReader;
  /** Header blocks in assembly; beyond its byte limit the decoded list would exceed ours. */
  readonly #blocks: HeaderBlockAssembler;
  readonly #sink: FrameSink;
  /** The events of the `receive()` in progress ({@link NO_EVENTS} between batches). */
  #rx: ConnectionEvent[] = NO_EVENTS;
  /** The stream the DATA payload being read goes to (undefined: dropped, its credit returned). */
  #rxStream: Stream | undefined;
  /** The DATA frame being read carries END_STREAM. */
  #rxEnd = false;
  /**
   * Payload bytes of that frame still to arrive: counted against our windows since its header, but
   * not the reader's to consume yet.
   */
  #rxLeft = 0;
  readonly #streams = new IdMap<Stream>();
  #control: Uint8Array[] = [];
  readonly #sendQueue = new Scheduler<Stream>();
  /** PRIORITY_UPDATEs for streams not opened yet (RFC 9218 §7.1 allows them), bounded. */
  readonly #earlyPriorities = new Map<number, Priority>();
  #waiting: Stream[] = [];
  #nextLocalId: number;
  #lastRemoteId = 0;
  #localActive = 0;
  #remoteActive = 0;
  #connSendWindow = DEFAULT_WINDOW;
  readonly #connRecv: ReceiveWindow;
  readonly #bdp: BdpEstimator | undefined;
  /**
   * Received-but-unconsumed bytes when the current `receive()` began (the reader's lag); the rest of
   * a DATA frame still arriving is not counted.
   */
  #unreadAtBatchStart = 0;
  /** DATA or HEADERS arrived since the peer's last PING. */
  #workSincePing = false;
  #prefaceLeft: number;
  #sawSettings = false;
  readonly #recentResets: number[] = [];
  /** Events caused by commands (a local END_STREAM closing a stream, a waiting request opening). */
  #deferred: ConnectionEvent[] = [];
  #goawaySent: number | undefined;
  #goawayReceived: number | undefined;
  #dead = false;
  readonly #now: () => number;
  readonly #buckets: Record<keyof FloodLimits, TokenBucket>;

  /** @throws {MuxUsageError} `MUX_ERR_INVALID_OPTION` */
  constructor(options: ConnectionOptions) {
    this.role = options.role;
    this.#local = resolveSettings(options.settings);
    this.#now = options.now ?? (() => performance.now());
    const limits = { ...DEFAULT_FLOOD_LIMITS, ...options.limits };
    const t = this.#now();
    this.#buckets = {
      peerResets: new TokenBucket(limits.peerResets, t),
      localResets: new TokenBucket(limits.localResets, t),
      pings: new TokenBucket(limits.pings, t),
      settings: new TokenBucket(limits.settings, t),
      emptyFrames: new TokenBucket(limits.emptyFrames, t),
      priorities: new TokenBucket(limits.priorities, t),
    };
    this.#encoderTableLimit = options.encoderTableSize ?? 4096;
    const connectionWindow = options.connectionWindow ?? 1 << 20;
    if (
      !Number.isInteger(connectionWindow) ||
      connectionWindow < DEFAULT_WINDOW ||
      connectionWindow > MAX_WINDOW
    ) {
      throw new MuxUsageError(
        'MUX_ERR_INVALID_OPTION',
        `connectionWindow must be an integer in [65535, 2^31 - 1]`,
      );
    }
    this.#connRecv = new ReceiveWindow(connectionWindow);
    this.#encoder = new HpackEncoder({
      tableSize: Math.min(this.#encoderTableLimit, PROTOCOL_DEFAULTS.headerTableSize),
    });
    // Until the peer ACKs our SETTINGS it may use the protocol's 4096-byte table.
    this.#decoder = new HpackDecoder({
      maxTableSize: Math.max(this.#local.headerTableSize, PROTOCOL_DEFAULTS.headerTableSize),
      maxHeaderListSize: this.#local.maxHeaderListSize,
    });
    this.#blocks = new HeaderBlockAssembler(this.#local.maxHeaderListSize + BLOCK_SLACK);
    this.#reader = new FrameReader(this.#local.maxFrameSize, this.#blocks.maxBytes);
    this.#sink = {
      frame: (bytes) => {
        this.#frame(bytes, this.#rx);
        return !this.#dead;
      },
      dataHeader: (streamId, flags, length) => {
        this.#dataHeader(streamId, flags, length, this.#rx);
        return !this.#dead;
      },
      dataPayload: (data, last) => {
        this.#dataPayload(data, last, this.#rx);
        return !this.#dead;
      },
    };
    this.#bdp = options.autoTuneWindows === false ? undefined : new BdpEstimator();
    this.#nextLocalId = this.role === 'client' ? 1 : 2;
    this.#prefaceLeft = this.role === 'server' ? CLIENT_PREFACE.length : 0;
    // The connection preface (§3.4): the client's magic, then each side's SETTINGS.
    if (this.role === 'client') this.#control.push(CLIENT_PREFACE);
    this.#control.push(encodeSettings(settingsToWire(this.#local)));
    this.#unackedSettings.push({ settings: this.#local, at: this.#now() });
    const opening = this.#connRecv.opening();
    if (opening > 0) this.#control.push(encodeWindowUpdate(0, opening));
  }

  /**
   * Whether the symmetric-streams extension is in force: both peers advertised it, so the server may
   * open streams too (docs/mux-extension.md). Push is off while it is.
   */
  get symmetric(): boolean {
    return this.#local.symmetricStreams && this.#remote.symmetricStreams;
  }

  /** Our settings. */
  get localSettings(): Readonly<Settings> {
    return this.#local;
  }

  /** The peer's settings as last received. */
  get remoteSettings(): Readonly<Settings> {
    return this.#remote;
  }

  /** False once a connection error occurred or GOAWAY was exchanged and all streams ended. */
  get alive(): boolean {
    return !this.#dead;
  }

  /** Streams not yet closed. */
  get streamCount(): number {
    return this.#streams.size;
  }

  /**
   * Whether `takeOutbound()` or `takeEvents()` would give anything, or the connection is over: the
   * adapter flushes only then (most reads of a bulk transfer leave nothing to answer).
   */
  get wantsFlush(): boolean {
    return this.#control.length > 0 || this.#sendQueue.size > 0 || this.#deferred.length > 0 || this.#dead;
  }

  /** Bytes queued for `streamId` and not yet sent (for the adapter's backpressure). */
  pendingBytes(streamId: number): number {
    return this.#streams.get(streamId)?.pendingBytes ?? 0;
  }

  /**
   * Whether `streamId` still has something queued to send: DATA, trailers or its END_STREAM (a
   * stream whose DATA all left may still hold its ending, e.g. while the socket is backed up).
   */
  sending(streamId: number): boolean {
    const s = this.#streams.get(streamId);
    if (s === undefined) return false;
    return s.pendingBytes > 0 || s.waiting !== undefined || (s.pendingEnd && canSend(s.state));
  }

  /** Bytes `streamId` may send now under flow control. */
  sendWindow(streamId: number): number {
    const s = this.#streams.get(streamId);
    return s === undefined ? 0 : Math.max(0, Math.min(s.sendWindow, this.#connSendWindow));
  }

  // ---------------------------------------------------------------- input

  /** Feed bytes from the peer; returns the events they caused, in order. */
  receive(chunk: Uint8Array): ConnectionEvent[] {
    const events = this.takeEvents();
    if (this.#dead) return events;
    this.#unreadAtBatchStart = this.#connRecv.unread(this.#rxLeft);
    let bytes = chunk;
    try {
      if (this.#prefaceLeft > 0) {
        const n = Math.min(this.#prefaceLeft, bytes.length);
        const offset = CLIENT_PREFACE.length - this.#prefaceLeft;
        for (let i = 0; i < n; i++) {
          if (bytes[i] !== CLIENT_PREFACE[offset + i]) {
            throw new MuxProtocolError(ErrorCode.ProtocolError, 'invalid client connection preface');
          }
        }
        this.#prefaceLeft -= n;
        bytes = bytes.subarray(n);
      }
      this.#rx = events;
      this.#reader.push(bytes, this.#sink);
    } catch (err) {
      this.#connectionError(err, events);
    } finally {
      this.#rx = NO_EVENTS;
    }
    return events;
  }

  #frame(bytes: Uint8Array, events: ConnectionEvent[]): void {
    let frame: Frame | undefined;
    try {
      frame = decodeFrame(bytes);
      this.#admit(frame.kind, frame.kind === 'settings' && !frame.ack);
      this.#dispatch(frame, events);
    } catch (err) {
      this.#frameFailed(err, frame?.kind === 'data' ? frame.flowLength : 0, events);
    }
  }

  /** The header of an unpadded DATA frame, whose payload {@link FrameReader} streams. */
  #dataHeader(streamId: number, flags: number, length: number, events: ConnectionEvent[]): void {
    this.#rxStream = undefined;
    this.#rxEnd = (flags & Flag.EndStream) !== 0;
    try {
      if (streamId === 0) throw new MuxProtocolError(ErrorCode.ProtocolError, 'DATA on stream 0');
      this.#admit('data', false);
      this.#rxStream = this.#onData(streamId, length, length, this.#rxEnd);
      if (this.#rxStream !== undefined) this.#rxLeft = length;
    } catch (err) {
      this.#frameFailed(err, length, events);
    }
  }

  #dataPayload(data: Uint8Array, last: boolean, events: ConnectionEvent[]): void {
    try {
      this.#deliver(data, last, events);
    } catch (err) {
      this.#frameFailed(err, 0, events);
    }
  }

  /** What every frame must pass before its own rules: SETTINGS first, nothing inside a header block. */
  #admit(kind: Frame['kind'], unackedSettings: boolean): void {
    if (!this.#sawSettings) {
      if (!unackedSettings) {
        throw new MuxProtocolError(ErrorCode.ProtocolError, 'the preface must open with SETTINGS');
      }
      this.#sawSettings = true;
    }
    if (this.#blocks.open && kind !== 'continuation') {
      throw new MuxProtocolError(ErrorCode.ProtocolError, `${kind} inside a header block`);
    }
    if (this.#control.length > MAX_QUEUED_CONTROL_FRAMES) {
      throw new MuxProtocolError(ErrorCode.EnhanceYourCalm, 'the peer does not read our control frames');
    }
  }

  /**
   * A frame failed its rules: a stream error resets the stream (a refused DATA frame's `dataLength`
   * still counted against the connection window, so it is returned); any other error fails the
   * connection.
   */
  #frameFailed(err: unknown, dataLength: number, events: ConnectionEvent[]): void {
    if (err instanceof MuxProtocolError && !err.connection) {
      if (dataLength > 0) this.#returnConnectionCredit(dataLength);
      this.#streamError(err, events);
      return;
    }
    this.#connectionError(err, events);
  }

  /** A BDP sample completed: grow the stream and connection receive windows if it says so. */
  #tuneWindows(): void {
    const current = this.#local.initialWindowSize;
    let next = this.#bdp!.onAck(current, MAX_AUTO_STREAM_WINDOW);
    // Grow only while the application keeps up: received-but-unread bytes below one window mean
    // the window, not the reader, limits the transfer. A stalled reader never earns a bigger window.
    // Unread as of the start of this input batch: bytes of the batch itself are not handed to the
    // application until receive() returns, so they say nothing about a lagging reader.
    if (this.#unreadAtBatchStart >= current) {
      next = current;
      this.#bdp!.hold();
    }
    if (next > current) {
      // Our new INITIAL_WINDOW_SIZE: the peer applies the difference to every open stream when it
      // reads the SETTINGS; we can credit our side at once (more permissive, never less).
      const delta = next - current;
      this.#local = { ...this.#local, initialWindowSize: next };
      for (const s of this.#streams.values()) s.recvWindow += delta;
      this.#control.push(encodeSettings([[SettingId.InitialWindowSize, next]]));
      this.#unackedSettings.push({ settings: this.#local, at: this.#now() });
    }
    const grown = this.#connRecv.grow(Math.min(MAX_AUTO_CONNECTION_WINDOW, 2 * next));
    if (grown > 0) this.#control.push(encodeWindowUpdate(0, grown));
  }

  /** Spend from a flood budget; past it, the connection ends with ENHANCE_YOUR_CALM. */
  #spend(kind: keyof FloodLimits): void {
    if (!this.#buckets[kind].take(this.#now())) {
      throw new MuxProtocolError(ErrorCode.EnhanceYourCalm, `${kind} budget exhausted`);
    }
  }

  #dispatch(frame: Frame, events: ConnectionEvent[]): void {
    switch (frame.kind) {
      case 'data':
        // A padded DATA frame, read whole: its payload is one run.
        this.#rxEnd = (frame.flags & Flag.EndStream) !== 0;
        this.#rxStream = this.#onData(frame.streamId, frame.flowLength, frame.data.length, this.#rxEnd);
        this.#deliver(frame.data, true, events);
        return;
      case 'headers':
        this.#workSincePing = true;
        if (frame.fragment.length === 0 && (frame.flags & Flag.EndHeaders) === 0) this.#spend('emptyFrames');
        this.#onHeaderBlock(
          this.#blocks.start(
            frame.streamId,
            frame.fragment,
            (frame.flags & Flag.EndHeaders) !== 0,
            (frame.flags & Flag.EndStream) !== 0,
          ),
          events,
        );
        return;
      case 'continuation': {
        const endHeaders = (frame.flags & Flag.EndHeaders) !== 0;
        // Checked against the open block first: a stray CONTINUATION is a protocol error, not a flood.
        const block = this.#blocks.continue(frame.streamId, frame.fragment, endHeaders);
        if (frame.fragment.length === 0 && !endHeaders) this.#spend('emptyFrames');
        this.#onHeaderBlock(block, events);
        return;
      }
      case 'unknown':
        this.#spend('emptyFrames');
        return;
      case 'priority':
        // RFC 9113 §5.3.2: deprecated, ignored — but not free to send without limit (CVE-2019-9513).
        this.#spend('priorities');
        return;
      case 'priority_update':
        this.#spend('priorities');
        this.#onPriorityUpdate(frame.prioritizedId, frame.fieldValue);
        return;
      case 'rst_stream':
        this.#spend('peerResets');
        this.#onRstStream(frame.streamId, frame.code, events);
        return;
      case 'settings':
        if (!frame.ack) this.#spend('settings');
        this.#onSettings(frame, events);
        return;
      case 'push_promise':
        // "A client cannot push. Thus, servers MUST treat the receipt of a PUSH_PROMISE frame as a
        // connection error"; nor may a server push when the client disabled it (§6.6, §8.4).
        if (this.role === 'server')
          throw new MuxProtocolError(ErrorCode.ProtocolError, 'PUSH_PROMISE sent to a server');
        if (!this.#local.enablePush || this.symmetric) {
          throw new MuxProtocolError(ErrorCode.ProtocolError, 'PUSH_PROMISE while push is disabled');
        }
        this.#workSincePing = true;
        this.#onHeaderBlock(
          this.#blocks.start(
            frame.streamId,
            frame.fragment,
            (frame.flags & Flag.EndHeaders) !== 0,
            false,
            frame.promisedId,
          ),
          events,
        );
        return;
      case 'ping':
        // A PING that comes with work (DATA or HEADERS since the last one) is a BDP probe or a
        // keepalive on a busy connection; only PINGs with nothing between them spend the budget.
        if (!frame.ack) {
          if (this.#workSincePing) this.#workSincePing = false;
          else this.#spend('pings');
        }
        if (frame.ack && this.#bdp?.owns(frame.data)) this.#tuneWindows();
        else if (frame.ack) events.push({ type: 'PingAcknowledged', data: frame.data.slice() });
        else {
          this.#control.push(encodePing(frame.data, true));
          events.push({ type: 'PingReceived', data: frame.data.slice() });
        }
        return;
      case 'goaway':
        this.#onGoaway(frame.lastStreamId, frame.code, frame.debug, events);
        return;
      case 'window_update':
        this.#onWindowUpdate(frame.streamId, frame.increment, events);
        return;
    }
  }

  /**
   * A DATA frame's header: `flowLength` bytes (payload and padding) against both windows, of which
   * `dataLength` reach the application. Returns the stream its payload goes to, or undefined when
   * the frame is dropped (a stream we reset recently; its credit is returned).
   */
  #onData(streamId: number, flowLength: number, dataLength: number, endStream: boolean): Stream | undefined {
    this.#workSincePing = true;
    if (dataLength === 0 && !endStream) this.#spend('emptyFrames');
    this.#connRecv.receive(flowLength);
    const s = this.#streams.get(streamId);
    if (s === undefined) {
      if (this.#isIdle(streamId))
        throw new MuxProtocolError(ErrorCode.ProtocolError, `DATA on idle stream ${streamId}`);
      if (this.#recentResets.includes(streamId)) {
        this.#returnConnectionCredit(flowLength);
        return undefined;
      }
      throw new MuxProtocolError(ErrorCode.StreamClosed, 'DATA on a closed stream', streamId);
    }
    if (!canReceive(s.state))
      throw new MuxProtocolError(ErrorCode.StreamClosed, `DATA in state ${s.state}`, s.id);
    if (s.contentLeft >= 0) {
      // Checked before the stream window is charged: the refused frame's credit goes back whole.
      if (dataLength > s.contentLeft || (endStream && dataLength < s.contentLeft)) {
        throw new MuxProtocolError(ErrorCode.ProtocolError, 'DATA disagrees with content-length', s.id);
      }
      s.contentLeft -= dataLength;
    }
    s.recvWindow -= flowLength;
    if (s.recvWindow < 0)
      throw new MuxProtocolError(ErrorCode.FlowControlError, 'DATA beyond the stream window', s.id);
    let bdpPing: Uint8Array | undefined;
    if (this.#bdp !== undefined && this.#local.initialWindowSize < MAX_AUTO_STREAM_WINDOW) {
      // The peer used most of the stream's window while the reader keeps up (as #tuneWindows
      // judges it): it may be window-limited now. A lagging reader wakes nothing.
      const window = this.#local.initialWindowSize;
      if (s.recvWindow < window / 4 && this.#unreadAtBatchStart < window) this.#bdp.wake();
      bdpPing = this.#bdp.onData(flowLength, this.#now());
    }
    if (bdpPing !== undefined) this.#control.push(encodePing(bdpPing, false));
    // Padding is flow-controlled but never reaches the application: return it at once.
    const padding = flowLength - dataLength;
    if (padding > 0) {
      this.#credit(s, padding);
      this.#returnConnectionCredit(padding);
    }
    return s;
  }

  /**
   * A run of the current DATA frame's payload, to its stream. When the stream closed while the frame
   * was arriving (a local reset), the run is dropped: closing returned the credit of the whole frame
   * with the stream's unread bytes.
   */
  #deliver(data: Uint8Array, last: boolean, events: ConnectionEvent[]): void {
    const s = this.#rxStream;
    if (last) this.#rxStream = undefined;
    this.#rxLeft = last ? 0 : this.#rxLeft - data.length;
    if (s === undefined || this.#streams.get(s.id) !== s) {
      this.#rxLeft = 0; // the stream closed: its credit, this frame's included, was returned
      return;
    }
    const endStream = last && this.#rxEnd;
    events.push({ type: 'DataReceived', streamId: s.id, data, endStream });
    if (endStream) this.#apply(s, 'recv_end_stream', events);
  }

  /** A header block completed (undefined: not yet — CONTINUATIONs follow). */
  #onHeaderBlock(b: HeaderBlock | undefined, events: ConnectionEvent[]): void {
    if (b === undefined) return;
    let headers: HeaderField[];
    try {
      headers = this.#decoder.decode(b.block);
    } catch (err) {
      if (err instanceof HpackError) {
        throw new MuxProtocolError(ErrorCode.CompressionError, err.message, 0, { cause: err });
      }
      throw err;
    }
    if (b.promisedId !== undefined) {
      this.#onPushPromise(b.streamId, b.promisedId, headers, events);
      return;
    }
    const id = b.streamId;
    let s = this.#streams.get(id);
    if (s === undefined) {
      const remoteInitiated = (id % 2 === 1) === (this.role === 'server');
      if (!remoteInitiated || !this.#isIdle(id)) {
        if (this.#recentResets.includes(id)) return; // in flight before our RST: already decoded, ignore
        // One of our streams, closed: STREAM_CLOSED (§5.1). An id of ours we never used, or one
        // of the peer's at or below the last it opened, is an unexpected identifier (§5.1.1).
        if (!remoteInitiated && !this.#isIdle(id)) {
          throw new MuxProtocolError(ErrorCode.StreamClosed, `HEADERS on closed stream ${id}`);
        }
        throw new MuxProtocolError(
          ErrorCode.ProtocolError,
          remoteInitiated
            ? `HEADERS opening stream ${id}, not above the last stream the peer opened (${this.#lastRemoteId})`
            : `HEADERS opening stream ${id}, an identifier of this endpoint's`,
        );
      }
      if (this.role === 'client' && !this.symmetric) {
        throw new MuxProtocolError(ErrorCode.ProtocolError, `server opened stream ${id}`);
      }
      this.#lastRemoteId = id;
      s = this.#newStream(id, false);
      // After GOAWAY, streams above the announced last id are never processed (RFC 9113 §6.8).
      if (this.#goawaySent !== undefined && id > this.#goawaySent) {
        this.#refuse(s, events);
        return;
      }
      if (this.#remoteActive >= this.#local.maxConcurrentStreams) {
        this.#refuse(s, events);
        return;
      }
      this.#streams.set(id, s);
    } else if (!canReceive(s.state) && s.state !== 'reserved_remote') {
      throw new MuxProtocolError(ErrorCode.StreamClosed, `HEADERS in state ${s.state}`, id);
    }
    const kind = this.#kindOf(s, headers);
    const reason = validateBlock(headers, kind === 'informational' ? 'response' : (kind as BlockKind));
    if (reason !== undefined)
      throw new MuxProtocolError(ErrorCode.ProtocolError, `malformed ${kind}: ${reason}`, id);
    if (kind === 'trailers' && !b.endStream)
      throw new MuxProtocolError(ErrorCode.ProtocolError, 'trailers without END_STREAM', id);
    if (kind === 'informational' && b.endStream) {
      throw new MuxProtocolError(ErrorCode.ProtocolError, 'informational response with END_STREAM', id);
    }
    if (kind === 'request' || kind === 'response') {
      s.headersDone = true;
      this.#expectContent(s, kind, headers, b.endStream);
    } else if (kind === 'trailers' && s.contentLeft > 0) {
      throw new MuxProtocolError(
        ErrorCode.ProtocolError,
        `content ended ${s.contentLeft} bytes short of content-length`,
        id,
      );
    }
    if (kind === 'request') {
      const early = this.#earlyPriorities.get(id);
      this.#earlyPriorities.delete(id);
      const field = headers.find(([n]) => n === 'priority')?.[1];
      s.priority =
        early ?? (field === undefined ? DEFAULT_PRIORITY : (parsePriority(field) ?? DEFAULT_PRIORITY));
    }
    if (s.state === 'reserved_remote' && this.#remoteActive >= this.#local.maxConcurrentStreams) {
      // A pushed response beyond our concurrency limit: refuse it (the push was never processed).
      this.#streamError(
        new MuxProtocolError(ErrorCode.RefusedStream, 'pushed stream beyond MAX_CONCURRENT_STREAMS', id),
        events,
      );
      return;
    }
    if (s.state === 'idle' || s.state === 'reserved_remote') this.#apply(s, 'recv_headers', events);
    events.push({ type: 'HeadersReceived', streamId: id, kind, headers, endStream: b.endStream });
    if (b.endStream) this.#apply(s, 'recv_end_stream', events);
  }

  /**
   * §8.1.1: a request or response whose DATA does not add up to its `content-length` is malformed.
   * A response to HEAD, a 204 and a 304 have no content whatever their content-length says.
   */
  #expectContent(s: Stream, kind: 'request' | 'response', headers: HeaderField[], endStream: boolean): void {
    const length = declaredLength(headers);
    if (Number.isNaN(length))
      throw new MuxProtocolError(ErrorCode.ProtocolError, `malformed ${kind}: invalid content-length`, s.id);
    if (length === -1) return;
    if (kind === 'response') {
      const status = headers.find(([n]) => n === ':status')?.[1];
      if (s.head || status === '204' || status === '304') return;
    }
    if (endStream && length > 0) {
      throw new MuxProtocolError(
        ErrorCode.ProtocolError,
        `${kind} ended with none of its content-length ${length}`,
        s.id,
      );
    }
    s.contentLeft = length;
  }

  /** RFC 9218 §7.1: a client reprioritises one of its requests (or one not yet opened). */
  #onPriorityUpdate(id: number, fieldValue: string): void {
    if (this.role !== 'server') return;
    // "If a PRIORITY_UPDATE frame is received with a prioritized stream ID of 0 ... or a stream the
    // server would not accept as a request stream, it MUST respond with a connection error".
    if (id === 0 || id % 2 === 0)
      throw new MuxProtocolError(ErrorCode.ProtocolError, `PRIORITY_UPDATE for stream ${id}`);
    const p = parsePriority(fieldValue) ?? { ...DEFAULT_PRIORITY, explicit: true };
    const s = this.#streams.get(id);
    if (s !== undefined) {
      this.setPriority(id, p);
      return;
    }
    if (this.#isIdle(id)) {
      // Bounded: a client may not park more updates than it may open streams.
      if (this.#earlyPriorities.size >= this.#local.maxConcurrentStreams) return;
      this.#earlyPriorities.set(id, p);
    }
  }

  /** A complete PUSH_PROMISE (client side): reserve the promised stream and report it (§6.6, §8.4). */
  #onPushPromise(
    parentId: number,
    promisedId: number,
    headers: HeaderField[],
    events: ConnectionEvent[],
  ): void {
    const parent = this.#streams.get(parentId);
    // "PUSH_PROMISE frames MUST only be sent on a peer-initiated stream that is in either the 'open'
    // or 'half-closed (remote)' state" — ours, seen from here: open or half-closed (local).
    if (parent === undefined || !parent.local || !canReceive(parent.state)) {
      if (this.#recentResets.includes(parentId)) {
        this.#control.push(encodeRstStream(promisedId, ErrorCode.Cancel));
        this.#rememberReset(promisedId);
        this.#lastRemoteId = Math.max(this.#lastRemoteId, promisedId);
        return;
      }
      throw new MuxProtocolError(
        ErrorCode.ProtocolError,
        `PUSH_PROMISE on stream ${parentId} in the wrong state`,
      );
    }
    if (promisedId % 2 !== 0 || !this.#isIdle(promisedId)) {
      throw new MuxProtocolError(
        ErrorCode.ProtocolError,
        `PUSH_PROMISE reserving stream ${promisedId}, not a new even id`,
      );
    }
    this.#lastRemoteId = promisedId;
    const s = this.#newStream(promisedId, false);
    s.pushed = true;
    s.head = headers.some(([n, v]) => n === ':method' && v === 'HEAD');
    this.#streams.set(promisedId, s);
    this.#apply(s, 'recv_push_promise', events);
    const method = headers.find(([n]) => n === ':method')?.[1];
    const reason = validateBlock(headers, 'request');
    // §8.4: "Promised requests MUST be safe ... and cacheable" and carry no content.
    if (reason !== undefined || (method !== 'GET' && method !== 'HEAD')) {
      this.#streamError(
        new MuxProtocolError(
          ErrorCode.ProtocolError,
          `malformed promised request: ${reason ?? `method ${method}`}`,
          promisedId,
        ),
        events,
      );
      return;
    }
    events.push({ type: 'PushPromiseReceived', parentId, promisedId, headers });
  }

  #kindOf(s: Stream, headers: HeaderField[]): HeadersKind {
    // The peer's streams carry requests to us; ours carry its responses (whichever side we are),
    // and so does a pushed stream, whoever opened it.
    if (!s.local && !s.pushed) return s.headersDone ? 'trailers' : 'request';
    if (s.headersDone) return 'trailers';
    const status = headers.find(([n]) => n === ':status')?.[1];
    return status !== undefined && status.length === 3 && status[0] === '1' ? 'informational' : 'response';
  }

  #onRstStream(id: number, code: number, events: ConnectionEvent[]): void {
    const s = this.#streams.get(id);
    if (s === undefined) {
      if (this.#isIdle(id))
        throw new MuxProtocolError(ErrorCode.ProtocolError, `RST_STREAM on idle stream ${id}`);
      return;
    }
    this.#close(s, 'recv_rst');
    events.push({
      type: 'StreamReset',
      streamId: id,
      code,
      remote: true,
      retryable: code === ErrorCode.RefusedStream,
    });
    this.#openWaiting(events);
  }

  #onSettings(frame: Extract<Frame, { kind: 'settings' }>, events: ConnectionEvent[]): void {
    if (frame.ack) {
      const acked = this.#unackedSettings.shift()?.settings;
      if (acked === undefined)
        throw new MuxProtocolError(ErrorCode.ProtocolError, 'SETTINGS ACK without SETTINGS');
      this.#decoder.setMaxTableSize(acked.headerTableSize);
      events.push({ type: 'SettingsAcknowledged' });
      return;
    }
    const before = this.#remote;
    const after = applyWire(before, frame.settings);
    const delta = after.initialWindowSize - before.initialWindowSize;
    if (delta !== 0) {
      // §6.9.2: the change applies to every stream's window, which may go negative.
      for (const s of this.#streams.values()) {
        s.sendWindow += delta;
        if (s.sendWindow > MAX_WINDOW)
          throw new MuxProtocolError(
            ErrorCode.FlowControlError,
            'SETTINGS_INITIAL_WINDOW_SIZE overflows a window',
          );
        if (delta > 0) this.#schedule(s);
      }
    }
    if (after.headerTableSize !== before.headerTableSize) {
      this.#encoder.setTableSize(Math.min(after.headerTableSize, this.#encoderTableLimit));
    }
    this.#remote = after;
    this.#remoteSettingsSeen = true;
    this.#control.push(encodeSettings([], true));
    events.push({ type: 'SettingsReceived', settings: after });
    this.#openWaiting(events);
  }

  #onGoaway(lastStreamId: number, code: number, debug: Uint8Array, events: ConnectionEvent[]): void {
    this.#goawayReceived = Math.min(lastStreamId, this.#goawayReceived ?? MAX_STREAM_ID);
    events.push({ type: 'GoawayReceived', lastStreamId, code, debug: debug.slice() });
    // Our streams above the last id (waiting ones included) were never processed: they can be retried.
    this.#waiting = [];
    for (const s of byId(this.#streams.values())) {
      if (s.local && s.id > lastStreamId) {
        this.#close(s, 'recv_rst');
        events.push({
          type: 'StreamReset',
          streamId: s.id,
          code: ErrorCode.RefusedStream,
          remote: true,
          retryable: true,
        });
      }
    }
  }

  #onWindowUpdate(id: number, increment: number, events: ConnectionEvent[]): void {
    if (id === 0) {
      this.#connSendWindow += increment;
      if (this.#connSendWindow > MAX_WINDOW)
        throw new MuxProtocolError(ErrorCode.FlowControlError, 'connection window above 2^31 - 1');
      for (const s of this.#streams.values()) if (s.pendingBytes > 0) this.#schedule(s);
      return;
    }
    const s = this.#streams.get(id);
    if (s === undefined) {
      if (this.#isIdle(id))
        throw new MuxProtocolError(ErrorCode.ProtocolError, `WINDOW_UPDATE on idle stream ${id}`);
      return;
    }
    s.sendWindow += increment;
    if (s.sendWindow > MAX_WINDOW)
      throw new MuxProtocolError(ErrorCode.FlowControlError, 'stream window above 2^31 - 1', id);
    this.#schedule(s);
    events.push({ type: 'WindowUpdated', streamId: id });
  }

  /** Events caused by commands since the last `receive()` or `takeEvents()`. */
  takeEvents(): ConnectionEvent[] {
    const e = this.#deferred;
    this.#deferred = [];
    return e;
  }

  // ---------------------------------------------------------------- commands

  /**
   * Client: open a stream with a request. Beyond the peer's MAX_CONCURRENT_STREAMS the request waits
   * (a `StreamOpened` event reports when it is sent). Returns the stream id.
   * @throws {MuxUsageError} `MUX_ERR_INVALID_STATE` on a server, after GOAWAY, or when ids run out.
   */
  request(headers: readonly HeaderField[], endStream = false): number {
    if (this.role !== 'client' && !this.symmetric) {
      throw new MuxUsageError(
        'MUX_ERR_INVALID_STATE',
        'a server opens streams only when both peers enabled symmetricStreams',
      );
    }
    if (this.#dead || this.#goawayReceived !== undefined || this.#goawaySent !== undefined) {
      throw new MuxUsageError('MUX_ERR_INVALID_STATE', 'the connection is going away');
    }
    if (this.#nextLocalId > MAX_STREAM_ID)
      throw new MuxUsageError('MUX_ERR_INVALID_STATE', 'stream ids exhausted');
    const s = this.#newStream(this.#nextLocalId, true);
    s.head = headers.some(([n, v]) => n === ':method' && v === 'HEAD');
    this.#nextLocalId += 2;
    this.#streams.set(s.id, s);
    if (this.#localActive >= this.#streamLimit() || this.#waiting.length > 0) {
      s.waiting = { headers: [...headers], endStream };
      this.#waiting.push(s);
    } else {
      this.#sendHeaders(s, headers, endStream);
    }
    return s.id;
  }

  /**
   * Server: send the response headers (informational 1xx ones may precede the final response).
   * @throws {MuxUsageError} `MUX_ERR_INVALID_STATE`
   */
  respond(streamId: number, headers: readonly HeaderField[], endStream = false): void {
    const s = this.#sendable(streamId, 'respond');
    if (s.local && !s.pushed) {
      throw new MuxUsageError(
        'MUX_ERR_INVALID_STATE',
        "respond() answers the peer's streams (or our pushes), not our requests",
      );
    }
    this.#sendHeaders(s, headers, endStream);
  }

  /**
   * Server: promise a pushed response on `parentId` (PUSH_PROMISE with the request it answers) and
   * return the reserved stream's id; answer it with `respond()` and `write()`.
   * @throws {MuxUsageError} `MUX_ERR_INVALID_STATE` when the client disabled push, the parent cannot
   *   carry it, or the client's MAX_CONCURRENT_STREAMS is reached.
   */
  push(parentId: number, requestHeaders: readonly HeaderField[]): number {
    if (this.role !== 'server') throw new MuxUsageError('MUX_ERR_INVALID_STATE', 'only a server pushes');
    if (!this.#remote.enablePush)
      throw new MuxUsageError('MUX_ERR_INVALID_STATE', 'the client disabled push');
    if (this.symmetric)
      throw new MuxUsageError('MUX_ERR_INVALID_STATE', 'push is off while symmetric streams are on');
    const parent = this.#sendable(parentId, 'push');
    if (this.#localActive >= this.#streamLimit()) {
      throw new MuxUsageError(
        'MUX_ERR_INVALID_STATE',
        "push would exceed the client's MAX_CONCURRENT_STREAMS",
      );
    }
    if (this.#nextLocalId > MAX_STREAM_ID)
      throw new MuxUsageError('MUX_ERR_INVALID_STATE', 'stream ids exhausted');
    const s = this.#newStream(this.#nextLocalId, true);
    s.pushed = true;
    this.#nextLocalId += 2;
    encodeHeaderBlock(
      this.#control,
      parent.id,
      this.#encoder.encode(requestHeaders),
      false,
      this.#remote.maxFrameSize,
      s.id,
    );
    this.#streams.set(s.id, s);
    this.#apply(s, 'send_push_promise', this.#deferred);
    return s.id;
  }

  /**
   * Change the priority our side serves a stream with (RFC 9218). On a client, also tells the server
   * with PRIORITY_UPDATE; on a server, applies to our responses.
   */
  setPriority(streamId: number, priority: { urgency?: number; incremental?: boolean }): void {
    const s = this.#streams.get(streamId);
    if (s === undefined) return;
    const urgency = priority.urgency ?? s.priority.urgency;
    if (!Number.isInteger(urgency) || urgency < 0 || urgency > 7) {
      throw new MuxUsageError(
        'MUX_ERR_INVALID_OPTION',
        `urgency must be an integer in [0, 7], got ${urgency}`,
      );
    }
    const next: Priority = {
      urgency,
      incremental: priority.incremental ?? s.priority.incremental,
      explicit: true,
    };
    if (s.queued) {
      // Requeue under the new priority.
      this.#sendQueue.remove(s);
      s.priority = next;
      this.#sendQueue.push(s);
    } else s.priority = next;
    if (this.role === 'client' && s.waiting === undefined) {
      this.#control.push(encodePriorityUpdate(streamId, formatPriority(next)));
    }
  }

  /** Queue DATA on a stream; `endStream` ends our side after it. @throws {MuxUsageError} `MUX_ERR_INVALID_STATE` */
  write(streamId: number, data: Uint8Array, endStream = false): void {
    const s = this.#sendable(streamId, 'write');
    if (data.length > 0) {
      s.pending.push(data);
      s.pendingBytes += data.length;
    }
    if (endStream) s.pendingEnd = true;
    this.#schedule(s);
  }

  /** Queue trailers, sent after the stream's pending data with END_STREAM. @throws {MuxUsageError} `MUX_ERR_INVALID_STATE` */
  sendTrailers(streamId: number, trailers: readonly HeaderField[]): void {
    const s = this.#sendable(streamId, 'sendTrailers');
    s.pendingTrailers = [...trailers];
    s.pendingEnd = true;
    this.#schedule(s);
  }

  /** Reset a stream (RST_STREAM with `code`). Unknown or closed streams are ignored. */
  resetStream(streamId: number, code: number = ErrorCode.Cancel): void {
    const s = this.#streams.get(streamId);
    if (s === undefined) return;
    if (s.waiting === undefined) {
      this.#control.push(encodeRstStream(streamId, code));
      this.#rememberReset(streamId);
    } else {
      this.#waiting.splice(this.#waiting.indexOf(s), 1);
    }
    this.#close(s, 'send_rst');
    this.#openWaiting(this.#deferred);
  }

  /**
   * The application took `n` bytes of a stream's DATA: return the credit. WINDOW_UPDATE is sent once
   * a quarter of a window has been consumed, so a reader that stops reading stops the sender. Nothing
   * for a stream that has closed (its unread bytes were returned then).
   */
  consume(streamId: number, n: number): void {
    const s = this.#streams.get(streamId);
    // A closed stream's unread bytes went back to the connection when it closed: not again.
    if (s === undefined) return;
    this.#returnConnectionCredit(n);
    this.#credit(s, n);
  }

  /** Send a PING (8 bytes of opaque data, default zeros). */
  ping(data: Uint8Array = new Uint8Array(8)): void {
    if (data.length !== 8) throw new MuxUsageError('MUX_ERR_INVALID_OPTION', 'PING data must be 8 bytes');
    this.#control.push(encodePing(data, false));
  }

  /**
   * Send GOAWAY: no stream above `lastStreamId` (default: the last one the peer opened) will be
   * processed. For a graceful shutdown send 2^31 - 1 first, then the real last id after a round trip.
   */
  goaway(
    code: number = ErrorCode.NoError,
    lastStreamId: number = this.#lastRemoteId,
    debug?: Uint8Array,
  ): void {
    this.#goawaySent = Math.min(lastStreamId, this.#goawaySent ?? MAX_STREAM_ID);
    this.#control.push(encodeGoaway(lastStreamId, code, debug));
  }

  /**
   * End the connection from our side with a connection error (a SETTINGS ACK that never came,
   * SETTINGS_TIMEOUT; a dead peer): GOAWAY is queued and a `ConnectionError` event is reported.
   */
  fail(code: number, message: string): void {
    this.#connectionError(
      new MuxProtocolError(code as (typeof ErrorCode)[keyof typeof ErrorCode], message),
      this.#deferred,
    );
  }

  /** Whether SETTINGS we sent still wait for the peer's ACK. */
  get settingsPending(): boolean {
    return this.#unackedSettings.length > 0;
  }

  /** How long (ms, on the connection's clock) the oldest unacknowledged SETTINGS has waited; 0 if none. */
  get settingsWaitMs(): number {
    const oldest = this.#unackedSettings[0];
    return oldest === undefined ? 0 : this.#now() - oldest.at;
  }

  /** The highest stream id the peer opened (the last-stream-id of a final GOAWAY). */
  get lastRemoteStreamId(): number {
    return this.#lastRemoteId;
  }

  /**
   * The bytes to write now, in order: control frames and headers first, then DATA in chunks of at
   * most 16 KiB as the scheduler picks them, up to `budget` bytes of DATA (the adapter's socket
   * backpressure).
   */
  takeOutbound(budget = Number.POSITIVE_INFINITY): Uint8Array[] {
    const out = this.#control;
    this.#control = [];
    let left = budget;
    const queue = this.#sendQueue;
    while (queue.size > 0 && left > 0) {
      const s = queue.shift()!;
      if (!this.#streams.has(s.id)) continue;
      const sent = this.#emit(s, out, left, queue.size === 0 ? BULK_CHUNK : DATA_CHUNK);
      left -= sent;
      if (this.#hasWork(s) && this.#canProgress(s)) queue.served(s, sent);
      if (this.#connSendWindow <= 0 && queue.every((q) => q.pendingBytes > 0)) break;
    }
    return out;
  }

  // ---------------------------------------------------------------- internals

  #newStream(id: number, local: boolean): Stream {
    return {
      id,
      state: 'idle',
      local,
      sendWindow: this.#remote.initialWindowSize,
      recvWindow: this.#local.initialWindowSize,
      unacked: 0,
      pending: [],
      pendingBytes: 0,
      pendingEnd: false,
      pendingTrailers: undefined,
      queued: false,
      schedPrev: undefined,
      schedNext: undefined,
      schedLane: undefined,
      headersDone: false,
      waiting: undefined,
      priority: DEFAULT_PRIORITY,
      pushed: false,
      head: false,
      contentLeft: -1,
    };
  }

  #sendable(streamId: number, what: string): Stream {
    const s = this.#streams.get(streamId);
    if (s === undefined || this.#dead)
      throw new MuxUsageError('MUX_ERR_INVALID_STATE', `${what}: stream ${streamId} is not open`);
    if (
      s.pendingEnd ||
      !(canSend(s.state) || s.state === 'idle' || s.state === 'reserved_local' || s.waiting !== undefined)
    ) {
      throw new MuxUsageError(
        'MUX_ERR_INVALID_STATE',
        `${what}: stream ${streamId} is ${s.pendingEnd ? 'ending' : s.state}`,
      );
    }
    return s;
  }

  /** Encode and queue a header block now: HPACK state must follow wire order. */
  #sendHeaders(s: Stream, headers: readonly HeaderField[], endStream: boolean): void {
    encodeHeaderBlock(
      this.#control,
      s.id,
      this.#encoder.encode(headers),
      endStream,
      this.#remote.maxFrameSize,
    );
    if (s.state === 'idle' || s.state === 'reserved_local') this.#apply(s, 'send_headers', this.#deferred);
    if (endStream) this.#apply(s, 'send_end_stream', this.#deferred);
  }

  /** How many streams we may have open: the peer's MAX_CONCURRENT_STREAMS, once we know it. */
  #streamLimit(): number {
    const limit = this.#remote.maxConcurrentStreams;
    return this.#remoteSettingsSeen ? limit : Math.min(limit, ASSUMED_MAX_CONCURRENT_STREAMS);
  }

  #openWaiting(events: ConnectionEvent[]): void {
    while (this.#waiting.length > 0 && this.#localActive < this.#streamLimit()) {
      const s = this.#waiting.shift()!;
      const w = s.waiting!;
      s.waiting = undefined;
      this.#sendHeaders(s, w.headers, w.endStream);
      this.#schedule(s);
      events.push({ type: 'StreamOpened', streamId: s.id });
    }
  }

  #hasWork(s: Stream): boolean {
    // Nothing leaves before the stream's HEADERS (a reserved or waiting stream holds its data).
    return canSend(s.state) && (s.pendingBytes > 0 || s.pendingEnd);
  }

  #canProgress(s: Stream): boolean {
    return (
      s.waiting === undefined && (s.pendingBytes === 0 || (s.sendWindow > 0 && this.#connSendWindow > 0))
    );
  }

  #schedule(s: Stream): void {
    if (!s.queued && this.#hasWork(s) && this.#canProgress(s)) this.#sendQueue.push(s);
  }

  /** Emit up to one chunk of `s`'s data (and its ending); returns the DATA bytes emitted. */
  #emit(s: Stream, out: Uint8Array[], budget: number, chunk: number): number {
    let sent = 0;
    if (s.pendingBytes > 0) {
      let n = Math.min(
        s.pendingBytes,
        chunk,
        this.#remote.maxFrameSize,
        s.sendWindow,
        this.#connSendWindow,
        budget,
      );
      if (n <= 0) return 0;
      // A frame ends where a large queued write ends: joining it to the next would cost a copy.
      const head = s.pending[0]!.length;
      if (head < n && head >= JOIN_LIMIT) n = head;
      const data = this.#takePending(s, n);
      s.sendWindow -= n;
      this.#connSendWindow -= n;
      sent = n;
      const last = s.pendingBytes === 0 && s.pendingEnd && s.pendingTrailers === undefined;
      encodeData(out, s.id, data, last);
      if (last) this.#apply(s, 'send_end_stream', this.#deferred);
    }
    if (s.pendingBytes === 0 && s.pendingEnd && canSend(s.state)) {
      if (s.pendingTrailers !== undefined) {
        encodeHeaderBlock(
          out,
          s.id,
          this.#encoder.encode(s.pendingTrailers),
          true,
          this.#remote.maxFrameSize,
        );
        s.pendingTrailers = undefined;
      } else {
        encodeData(out, s.id, new Uint8Array(0), true);
      }
      this.#apply(s, 'send_end_stream', this.#deferred);
    }
    return sent;
  }

  #takePending(s: Stream, n: number): Uint8Array {
    s.pendingBytes -= n;
    const first = s.pending[0]!;
    if (first.length === n) return s.pending.shift()!;
    if (first.length > n) {
      s.pending[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = s.pending[0]!;
      const k = Math.min(c.length, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.length) s.pending.shift();
      else s.pending[0] = c.subarray(k);
    }
    return out;
  }

  #apply(s: Stream, event: StreamEvent, events: ConnectionEvent[]): void {
    const before = s.state;
    const next = transition(before, event);
    if (next === undefined) {
      throw new MuxProtocolError(ErrorCode.ProtocolError, `${event} in state ${before}`, s.id);
    }
    s.state = next;
    const wasActive = before !== 'idle' && before !== 'closed' && !before.startsWith('reserved');
    const isActive = next !== 'idle' && next !== 'closed' && !next.startsWith('reserved');
    if (!wasActive && isActive) {
      if (s.local) this.#localActive++;
      else this.#remoteActive++;
    }
    if (next === 'closed') {
      this.#forget(s, wasActive);
      events.push({ type: 'StreamClosed', streamId: s.id });
      this.#openWaiting(events);
    }
  }

  #close(s: Stream, event: 'send_rst' | 'recv_rst'): void {
    const wasActive = s.state !== 'idle' && s.state !== 'closed' && !s.state.startsWith('reserved');
    s.state = transition(s.state, event) ?? 'closed';
    this.#forget(s, wasActive);
  }

  #forget(s: Stream, wasActive: boolean): void {
    if (wasActive) {
      if (s.local) this.#localActive--;
      else this.#remoteActive--;
    }
    // Unread data still counts against the connection window: return it.
    const unread = this.#local.initialWindowSize - s.recvWindow - s.unacked;
    if (unread > 0) this.#returnConnectionCredit(unread);
    s.pending = [];
    s.pendingBytes = 0;
    this.#streams.delete(s.id);
  }

  #refuse(s: Stream, events: ConnectionEvent[]): void {
    // Refusals are resets the peer provoked: they share the MadeYouReset budget.
    if (!this.#buckets.localResets.take(this.#now())) {
      throw new MuxProtocolError(ErrorCode.EnhanceYourCalm, 'too many refused streams');
    }
    this.#control.push(encodeRstStream(s.id, ErrorCode.RefusedStream));
    this.#rememberReset(s.id);
    events.push({
      type: 'StreamReset',
      streamId: s.id,
      code: ErrorCode.RefusedStream,
      remote: false,
      retryable: true,
    });
  }

  /**
   * Return credit once a quarter window was consumed: at half a window (nghttp2's choice) a fast
   * sender on another process idles waiting for the update (docs/perf/2026-12-03-write-thresholds.md).
   */
  #credit(s: Stream, n: number): void {
    s.unacked += n;
    if (s.unacked >= this.#local.initialWindowSize / 4 && canReceive(s.state)) {
      this.#control.push(encodeWindowUpdate(s.id, s.unacked));
      s.recvWindow += s.unacked;
      s.unacked = 0;
    }
  }

  #returnConnectionCredit(n: number): void {
    const increment = this.#connRecv.consumed(n);
    if (increment > 0) this.#control.push(encodeWindowUpdate(0, increment));
  }

  #isIdle(id: number): boolean {
    const remoteInitiated = (id % 2 === 1) === (this.role === 'server');
    return remoteInitiated ? id > this.#lastRemoteId : id >= this.#nextLocalId;
  }

  #rememberReset(id: number): void {
    this.#recentResets.push(id);
    if (this.#recentResets.length > RECENT_RESETS) this.#recentResets.shift();
  }

  #streamError(err: MuxProtocolError, events: ConnectionEvent[]): void {
    if (!this.#buckets.localResets.take(this.#now())) {
      this.#connectionError(
        new MuxProtocolError(ErrorCode.EnhanceYourCalm, 'too many stream errors (MadeYouReset)'),
        events,
      );
      return;
    }
    this.#control.push(encodeRstStream(err.streamId, err.h2Code));
    this.#rememberReset(err.streamId);
    const s = this.#streams.get(err.streamId);
    if (s !== undefined) this.#close(s, 'send_rst');
    events.push({
      type: 'StreamReset',
      streamId: err.streamId,
      code: err.h2Code,
      remote: false,
      retryable: false,
      error: err,
    });
  }

  #connectionError(err: unknown, events: ConnectionEvent[]): void {
    const error =
      err instanceof MuxProtocolError
        ? err
        : new MuxProtocolError(ErrorCode.InternalError, err instanceof Error ? err.message : String(err), 0, {
            cause: err,
          });
    if (!this.#dead) {
      this.#control.push(
        encodeGoaway(this.#lastRemoteId, error.h2Code, new TextEncoder().encode(error.message.slice(0, 256))),
      );
      this.#dead = true;
      // Every stream ends with the connection (the adapter fails them with this error).
      this.#streams.clear();
      this.#sendQueue.clear();
      this.#waiting = [];
      events.push({ type: 'ConnectionError', error });
    }
  }
}

/** Streams in id order (the order they were opened), for what the application sees happen to many. */
function byId<S extends { id: number }>(streams: S[]): S[] {
  return streams.sort((a, b) => a.id - b.id);
}
